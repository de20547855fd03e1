{#- Average spend per order, per branch and payment method. -#}
with

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

branches as (
    select * from {{ ref('dim_tills_branches') }}
),

spend as (
    select
        branch_id,
        payment_method,
        cast(count(*) as bigint) as order_count,
        sum(total) as revenue
    from orders
    group by
        branch_id,
        payment_method
),

final as (
    select
        {{ generate_surrogate_key(['spend.branch_id', 'spend.payment_method']) }} as branch_payment_id,
        branches.branch_id,
        branches.branch_name,
        spend.payment_method,
        spend.order_count,
        cast(spend.revenue as numeric(14, 2)) as revenue,
        cast(round(spend.revenue / spend.order_count, 2) as numeric(10, 2)) as average_order_value
    from spend
    inner join branches
        on spend.branch_id = branches.branch_id
)

select * from final
