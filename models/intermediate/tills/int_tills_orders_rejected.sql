{#- The rejected till lines with their reason. A view: one filter of int_tills_orders_classified. -#}
{{ config(materialized='view') }}

with

classified_orders as (
    select * from {{ ref('int_tills_orders_classified') }}
),

rejected as (
    select
        till_line_id,
        order_id,
        reject_reason,
        branch_name_as_written,
        ordered_at,
        total,
        item_sum,
        source_file,
        line_number,
        file_sha256,
        load_id,
        loaded_at
    from classified_orders
    where record_status = 'rejected'
)

select * from rejected
