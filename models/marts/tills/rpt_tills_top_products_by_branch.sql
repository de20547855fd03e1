{#- Each branch's products by units sold, ranked within the branch. -#}
with

order_items as (
    select * from {{ ref('fct_tills_order_items') }}
),

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

products as (
    select * from {{ ref('dim_tills_products') }}
),

branches as (
    select * from {{ ref('dim_tills_branches') }}
),

sold as (
    select
        orders.branch_id,
        order_items.product_id,
        cast(sum(order_items.quantity) as bigint) as units_sold,
        sum(order_items.line_total) as revenue
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    group by
        orders.branch_id,
        order_items.product_id
),

final as (
    select
        {{ generate_surrogate_key(['sold.branch_id', 'sold.product_id']) }} as branch_product_id,
        branches.branch_id,
        branches.branch_name,
        products.product_id,
        products.item_name,
        sold.units_sold,
        cast(sold.revenue as numeric(14, 2)) as revenue,
        cast(rank() over (partition by sold.branch_id order by sold.units_sold desc) as integer) as units_rank
    from sold
    inner join branches
        on sold.branch_id = branches.branch_id
    inner join products
        on sold.product_id = products.product_id
)

select * from final
