-- Marts never expose personal names: no column of a relation in the marts schema is called like a name.
-- It runs after every mart is built:
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('fct_transactions') }}
-- depends_on: {{ ref('rpt_customer_spending') }}
-- depends_on: {{ ref('rpt_high_value_customers') }}
-- depends_on: {{ ref('rpt_high_value_customers_by_country') }}
-- depends_on: {{ ref('rpt_high_value_customers_by_age_band') }}
-- depends_on: {{ ref('rpt_data_quality') }}
-- depends_on: {{ ref('rpt_data_quality_issues') }}
{%- set marts_schema = generate_schema_name('marts', none) | trim %}

with

mart_columns as (
    select
        table_name,
        column_name
    from information_schema.columns
    where table_schema = '{{ marts_schema }}'
)

select
    table_name,
    column_name
from mart_columns
where
    column_name like '%name%'
    and column_name not in ('country_name', 'source_name')
