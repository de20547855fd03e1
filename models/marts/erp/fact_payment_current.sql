{#-
    The current state of each payment: its latest version in fact_payment, the one with the highest
    payment_record_id (numbered in the order of the loads that captured them, then last_updated).
-#}
{{ config(materialized='view') }}

with

versions as (
    select * from {{ ref('fact_payment') }}
),

latest_versions as (
    {{ latest_versions('versions', 'payment_id', ['payment_record_id']) }}
),

final as (
    select
        payment_record_id,
        payment_id,
        created_date,
        created_time,
        last_updated_date,
        last_updated_time,
        transaction_id,
        counterparty_id,
        payment_amount,
        currency_id,
        payment_type_id,
        paid,
        payment_date,
        load_id
    from latest_versions
)

select * from final
