{#-
    Every raw transaction row with what became of it (data_rules.md, "Transactions"):
    exact_duplicate  identical in all four source columns to an earlier-loaded row (the first copy is kept)
    rejected         the first reason that applies, in this order: conflicting_duplicate_key (one transaction_id
                     with different values: every version), missing_customer_id, unknown_customer (not a clean,
                     deduplicated customer), missing_amount, unparseable_amount, non_positive_amount,
                     amount_out_of_range, missing_date, invalid_date, future_date
    valid            everything else: the clean transactions
-#}
with

transactions as (
    select * from {{ ref('stg_shop__transactions') }}
),

customers as (
    select * from {{ ref('int_customers_deduplicated') }}
),

copies_numbered as (
    select
        transaction_record_id,
        transaction_id,
        customer_id,
        is_customer_id_reformatted,
        amount,
        amount_issue,
        is_amount_reformatted,
        transaction_date,
        transaction_date_issue,
        is_transaction_date_reformatted,
        source_customer_id,
        source_amount,
        source_transaction_date,
        loaded_at,
        load_id,
        row_number() over (
            partition by transaction_id, source_customer_id, source_amount, source_transaction_date
            order by loaded_at, load_id, transaction_record_id
        ) as copy_number,
        dense_rank() over (
            partition by transaction_id
            order by source_customer_id, source_amount, source_transaction_date
        ) as version_rank
    from transactions
),

versions_counted as (
    select
        transaction_record_id,
        transaction_id,
        customer_id,
        is_customer_id_reformatted,
        amount,
        amount_issue,
        is_amount_reformatted,
        transaction_date,
        transaction_date_issue,
        is_transaction_date_reformatted,
        loaded_at,
        load_id,
        copy_number,
        max(version_rank) over (partition by transaction_id) as version_count
    from copies_numbered
),

classified as (
    select
        versions_counted.transaction_record_id,
        versions_counted.transaction_id,
        versions_counted.customer_id,
        versions_counted.amount,
        versions_counted.transaction_date,
        versions_counted.loaded_at,
        versions_counted.load_id,
        versions_counted.amount_issue,
        versions_counted.transaction_date_issue,
        versions_counted.is_customer_id_reformatted,
        versions_counted.is_amount_reformatted,
        versions_counted.is_transaction_date_reformatted,
        customers.customer_id is not null as is_known_customer,
        case
            when versions_counted.copy_number > 1 then null
            when versions_counted.version_count > 1 then 'conflicting_duplicate_key'
            when versions_counted.customer_id is null then 'missing_customer_id'
            when customers.customer_id is null then 'unknown_customer'
            when versions_counted.amount_issue is not null then versions_counted.amount_issue
            when
                versions_counted.transaction_date_issue is not null
                then versions_counted.transaction_date_issue
        end as reject_reason,
        versions_counted.copy_number > 1 as is_exact_duplicate
    from versions_counted
    left join customers
        on versions_counted.customer_id = customers.customer_id
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
        is_known_customer,
        reject_reason,
        case
            when is_exact_duplicate then 'exact_duplicate'
            when reject_reason is not null then 'rejected'
            else 'valid'
        end as record_status
    from classified
)

select * from final
