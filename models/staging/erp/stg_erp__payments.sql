{#- Materialized incremental: each captured version is parsed once (macro completed_loads_to_append). -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        indexes=[{'columns': ['payment_version_id'], 'unique': true}],
    )
}}

with

source as (
    select * from {{ source('erp', 'payment') }}
    where {{ completed_loads_to_append('_dlt_load_id') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'payment_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as payment_version_id,
        cast(payment_id as integer) as payment_id,
        cast(transaction_id as integer) as transaction_id,
        cast(counterparty_id as integer) as counterparty_id,
        cast(payment_amount as numeric(10, 2)) as payment_amount,
        cast(currency_id as integer) as currency_id,
        cast(payment_type_id as integer) as payment_type_id,
        paid,
        {{ parse_date('trim(payment_date)') }} as payment_date,
        payment_date as payment_date_as_written,
        cast(company_ac_number as integer) as company_ac_number,
        cast(counterparty_ac_number as integer) as counterparty_ac_number,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
