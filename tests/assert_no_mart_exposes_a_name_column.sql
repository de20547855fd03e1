-- Marts never expose personal names: no column of a relation in the marts or tills schema is called like a
-- name, other than the names of a country, a source, a branch or a product.
-- It runs after every mart is built:
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('fct_transactions') }}
-- depends_on: {{ ref('rpt_customer_spending') }}
-- depends_on: {{ ref('rpt_high_value_customers') }}
-- depends_on: {{ ref('rpt_high_value_customers_by_country') }}
-- depends_on: {{ ref('rpt_high_value_customers_by_age_band') }}
-- depends_on: {{ ref('rpt_data_quality') }}
-- depends_on: {{ ref('rpt_data_quality_issues') }}
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
{%- set marts_schema = generate_schema_name('marts', none) | trim %}
{%- set tills_schema = generate_schema_name('tills', none) | trim %}

with

mart_columns as (
    select
        table_schema,
        table_name,
        column_name
    from information_schema.columns
    where table_schema in ('{{ marts_schema }}', '{{ tills_schema }}')
)

select
    table_schema,
    table_name,
    column_name
from mart_columns
where
    column_name like '%name%'
    and column_name not in ('country_name', 'source_name', 'branch_name', 'product_name', 'item_name')
