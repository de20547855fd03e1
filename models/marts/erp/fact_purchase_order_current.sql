{#-
    The current state of each purchase order: its latest version in fact_purchase_order (by last_updated; one row per
    purchase_order_id).
-#}
{{ config(materialized='view') }}

with

versions as (
    select * from {{ ref('fact_purchase_order') }}
),

latest_versions as (
    {{ latest_versions('versions', 'purchase_order_id', ['last_updated_date', 'last_updated_time']) }}
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
