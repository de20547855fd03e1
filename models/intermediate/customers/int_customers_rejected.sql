-- A view: one filter of the table int_customers_classified; copying millions of its rows into a table
-- of their own would cost more than the filter costs the models and tests that read it.
{{ config(materialized='view') }}

with

classified_customers as (
    select * from {{ ref('int_customers_classified') }}
),

rejected as (
    select
        customer_record_id,
        reject_reason,
        source_file,
        line_number,
        file_modified_at,
        file_sha256,
        exported_at,
        loaded_at,
        load_id
    from classified_customers
    where record_status = 'rejected'
)

select * from rejected
