{#- One row per clean order of the café chain's tills (int_tills_orders_classified, record_status clean). -#}
{{ config(alias='orders') }}

with

classified_orders as (
    select * from {{ ref('int_tills_orders_classified') }}
),

branches as (
    select * from {{ ref('dim_tills_branches') }}
),

final as (
    select
        classified_orders.order_id,
        branches.branch_id,
        classified_orders.ordered_at,
        classified_orders.trading_date,
        classified_orders.payment_method,
        cast(classified_orders.total as numeric(10, 2)) as total,
        classified_orders.item_count,
        classified_orders.card_holder,
        classified_orders.source_file,
        classified_orders.line_number,
        classified_orders.file_sha256,
        classified_orders.layout,
        classified_orders.load_id
    from classified_orders
    inner join branches
        on classified_orders.branch_name = branches.branch_name
    where classified_orders.record_status = 'clean'
)

select * from final
