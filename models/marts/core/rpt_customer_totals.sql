with

customers as (
    select * from {{ ref('dim_customers') }}
),

totals as (
    select
        count(*) as customers,
        coalesce(sum(case when is_active then 1 else 0 end), 0) as active_customers,
        coalesce(sum(case when is_high_value then 1 else 0 end), 0) as high_value_customers,
        cast(coalesce(sum(transaction_count), 0) as bigint) as transaction_count,
        coalesce(sum(total_spent), 0) as total_spent
    from customers
)

select * from totals
