{#-
    The Purchases star's fact: one row per captured version of a purchase order (facts keep history: a correction
    of quantity, price or dates is a new row beside the original), fact_purchase_order_current the latest of each.
    Incremental, by the rules of macros/utils/fact_versions.sql: a run appends the versions of completed loads
    not here yet, numbered on from the highest purchase_record_id.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        indexes=[
            {'columns': ['purchase_order_id', 'last_updated_date', 'last_updated_time'], 'unique': true},
        ],
    )
}}

with

purchase_orders as (
    select * from {{ ref('stg_erp__purchase_orders') }}
),

completed_loads as (
    select * from {{ ref('stg_erp__loads') }}
),

new_versions as (
    select
        purchase_orders.purchase_order_id,
        purchase_orders.created_at,
        purchase_orders.last_updated,
        purchase_orders.staff_id,
        purchase_orders.counterparty_id,
        purchase_orders.item_code,
        purchase_orders.item_quantity,
        purchase_orders.item_unit_price,
        purchase_orders.currency_id,
        purchase_orders.agreed_delivery_date,
        purchase_orders.agreed_payment_date,
        purchase_orders.agreed_delivery_location_id,
        purchase_orders.load_id
    from purchase_orders
    where {{ versions_to_append('purchase_orders', 'purchase_order_id', 'completed_loads') }}
),

numbered as (
    select
        {{ version_record_id('purchase_record_id', 'purchase_order_id') }} as purchase_record_id,
        purchase_order_id,
        cast(created_at as date) as created_date,
        cast(created_at as time) as created_time,
        cast(last_updated as date) as last_updated_date,
        cast(last_updated as time) as last_updated_time,
        staff_id,
        counterparty_id,
        item_code,
        item_quantity,
        item_unit_price,
        currency_id,
        agreed_delivery_date,
        agreed_payment_date,
        agreed_delivery_location_id,
        load_id
    from new_versions
)

select * from numbered
