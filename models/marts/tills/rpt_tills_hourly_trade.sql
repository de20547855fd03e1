{#- Orders per branch and hour of the day, and their average per trading day of the branch. -#}
with

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

branches as (
    select * from {{ ref('dim_tills_branches') }}
),

trading_days as (
    select
        branch_id,
        count(distinct trading_date) as trading_day_count
    from orders
    group by branch_id
),

hourly as (
    select
        branch_id,
        cast(extract(hour from ordered_at) as integer) as hour_of_day,
        cast(count(*) as bigint) as order_count,
        sum(total) as revenue
    from orders
    group by
        branch_id,
        cast(extract(hour from ordered_at) as integer)
),

final as (
    select
        {{ generate_surrogate_key(['hourly.branch_id', 'hourly.hour_of_day']) }} as branch_hour_id,
        branches.branch_id,
        branches.branch_name,
        hourly.hour_of_day,
        hourly.order_count,
        cast(hourly.revenue as numeric(14, 2)) as revenue,
        cast(trading_days.trading_day_count as integer) as trading_days,
        cast(round(1.0 * hourly.order_count / trading_days.trading_day_count, 1) as numeric(10, 1))
            as average_orders_per_trading_day
    from hourly
    inner join branches
        on hourly.branch_id = branches.branch_id
    inner join trading_days
        on hourly.branch_id = trading_days.branch_id
)

select * from final
