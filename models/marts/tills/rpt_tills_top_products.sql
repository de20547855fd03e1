{#- The chain's products by units sold (and revenue), ranked. -#}
with

order_items as (
    select * from {{ ref('fct_tills_order_items') }}
),

products as (
    select * from {{ ref('dim_tills_products') }}
),

sold as (
    select
        product_id,
        cast(sum(quantity) as bigint) as units_sold,
        sum(line_total) as revenue
    from order_items
    group by product_id
),

final as (
    select
        products.product_id,
        products.item_name,
        products.product_name,
        products.size,
        products.flavour,
        sold.units_sold,
        cast(sold.revenue as numeric(14, 2)) as revenue,
        cast(rank() over (order by sold.units_sold desc) as integer) as units_rank,
        cast(rank() over (order by sold.revenue desc) as integer) as revenue_rank
    from sold
    inner join products
        on sold.product_id = products.product_id
)

select * from final
