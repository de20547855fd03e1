{#-
    The latest captured version of each sales order (the order of macro latest_versions: the load, then
    last_updated), kept incrementally: a run reads the versions of loads newer than the newest here and replaces
    the rows of their keys - a later load saw the source after an earlier one. So the data-quality checks and the
    dimensions read one table instead of ranking every version on every run.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        incremental_strategy='delete+insert',
        unique_key='sales_order_id',
        contract={'enforced': false},
        indexes=[{'columns': ['sales_order_id'], 'unique': true}],
    )
}}

with

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
    where {{ loads_newer_than_here('load_id') }}
),

latest_sales_orders as (
    {{ latest_versions('sales_orders', 'sales_order_id') }}
),

final as (
    select
        sales_order_version_id,
        sales_order_id,
        design_id,
        staff_id,
        counterparty_id,
        units_sold,
        unit_price,
        currency_id,
        agreed_delivery_date,
        agreed_delivery_date_as_written,
        agreed_payment_date,
        agreed_payment_date_as_written,
        agreed_delivery_location_id,
        created_at,
        last_updated,
        load_id,
        loaded_at
    from latest_sales_orders
)

select * from final
