-- A view: one filter of the table int_customers_classified; copying millions of its rows into a table
-- of their own would cost more than the filter costs the models and tests that read it.
{{ config(materialized='view') }}

with

classified_customers as (
    select * from {{ ref('int_customers_classified') }}
),

current_versions as (
    select
        customer_id,
        customer_name,
        age,
        country_code,
        country_name,
        is_active,
        source_file,
        line_number,
        file_modified_at,
        loaded_at,
        load_id,
        customer_first_loaded_at
    from classified_customers
    where record_status = 'current'
)

select * from current_versions
