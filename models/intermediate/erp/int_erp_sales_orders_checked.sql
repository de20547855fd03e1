{#-
    Every captured version of the ERP's sales orders with its issues: current or superseded by a later version; the
    key that points at no captured row of its table (orphan_key); an agreed date that is no date. What each value
    means is seed data_quality_rules (source_name erp.sales_order), not here. Incremental, so a refresh checks what
    one day changed, not every version again: a run rechecks every version of the sales orders the ERP's loads since
    the last check captured, and those still pointing at no captured row (macro versions_to_check).
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        incremental_strategy='delete+insert',
        unique_key='sales_order_version_id',
        contract={'enforced': false},
        indexes=[{'columns': ['sales_order_version_id'], 'unique': true}, {'columns': ['sales_order_id']}],
    )
}}
{%- set new_load_ids = new_erp_load_ids([ref('stg_erp__sales_orders')]) %}

with

-- not materialized: read more than once, Postgres would otherwise copy each import out of its table, losing
-- the table's indexes and statistics (a plan of hours instead of seconds)
sales_order_versions as not materialized (
    select * from {{ ref('stg_erp__sales_orders') }}
),

designs as not materialized (
    select * from {{ ref('stg_erp__designs') }}
),

staff as not materialized (
    select * from {{ ref('stg_erp__staff') }}
),

counterparties as not materialized (
    select * from {{ ref('stg_erp__counterparties') }}
),

currencies as not materialized (
    select * from {{ ref('stg_erp__currencies') }}
),

addresses as not materialized (
    select * from {{ ref('stg_erp__addresses') }}
),

latest_sales_orders as not materialized (
    select * from {{ ref('int_erp_sales_orders_latest') }}
),

{{ checked_through([ref('stg_erp__sales_orders')]) }}

{{ versions_to_check('sales_order_versions', 'sales_order_id', new_load_ids) }}

final as (
    select
        sales_orders.sales_order_version_id,
        sales_orders.sales_order_id,
        sales_orders.load_id,
        {{ dlt_load_time('sales_orders.load_id') }} as loaded_at,
        case
            when exists (
                select 1 from latest_sales_orders
                where
                    latest_sales_orders.sales_order_id = sales_orders.sales_order_id
                    and latest_sales_orders.sales_order_version_id = sales_orders.sales_order_version_id
            ) then 'current'
            else 'superseded'
        end as record_status,
        case
            when not exists (
                select 1 from designs
                where designs.design_id = sales_orders.design_id
            ) then 'design_id'
            when not exists (
                select 1 from staff
                where staff.staff_id = sales_orders.staff_id
            ) then 'staff_id'
            when not exists (
                select 1 from counterparties
                where counterparties.counterparty_id = sales_orders.counterparty_id
            ) then 'counterparty_id'
            when not exists (
                select 1 from currencies
                where currencies.currency_id = sales_orders.currency_id
            ) then 'currency_id'
            when not exists (
                select 1 from addresses
                where addresses.address_id = sales_orders.agreed_delivery_location_id
            ) then 'agreed_delivery_location_id'
        end as orphan_key,
        case
            when sales_orders.agreed_delivery_date is null then 'agreed_delivery_date'
            when sales_orders.agreed_payment_date is null then 'agreed_payment_date'
        end as invalid_date,
        (select checked_through.load_id from checked_through) as checked_through_load_id
    from versions_to_check as sales_orders
)

select * from final
