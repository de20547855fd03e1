{#- Materialized incremental: each captured version is parsed once (macro completed_loads_to_append). -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        indexes=[{'columns': ['transaction_version_id'], 'unique': true}],
    )
}}

with

source as (
    select * from {{ source('erp', 'transaction') }}
    where {{ completed_loads_to_append('_dlt_load_id') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'transaction_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as transaction_version_id,
        cast(transaction_id as integer) as transaction_id,
        cast(transaction_type as {{ dbt.type_string() }}) as transaction_type,
        cast(sales_order_id as integer) as sales_order_id,
        cast(purchase_order_id as integer) as purchase_order_id,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
