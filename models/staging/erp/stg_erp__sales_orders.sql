{#- Materialized incremental: each captured version is parsed once (macro completed_loads_to_append). -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        indexes=[{'columns': ['sales_order_version_id'], 'unique': true}],
    )
}}

with

source as (
    select * from {{ source('erp', 'sales_order') }}
    where {{ completed_loads_to_append('_dlt_load_id') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'sales_order_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as sales_order_version_id,
        cast(sales_order_id as integer) as sales_order_id,
        cast(design_id as integer) as design_id,
        cast(staff_id as integer) as staff_id,
        cast(counterparty_id as integer) as counterparty_id,
        cast(units_sold as integer) as units_sold,
        cast(unit_price as numeric(10, 2)) as unit_price,
        cast(currency_id as integer) as currency_id,
        {{ parse_date('trim(agreed_delivery_date)') }} as agreed_delivery_date,
        agreed_delivery_date as agreed_delivery_date_as_written,
        {{ parse_date('trim(agreed_payment_date)') }} as agreed_payment_date,
        agreed_payment_date as agreed_payment_date_as_written,
        cast(agreed_delivery_location_id as integer) as agreed_delivery_location_id,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
