{#-
    The raw till lines in the common long shape of the data-quality marts: per load and combination of issue
    values, how many lines, one row per issue column (macro row_issues_counted). What each value means is seed
    data_quality_rules (source_name tills.order_lines), not here.
-#}
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = [
    'record_status',
    'reject_reason',
    'is_branch_alias',
    'is_excel_touched',
] -%}

with

classified_orders as (
    select * from {{ ref('int_tills_orders_classified') }}
),

-- Every issue column as text; a flag is 'true' when set, else null.
issue_values as (
    select
        load_id,
        loaded_at,
        record_status,
        reject_reason,
        case when is_branch_alias then 'true' end as is_branch_alias,
        case when layout = 'excel' then 'true' end as is_excel_touched
    from classified_orders
),

{{ row_issues_counted('tills.order_lines', 'issue_values', issue_columns) }}

select * from row_issues
