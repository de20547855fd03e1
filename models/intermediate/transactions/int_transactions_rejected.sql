with

classified_transactions as (
    select * from {{ ref('int_transactions_classified') }}
),

rejected as (
    select
        transaction_record_id,
        transaction_id,
        reject_reason,
        customer_id,
        amount,
        transaction_date,
        loaded_at,
        load_id
    from classified_transactions
    where record_status = 'rejected'
)

select * from rejected
