{#-
    The current state of each sales order: its latest version in fact_sales_order, the one with the highest
    sales_record_id (numbered in the order of the loads that captured them, then last_updated).
-#}
{{ config(materialized='view') }}

with

versions as (
    select * from {{ ref('fact_sales_order') }}
),

latest_versions as (
    {{ latest_versions('versions', 'sales_order_id', ['sales_record_id']) }}
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
