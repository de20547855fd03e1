{#-
    Every source's rows in the common long shape of the data-quality marts, unioned: the one list of the models
    that expose a source to rpt_data_quality and rpt_data_quality_issues. A new source adds its model here (under
    its domain's var) and its rows to seed data_quality_rules (data_rules.md, "Data quality of a new source").
    A domain that is off (var <domain>_enabled false) has its models disabled and is left out: a ref to a
    disabled model fails the parse.
-#}
-- A view: the models it unions hold a few hundred rows each.
{{ config(materialized='view') }}

{%- set row_issue_models = ['int_customers_issues_counted', 'int_transactions_issues_counted'] %}
{%- if var('tills_enabled') %}
    {%- do row_issue_models.append('int_tills_issues_counted') %}
{%- endif %}
{%- if var('erp_enabled') %}
    {%- do row_issue_models.extend([
        'int_erp_sales_orders_issues_counted',
        'int_erp_purchase_orders_issues_counted',
        'int_erp_payments_issues_counted',
    ]) %}
{%- endif %}

with

{% for model in row_issue_models %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),

{% endfor %}
unioned as (
    {%- for model in row_issue_models %}
        select
            row_issue_id,
            source_name,
            load_id,
            loaded_at,
            issue_profile_id,
            issue_column,
            issue_value,
            row_count
        from {{ model }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from unioned
