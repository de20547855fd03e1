{#-
    The captured versions of the ERP's sales orders in the common long shape of the data-quality marts (macro
    row_issues_counted): every version is a fact row (current, or superseded by a later one), and a version whose
    key points at no captured row of its table, or whose agreed date is no date, is counted by the issue. What
    each value means is seed data_quality_rules (source_name erp.sales_order), not here.
-#}
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = ['record_status', 'orphan_key', 'invalid_date'] -%}

with

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

designs as (
    select * from {{ ref('stg_erp__designs') }}
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

latest_sales_orders as (
    {{ latest_versions('sales_orders', 'sales_order_id') }}
),

checked as (
    select
        sales_orders.load_id,
        {{ dlt_load_time('sales_orders.load_id') }} as loaded_at,
        case
            when exists (
                select 1 from latest_sales_orders
                where latest_sales_orders.sales_order_version_id = sales_orders.sales_order_version_id
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
        end as invalid_date
    from sales_orders
),

{{ row_issues_counted('erp.sales_order', 'checked', issue_columns) }}

select * from row_issues
