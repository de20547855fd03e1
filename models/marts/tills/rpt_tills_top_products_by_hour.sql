{#- The chain's products by units sold in each hour of the day, ranked within the hour. -#}
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

sold as (
    select
        cast(extract(hour from orders.ordered_at) as integer) as hour_of_day,
        order_items.product_id,
        cast(sum(order_items.quantity) as bigint) as units_sold,
        sum(order_items.line_total) as revenue
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    group by
        cast(extract(hour from orders.ordered_at) as integer),
        order_items.product_id
),

final as (
    select
        {{ generate_surrogate_key(['sold.hour_of_day', 'sold.product_id']) }} as hour_product_id,
        sold.hour_of_day,
        products.product_id,
        products.item_name,
        sold.units_sold,
        cast(sold.revenue as numeric(14, 2)) as revenue,
        cast(rank() over (partition by sold.hour_of_day order by sold.units_sold desc) as integer)
            as units_rank
    from sold
    inner join products
        on sold.product_id = products.product_id
)

select * from final
