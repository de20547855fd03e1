{#-
    The raw transaction rows in the common long shape of the data-quality marts: per load and combination of
    issue values, how many rows, one row per issue column (macro row_issues_counted). What each value means -
    clean, an issue class, missing/invalid/integrity - is seed data_quality_rules (source_name shop.transactions),
    not here.
-#}
-- No enforced contract: with one, Postgres builds the table by INSERT ... SELECT, which cannot use parallel
-- workers for the one scan of the classified rows (a third slower at scale 100). The key is unique-indexed.
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = [
    'record_status',
    'reject_reason',
    'customer_id_issue',
    'amount_issue',
    'transaction_date_issue',
    'is_customer_id_reformatted_known',
    'is_amount_reformatted',
    'is_transaction_date_reformatted',
] -%}

with

classified_transactions as (
    select * from {{ ref('int_transactions_classified') }}
),

-- Every issue column as text; a flag is 'true' when set, else null. A reformatted customer_id counts only for
-- a known customer (the sample's customer_id_noise class).
issue_values as (
    select
        load_id,
        loaded_at,
        record_status,
        reject_reason,
        customer_id_issue,
        amount_issue,
        transaction_date_issue,
        case
            when is_customer_id_reformatted and is_known_customer then 'true'
        end as is_customer_id_reformatted_known,
        case when is_amount_reformatted then 'true' end as is_amount_reformatted,
        case when is_transaction_date_reformatted then 'true' end as is_transaction_date_reformatted
    from classified_transactions
),

{{ row_issues_counted('shop.transactions', 'issue_values', issue_columns) }}

select * from row_issues
