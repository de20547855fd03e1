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
            when sales_orders.sales_order_version_id in (
                select latest_sales_orders.sales_order_version_id from latest_sales_orders
            ) then 'current'
            else 'superseded'
        end as record_status,
        case
            when sales_orders.design_id not in (select designs.design_id from designs) then 'design_id'
            when sales_orders.staff_id not in (select staff.staff_id from staff) then 'staff_id'
            when sales_orders.counterparty_id not in (
                select counterparties.counterparty_id from counterparties
            ) then 'counterparty_id'
            when sales_orders.currency_id not in (
                select currencies.currency_id from currencies
            ) then 'currency_id'
            when sales_orders.agreed_delivery_location_id not in (
                select addresses.address_id from addresses
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
