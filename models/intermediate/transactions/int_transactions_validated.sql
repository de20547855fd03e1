{#-
    A table, though it only filters int_transactions_classified: its six columns are a third of the width, and
    its contract's primary key and NOT NULL columns are enforced by Postgres as it is written. As a view with
    unique and not_null tests, each test filtered the 10M-row classification again: 31 s for the unique test
    alone at scale 1000.
-#}

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
