{#-
    The CRM export lines in the common long shape of the data-quality marts: per load and combination of issue
    values, how many lines, one row per issue column (macro row_issues_counted). What each value means - clean,
    an issue class, missing/invalid/integrity - is seed data_quality_rules (source_name crm.customers), not here.
-#}
-- No enforced contract: with one, Postgres builds the table by INSERT ... SELECT, which cannot use parallel
-- workers for the one scan of the classified rows (a third slower at scale 100). The key is unique-indexed.
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = [
    'record_status',
    'superseded_by',
    'reject_reason',
    'customer_id_issue',
    'name_issue',
    'age_issue',
    'country_issue',
    'is_active_issue',
    'is_customer_id_reformatted',
    'is_name_reformatted',
    'is_age_reformatted',
    'is_country_alias',
] -%}

with

classified_customers as (
    select * from {{ ref('int_customers_classified') }}
),

-- Every issue column as text; a flag is 'true' when set, else null.
issue_values as (
    select
        load_id,
        loaded_at,
        record_status,
        superseded_by,
        reject_reason,
        customer_id_issue,
        name_issue,
        age_issue,
        country_issue,
        is_active_issue,
        case when is_customer_id_reformatted then 'true' end as is_customer_id_reformatted,
        case when is_name_reformatted then 'true' end as is_name_reformatted,
        case when is_age_reformatted then 'true' end as is_age_reformatted,
        case when is_country_alias then 'true' end as is_country_alias
    from classified_customers
),

{{ row_issues_counted('crm.customers', 'issue_values', issue_columns) }}

select * from row_issues
