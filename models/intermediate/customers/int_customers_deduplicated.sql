{#-
    A table, though it only filters int_customers_classified: half the width for the snapshot, dim_customers and
    the transaction lookup that read it, a key enforced by a unique index and NOT NULL tested columns
    (enforce_not_null), so its unique and not_null tests read the catalog instead of filtering 5M rows each.
-#}
{{ config(indexes=[{'columns': ['customer_id'], 'unique': true}]) }}

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
