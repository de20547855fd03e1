{#-
    One row per SKU - a product in a size and flavour, as a till names it (`Large Flavoured latte - Vanilla`,
    `Babyccino`) - of every price list, with its price: the current list's, else the pilot's.
-#}
{{ config(alias='products') }}

with

price_list as (
    select * from {{ ref('tills_price_list') }}
),

ranked as (
    select
        item_name,
        product_name,
        size,
        flavour,
        price,
        price_list = 'current' as is_on_current_menu,
        row_number() over (partition by item_name order by price_list = 'current' desc) as list_rank
    from price_list
),

final as (
    select
        {{ generate_surrogate_key(['item_name']) }} as product_id,
        item_name,
        product_name,
        size,
        flavour,
        cast(price as numeric(6, 2)) as price,
        is_on_current_menu
    from ranked
    where list_rank = 1
)

select * from final
