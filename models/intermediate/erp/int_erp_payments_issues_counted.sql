{#-
    The captured versions of the ERP's payments and their issues (int_erp_payments_checked) in the common long
    shape of the data-quality marts (macro row_issues_counted). What each value means is seed data_quality_rules
    (source_name erp.payment), not here.
-#}
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = ['record_status', 'orphan_key', 'invalid_date', 'payment_mismatch'] -%}

with

checked as (
    select * from {{ ref('int_erp_payments_checked') }}
),

{{ row_issues_counted('erp.payment', 'checked', issue_columns) }}

select * from row_issues
