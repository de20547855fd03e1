{#- Revenue and orders per branch and ISO week (weeks start on Monday). -#}
with

daily_revenue as (
    select * from {{ ref('rpt_tills_daily_revenue') }}
),

weekly as (
    select
        branch_id,
        branch_name,
        cast({{ dbt.date_trunc('week', 'trading_date') }} as date) as week_start,
        cast(count(*) as integer) as trading_days,
        cast(sum(order_count) as bigint) as order_count,
        sum(revenue) as revenue
    from daily_revenue
    group by
        branch_id,
        branch_name,
        cast({{ dbt.date_trunc('week', 'trading_date') }} as date)
),

final as (
    select
        {{ generate_surrogate_key(['branch_id', 'week_start']) }} as branch_week_id,
        branch_id,
        branch_name,
        week_start,
        trading_days,
        order_count,
        cast(revenue as numeric(14, 2)) as revenue
    from weekly
)

select * from final
