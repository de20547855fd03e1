{#-
    Every raw transaction row with what became of it (data_rules.md, "Transactions"):
    stale_version    replaced by a later capture of its key range of the source (an update, a delete, a late row)
    exact_duplicate  identical in all four source columns to an earlier-loaded row (the first copy is kept)
    rejected         the first reason that applies, in this order: conflicting_duplicate_key (one transaction_id
                     with different values: every version), missing_customer_id, customer_id_too_long (longer
                     than var max_customer_id_length), unknown_customer (not a clean, deduplicated customer),
                     missing_amount, unparseable_amount, non_positive_amount, amount_out_of_range,
                     missing_date, invalid_date, future_date (after the shop's day when the build runs:
                     macro source_today, so a row rejected as future becomes valid when its day comes)
    valid            everything else: the clean transactions
    Copies and versions are numbered in int_transactions_versioned; this model adds the customer lookup.
-#}
-- The key is unique-indexed after the rows are written (dbt-postgres `indexes`); as a contract primary key
-- it would be maintained row by row during the insert: 40 s more at 10M rows (docs/performance.md).
{{ config(indexes=[{'columns': ['transaction_record_id'], 'unique': true}]) }}

with

transactions as (
    select * from {{ ref('int_transactions_versioned') }}
),

customers as (
    select * from {{ ref('int_customers_deduplicated') }}
),

classified as (
    select
        transactions.transaction_record_id,
        transactions.transaction_id,
        transactions.customer_id,
        transactions.amount,
        transactions.transaction_date,
        transactions.loaded_at,
        transactions.load_id,
        transactions.amount_issue,
        -- judged as of the build, not as of the load: a future date becomes valid when its day comes
        {{ date_issue_as_of(
            'transactions.transaction_date', 'transactions.transaction_date_issue', source_today()
        ) }} as transaction_date_issue,
        transactions.is_customer_id_reformatted,
        transactions.is_amount_reformatted,
        transactions.is_transaction_date_reformatted,
        -- computed here, not in staging: the incremental int_transactions_versioned keeps its columns
        {{ customer_id_issue('transactions.customer_id') }} as customer_id_issue,
        customers.customer_id is not null as is_known_customer,
        transactions.is_stale_version,
        case
            when transactions.is_stale_version then null
            when transactions.copy_number > 1 then null
            when transactions.version_count > 1 then 'conflicting_duplicate_key'
            when transactions.customer_id is null then 'missing_customer_id'
            when {{ customer_id_issue('transactions.customer_id') }} = 'too_long' then 'customer_id_too_long'
            when customers.customer_id is null then 'unknown_customer'
            when transactions.amount_issue is not null then transactions.amount_issue
            else {{ date_issue_as_of(
                'transactions.transaction_date', 'transactions.transaction_date_issue', source_today()
            ) }}
        end as reject_reason,
        transactions.copy_number > 1 as is_exact_duplicate
    from transactions
    left join customers
        on transactions.customer_id = customers.customer_id
),

final as (
    select
        transaction_record_id,
        transaction_id,
        customer_id,
        amount,
        transaction_date,
        loaded_at,
        load_id,
        amount_issue,
        transaction_date_issue,
        is_customer_id_reformatted,
        is_amount_reformatted,
        is_transaction_date_reformatted,
        customer_id_issue,
        is_known_customer,
        reject_reason,
        case
            when is_stale_version then 'stale_version'
            when is_exact_duplicate then 'exact_duplicate'
            when reject_reason is not null then 'rejected'
            else 'valid'
        end as record_status
    from classified
)

select * from final
