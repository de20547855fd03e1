{#-
    The Sales star's fact: one row per captured version of a sales order (facts keep history: a correction of
    units, price or dates is a new row beside the original), fact_sales_order_current the latest of each.
    Incremental, by the rules of macros/utils/fact_versions.sql: a run appends the versions of completed loads
    not here yet, numbered on from the highest sales_record_id.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        indexes=[
            {'columns': ['sales_order_id', 'last_updated_date', 'last_updated_time'], 'unique': true},
        ],
    )
}}

with

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

completed_loads as (
    select * from {{ ref('stg_erp__loads') }}
),

new_versions as (
    select
        sales_orders.sales_order_id,
        sales_orders.created_at,
        sales_orders.last_updated,
        sales_orders.staff_id,
        sales_orders.counterparty_id,
        sales_orders.units_sold,
        sales_orders.unit_price,
        sales_orders.currency_id,
        sales_orders.design_id,
        sales_orders.agreed_payment_date,
        sales_orders.agreed_delivery_date,
        sales_orders.agreed_delivery_location_id,
        sales_orders.load_id
    from sales_orders
    where {{ versions_to_append('sales_orders', 'sales_order_id', 'completed_loads') }}
),

numbered as (
    select
        {{ version_record_id('sales_record_id', 'sales_order_id') }} as sales_record_id,
        sales_order_id,
        cast(created_at as date) as created_date,
        cast(created_at as time) as created_time,
        cast(last_updated as date) as last_updated_date,
        cast(last_updated as time) as last_updated_time,
        staff_id as sales_staff_id,
        counterparty_id,
        units_sold,
        unit_price,
        currency_id,
        design_id,
        agreed_payment_date,
        agreed_delivery_date,
        agreed_delivery_location_id,
        load_id
    from new_versions
)

select * from numbered
