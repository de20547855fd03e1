{#-
    Every item of every till basket, one row per item as listed (a repeated item is listed again), parsed and
    looked up in the price list its layout was rung up on (seed tills_price_list). The basket is parsed here, in
    SQL, not in the loader: the raw table keeps the basket exactly as the till wrote it, so a new parsing rule is a
    rebuild, not a reload of every file (docs/data_rules.md, "Branch tills").
    - current: `<Regular|Large> <product>[ - <flavour>] - <price>` items joined by ', ' (the price after the last
      ' - '; blanks around an item or repeated inside it do not count; no menu item holds a comma);
    - pilot: a flat `size,name,price` list, three fields an item, the size empty for one-size items.
-#}
with

current_orders as (
    select * from {{ ref('stg_tills__current_orders') }}
),

pilot_orders as (
    select * from {{ ref('stg_tills__pilot_orders') }}
),

price_list as (
    select * from {{ ref('tills_price_list') }}
),

current_items as (
    select
        current_orders.till_line_id,
        item.item_position,
        -- Blanks around an item and runs of blanks inside it are a till's noise, not part of the name.
        regexp_match(
            regexp_replace(trim(item.item_text), '\s+', ' ', 'g'),
            '^(Regular|Large) (.+) - ([0-9]+[.][0-9]{2})$'
        ) as item_parts
    from current_orders
    cross join
        lateral unnest(regexp_split_to_array(current_orders.basket, ',\s*'))
        with ordinality as item (item_text, item_position)
),

current_items_parsed as (
    select
        till_line_id,
        item_position,
        'current' as price_list,
        item_parts[1] as size,
        item_parts[2] as product_written,
        {{ parse_till_money('item_parts[3]') }} as price
    from current_items
),

pilot_fields as (
    select
        pilot_orders.till_line_id,
        (field.field_position - 1) / 3 + 1 as item_position,
        (field.field_position - 1) % 3 as field_index,
        trim(field.field_text) as field_text
    from pilot_orders
    cross join
        lateral unnest(string_to_array(pilot_orders.basket, ','))
        with ordinality as field (field_text, field_position)
),

pilot_items_parsed as (
    select
        till_line_id,
        item_position,
        'pilot' as price_list,
        -- An item is its three fields; the last of a list that does not split into threes parses as nothing.
        case when count(*) = 3 then max(case when field_index = 0 then field_text end) end as size,
        case when count(*) = 3 then nullif(max(case when field_index = 1 then field_text end), '') end
            as product_written,
        case
            when count(*) = 3
                then {{ parse_till_money('max(case when field_index = 2 then field_text end)') }}
        end as price
    from pilot_fields
    group by
        till_line_id,
        item_position
),

items as (
    select
        till_line_id,
        item_position,
        price_list,
        size,
        product_written,
        price
    from current_items_parsed
    union all
    select
        till_line_id,
        item_position,
        price_list,
        size,
        product_written,
        price
    from pilot_items_parsed
),

items_named as (
    select
        till_line_id,
        item_position,
        price_list,
        price,
        product_written is not null and price is not null as is_parsed,
        concat_ws(' ', nullif(size, ''), product_written) as item_name
    from items
),

looked_up as (
    select
        {{ generate_surrogate_key(['items_named.till_line_id', 'items_named.item_position']) }}
            as basket_item_id,
        items_named.till_line_id,
        items_named.item_position,
        items_named.item_name,
        items_named.price,
        price_list.price as list_price,
        case
            when price_list.item_name is not null then {{ generate_surrogate_key(['price_list.item_name']) }}
        end as product_id,
        case
            when not items_named.is_parsed then 'unparseable_item'
            when price_list.item_name is null then 'unknown_product'
            when items_named.price != price_list.price then 'price_mismatch'
        end as item_issue
    from items_named
    left join price_list
        on
            items_named.price_list = price_list.price_list
            and items_named.item_name = price_list.item_name
)

select * from looked_up
