{#- Revenue and orders per branch and trading day. -#}
with

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

branches as (
    select * from {{ ref('dim_tills_branches') }}
),

daily as (
    select
        branch_id,
        trading_date,
        cast(count(*) as bigint) as order_count,
        sum(total) as revenue
    from orders
    group by
        branch_id,
        trading_date
),

final as (
    select
        {{ generate_surrogate_key(['daily.branch_id', 'daily.trading_date']) }} as branch_day_id,
        branches.branch_id,
        branches.branch_name,
        daily.trading_date,
        daily.order_count,
        cast(daily.revenue as numeric(14, 2)) as revenue,
        cast(round(daily.revenue / daily.order_count, 2) as numeric(10, 2)) as average_order_value
    from daily
    inner join branches
        on daily.branch_id = branches.branch_id
)

select * from final
