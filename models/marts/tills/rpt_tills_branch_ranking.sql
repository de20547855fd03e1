{#- Best branch by revenue and by orders: each branch's clean orders, revenue and average order value. -#}
with

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

branches as (
    select * from {{ ref('dim_tills_branches') }}
),

branch_totals as (
    select
        branch_id,
        cast(count(*) as bigint) as order_count,
        sum(total) as revenue
    from orders
    group by branch_id
),

final as (
    select
        branches.branch_id,
        branches.branch_name,
        branch_totals.order_count,
        cast(branch_totals.revenue as numeric(14, 2)) as revenue,
        cast(round(branch_totals.revenue / branch_totals.order_count, 2) as numeric(10, 2))
            as average_order_value,
        cast(rank() over (order by branch_totals.revenue desc) as integer) as revenue_rank,
        cast(rank() over (order by branch_totals.order_count desc) as integer) as orders_rank
    from branch_totals
    inner join branches
        on branch_totals.branch_id = branches.branch_id
)

select * from final
