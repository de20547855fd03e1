-- The analyst role reads no personal data: no column it may select, in any schema, is called like a name, an
-- e-mail address, a contact or a manager, other than the names of things (a country, a branch, a product, a
-- company...). Column privileges count: erp.dim_staff is readable, but not its name and e-mail columns.
-- It runs after every mart of the domains that are on (var domains) is built:
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('fct_transactions') }}
-- depends_on: {{ ref('rpt_customer_spending') }}
-- depends_on: {{ ref('rpt_high_value_customers') }}
-- depends_on: {{ ref('rpt_high_value_customers_by_country') }}
-- depends_on: {{ ref('rpt_high_value_customers_by_age_band') }}
-- depends_on: {{ ref('rpt_data_quality') }}
-- depends_on: {{ ref('rpt_data_quality_issues') }}
{% if var('tills_enabled') -%}
-- depends_on: {{ ref('dim_tills_branches') }}
-- depends_on: {{ ref('dim_tills_products') }}
-- depends_on: {{ ref('fct_tills_orders') }}
-- depends_on: {{ ref('fct_tills_order_items') }}
-- depends_on: {{ ref('rpt_tills_branch_ranking') }}
-- depends_on: {{ ref('rpt_tills_top_products') }}
-- depends_on: {{ ref('rpt_tills_card_holders') }}
-- depends_on: {{ ref('rpt_tills_average_spend') }}
-- depends_on: {{ ref('rpt_tills_daily_revenue') }}
-- depends_on: {{ ref('rpt_tills_weekly_revenue') }}
-- depends_on: {{ ref('rpt_tills_hourly_trade') }}
-- depends_on: {{ ref('rpt_tills_top_products_by_branch') }}
-- depends_on: {{ ref('rpt_tills_top_products_by_hour') }}
-- depends_on: {{ ref('rpt_tills_file_reconciliation') }}
{% endif -%}
{% if var('erp_enabled') -%}
-- depends_on: {{ ref('dim_staff') }}
-- depends_on: {{ ref('dim_counterparty') }}
-- depends_on: {{ ref('fact_sales_order') }}
-- depends_on: {{ ref('fact_purchase_order') }}
-- depends_on: {{ ref('fact_payment') }}
-- depends_on: {{ ref('rpt_erp_monthly_trade') }}
-- depends_on: {{ ref('rpt_erp_top_designs') }}
-- depends_on: {{ ref('rpt_erp_outstanding_payments') }}
{% endif -%}
{%- set analyst_role = env_var('WAREHOUSE_ANALYST_ROLE', 'analyst') %}

with

warehouse_columns as (
    select
        table_schema,
        table_name,
        column_name
    from information_schema.columns
    where table_schema not in ('pg_catalog', 'information_schema')
),

analyst_columns as (
    select
        table_schema,
        table_name,
        column_name
    from warehouse_columns
    where has_column_privilege(
        {{ dbt.string_literal(analyst_role) }},
        quote_ident(table_schema) || '.' || quote_ident(table_name),
        column_name,
        'select'
    )
)

select
    table_schema,
    table_name,
    column_name
from analyst_columns
where
    (
        column_name like '%name%'
        or column_name like '%email%'
        or column_name like '%contact%'
        or column_name = 'manager'
    )
    and column_name not in (
        'country_name',
        'source_name',
        'branch_name',
        'product_name',
        'item_name',
        'department_name',
        'design_name',
        'currency_name',
        'payment_type_name',
        'counterparty_legal_name',
        'day_name',
        'month_name',
        'file_name'
    )
