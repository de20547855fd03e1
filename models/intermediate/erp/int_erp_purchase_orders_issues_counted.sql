{#-
    The captured versions of the ERP's purchase orders in the common long shape of the data-quality marts (macro
    row_issues_counted): every version is a fact row (current, or superseded by a later one), and a version whose
    key points at no captured row of its table, or whose agreed date is no date, is counted by the issue. What
    each value means is seed data_quality_rules (source_name erp.purchase_order), not here.
-#}
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = ['record_status', 'orphan_key', 'invalid_date'] -%}

with

purchase_orders as (
    select * from {{ ref('stg_erp__purchase_orders') }}
),

staff as (
    select * from {{ ref('stg_erp__staff') }}
),

counterparties as (
    select * from {{ ref('stg_erp__counterparties') }}
),

currencies as (
    select * from {{ ref('stg_erp__currencies') }}
),

addresses as (
    select * from {{ ref('stg_erp__addresses') }}
),

latest_purchase_orders as (
    {{ latest_versions('purchase_orders', 'purchase_order_id') }}
),

checked as (
    select
        purchase_orders.load_id,
        {{ dlt_load_time('purchase_orders.load_id') }} as loaded_at,
        case
            when exists (
                select 1 from latest_purchase_orders as latest
                where latest.purchase_order_version_id = purchase_orders.purchase_order_version_id
            ) then 'current'
            else 'superseded'
        end as record_status,
        case
            when not exists (
                select 1 from staff
                where staff.staff_id = purchase_orders.staff_id
            ) then 'staff_id'
            when not exists (
                select 1 from counterparties
                where counterparties.counterparty_id = purchase_orders.counterparty_id
            ) then 'counterparty_id'
            when not exists (
                select 1 from currencies
                where currencies.currency_id = purchase_orders.currency_id
            ) then 'currency_id'
            when not exists (
                select 1 from addresses
                where addresses.address_id = purchase_orders.agreed_delivery_location_id
            ) then 'agreed_delivery_location_id'
        end as orphan_key,
        case
            when purchase_orders.agreed_delivery_date is null then 'agreed_delivery_date'
            when purchase_orders.agreed_payment_date is null then 'agreed_payment_date'
        end as invalid_date
    from purchase_orders
),

{{ row_issues_counted('erp.purchase_order', 'checked', issue_columns) }}

select * from row_issues
