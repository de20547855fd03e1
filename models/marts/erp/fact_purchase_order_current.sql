{#-
    The current state of each purchase order: its latest version in fact_purchase_order, the one with the highest
    purchase_record_id (numbered in the order of the loads that captured them, then last_updated).
-#}
{{ config(materialized='view') }}

with

versions as (
    select * from {{ ref('fact_purchase_order') }}
),

latest_versions as (
    {{ latest_versions('versions', 'purchase_order_id', ['purchase_record_id']) }}
),

final as (
    select
        purchase_record_id,
        purchase_order_id,
        created_date,
        created_time,
        last_updated_date,
        last_updated_time,
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
    from latest_versions
)

select * from final
