{#- One row per product of a clean order: how many of it the basket lists, at which price. -#}
{{ config(alias='order_items') }}

with

order_items as (
    select * from {{ ref('int_tills_order_items_parsed') }}
),

classified_orders as (
    select * from {{ ref('int_tills_orders_classified') }}
),

clean_items as (
    select
        classified_orders.order_id,
        order_items.product_id,
        order_items.price
    from order_items
    inner join classified_orders
        on order_items.till_line_id = classified_orders.till_line_id
    where classified_orders.record_status = 'clean'
),

final as (
    select
        {{ generate_surrogate_key(['order_id', 'product_id']) }} as order_item_id,
        order_id,
        product_id,
        cast(count(*) as integer) as quantity,
        cast(min(price) as numeric(6, 2)) as unit_price,
        cast(sum(price) as numeric(10, 2)) as line_total
    from clean_items
    group by
        order_id,
        product_id
)

select * from final
