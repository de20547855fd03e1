with

classified_transactions as (
    select * from {{ ref('int_transactions_classified') }}
),

valid as (
    select
        transaction_id,
        customer_id,
        cast(amount as numeric(12, 2)) as amount,
        transaction_date,
        loaded_at,
        load_id
    from classified_transactions
    where record_status = 'valid'
)

select * from valid
