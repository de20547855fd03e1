{#-
    The Purchases star's fact: one row per captured version of a purchase order (facts keep history: a correction
    of quantity, price or dates is a new row beside the original), fact_purchase_order_current the latest of each.
    Incremental: a run appends the versions raw holds that are not here yet - by version, not by load id, so a
    version landed late by a load completed later is still appended - and numbers them on from the highest
    purchase_record_id in the order of their load, their last_updated and their id: a full rebuild numbers them the
    same way.
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

new_versions as (
    select
        purchase_order_id,
        created_at,
        last_updated,
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
    from purchase_orders
    {% if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as loaded
            where
                loaded.purchase_order_id = purchase_orders.purchase_order_id
                and loaded.last_updated_date = cast(purchase_orders.last_updated as date)
                and loaded.last_updated_time = cast(purchase_orders.last_updated as time)
        )
    {% endif %}
),

numbered as (
    select
        {% if is_incremental() %}
            (select coalesce(max(loaded.purchase_record_id), 0) from {{ this }} as loaded)
        {% else %}
            0
        {% endif %}
        + cast(row_number() over (
            order by cast(load_id as numeric), last_updated, purchase_order_id
        ) as integer) as purchase_record_id,
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
