{#-
    Every raw till line once, with its outcome: clean, rejected (reject_reason, the first that applies) or
    stale_version (a line of an earlier delivery of a file the branch sent again under the same name with other
    content: the latest delivery of a name holds its lines).
    The reasons, in order (docs/data_rules.md, "Branch tills"; seed data_quality_rules):
    duplicate_file, invalid_timestamp, unknown_branch, invalid_total, invalid_payment_method, unparseable_basket,
    unknown_product, price_mismatch, total_mismatch.
    A duplicate_file line repeats a line of another file of the branch that was delivered first - the same time,
    basket, total and payment method (not the card: Excel destroys its number in a re-saved copy) - a second
    export of the day. A file split in two (a till restarted at noon) keeps its own orders, and a re-export with
    one more order keeps that order. A copy with the same bytes never gets here: the loader skips content it has
    loaded.
-#}
with

current_orders as (
    select * from {{ ref('stg_tills__current_orders') }}
),

pilot_orders as (
    select * from {{ ref('stg_tills__pilot_orders') }}
),

order_items as (
    select * from {{ ref('int_tills_order_items_parsed') }}
),

branch_aliases as (
    select * from {{ ref('tills_branch_aliases') }}
),

order_lines as (
    {%- for layout_model in ['current_orders', 'pilot_orders'] %}
        select
            till_line_id,
            order_id,
            ordered_at,
            branch_name_as_written,
            basket,
            total,
            payment_method,
            card_holder,
            layout,
            source_file,
            line_number,
            file_sha256,
            load_id,
            loaded_at
        from {{ layout_model }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

baskets as (
    select
        till_line_id,
        cast(count(*) as integer) as item_count,
        sum(price) as item_sum,
        {{ dbt.bool_or("coalesce(item_issue = 'unparseable_item', false)") }} as has_unparseable_item,
        {{ dbt.bool_or("coalesce(item_issue = 'unknown_product', false)") }} as has_unknown_product,
        {{ dbt.bool_or("coalesce(item_issue = 'price_mismatch', false)") }} as has_price_mismatch
    from order_items
    group by till_line_id
),

lines_named as (
    select
        order_lines.till_line_id,
        order_lines.order_id,
        order_lines.ordered_at,
        order_lines.branch_name_as_written,
        branch_aliases.branch_name,
        order_lines.basket,
        order_lines.total,
        order_lines.payment_method,
        order_lines.card_holder,
        order_lines.layout,
        order_lines.source_file,
        order_lines.line_number,
        order_lines.file_sha256,
        order_lines.load_id,
        order_lines.loaded_at,
        coalesce(baskets.item_count, 0) as item_count,
        baskets.item_sum,
        coalesce(baskets.has_unparseable_item, true) as has_unparseable_basket,
        coalesce(baskets.has_unknown_product, false) as has_unknown_product,
        coalesce(baskets.has_price_mismatch, false) as has_price_mismatch
    from order_lines
    left join branch_aliases
        on lower(order_lines.branch_name_as_written) = branch_aliases.alias
    left join baskets
        on order_lines.till_line_id = baskets.till_line_id
),

-- One delivery of a file: its name and bytes. The latest delivery of a name holds its lines; a name is as old
-- as its first delivery, so a corrected file keeps its place before a later export of the same day.
deliveries as (
    select
        source_file,
        file_sha256,
        min(loaded_at) as loaded_at
    from lines_named
    group by
        source_file,
        file_sha256
),

deliveries_ranked as (
    select
        source_file,
        file_sha256,
        min(loaded_at) over (partition by source_file) as first_delivered_at,
        row_number() over (
            partition by source_file order by loaded_at desc, file_sha256 asc
        ) = 1 as is_latest_delivery
    from deliveries
),

-- For each line of a latest delivery, the first-delivered file of the branch holding a line with the same
-- content (the name aside): another file's name marks a second export of the same orders.
lines_of_latest_deliveries as (
    select
        lines_named.till_line_id,
        lines_named.source_file,
        first_value(lines_named.source_file) over (
            partition by
                lines_named.branch_name,
                lines_named.ordered_at,
                lines_named.basket,
                lines_named.total,
                lines_named.payment_method
            order by deliveries_ranked.first_delivered_at asc, lines_named.source_file asc
        ) as first_file_with_the_line
    from lines_named
    inner join deliveries_ranked
        on
            lines_named.source_file = deliveries_ranked.source_file
            and lines_named.file_sha256 is not distinct from deliveries_ranked.file_sha256
    where deliveries_ranked.is_latest_delivery
),

classified as (
    select
        lines_named.till_line_id,
        lines_named.order_id,
        lines_named.ordered_at,
        lines_named.branch_name_as_written,
        lines_named.branch_name,
        lines_named.total,
        lines_named.payment_method,
        lines_named.card_holder,
        lines_named.layout,
        lines_named.source_file,
        lines_named.line_number,
        lines_named.file_sha256,
        lines_named.load_id,
        lines_named.loaded_at,
        lines_named.item_count,
        lines_named.item_sum,
        case
            when not deliveries_ranked.is_latest_delivery then 'stale_version'
            when latest_lines.first_file_with_the_line != lines_named.source_file then 'duplicate_file'
            when lines_named.ordered_at is null then 'invalid_timestamp'
            when lines_named.branch_name is null then 'unknown_branch'
            when lines_named.total is null then 'invalid_total'
            when lines_named.payment_method not in ('CARD', 'CASH') or lines_named.payment_method is null
                then 'invalid_payment_method'
            when lines_named.has_unparseable_basket then 'unparseable_basket'
            when lines_named.has_unknown_product then 'unknown_product'
            when lines_named.has_price_mismatch then 'price_mismatch'
            when lines_named.total != lines_named.item_sum then 'total_mismatch'
        end as outcome
    from lines_named
    inner join deliveries_ranked
        on
            lines_named.source_file = deliveries_ranked.source_file
            and lines_named.file_sha256 is not distinct from deliveries_ranked.file_sha256
    left join lines_of_latest_deliveries as latest_lines
        on lines_named.till_line_id = latest_lines.till_line_id
),

final as (
    select
        till_line_id,
        order_id,
        case
            when outcome = 'stale_version' then 'stale_version'
            when outcome is not null then 'rejected'
            else 'clean'
        end as record_status,
        case when outcome != 'stale_version' then outcome end as reject_reason,
        branch_name,
        branch_name_as_written,
        branch_name_as_written != branch_name as is_branch_alias,
        ordered_at,
        cast(ordered_at as date) as trading_date,
        payment_method,
        total,
        item_count,
        item_sum,
        case when payment_method = 'CARD' then card_holder end as card_holder,
        layout,
        source_file,
        line_number,
        file_sha256,
        load_id,
        loaded_at
    from classified
)

select * from final
