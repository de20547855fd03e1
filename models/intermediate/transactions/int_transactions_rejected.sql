-- A view: one filter of the table int_transactions_classified; copying millions of its rows into a table
-- of their own would cost more than the filter costs the models and tests that read it.
{{ config(materialized='view') }}

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
