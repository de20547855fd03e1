{#-
    The current state of each sales order: its latest version in fact_sales_order (by last_updated; one row per
    sales_order_id).
-#}
{{ config(materialized='view') }}

with

versions as (
    select * from {{ ref('fact_sales_order') }}
),

latest_versions as (
    {{ latest_versions('versions', 'sales_order_id', ['last_updated_date', 'last_updated_time']) }}
),

final as (
    select
        sales_record_id,
        sales_order_id,
        created_date,
        created_time,
        last_updated_date,
        last_updated_time,
        sales_staff_id,
        counterparty_id,
        units_sold,
        unit_price,
        currency_id,
        design_id,
        agreed_payment_date,
        agreed_delivery_date,
        agreed_delivery_location_id,
        load_id
    from latest_versions
)

select * from final
