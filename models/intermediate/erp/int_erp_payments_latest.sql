{#-
    The latest captured version of each payment (the order of macro latest_versions: the load, then
    last_updated), kept incrementally: a run reads the versions of loads newer than the newest here and replaces
    the rows of their keys - a later load saw the source after an earlier one. So the data-quality checks and the
    dimensions read one table instead of ranking every version on every run.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        incremental_strategy='delete+insert',
        unique_key='payment_id',
        contract={'enforced': false},
        indexes=[{'columns': ['payment_id'], 'unique': true}],
    )
}}

with

payments as (
    select * from {{ ref('stg_erp__payments') }}
    where {{ loads_newer_than_here('load_id') }}
),

latest_payments as (
    {{ latest_versions('payments', 'payment_id') }}
),

final as (
    select
        payment_version_id,
        payment_id,
        transaction_id,
        counterparty_id,
        payment_amount,
        currency_id,
        payment_type_id,
        paid,
        payment_date,
        payment_date_as_written,
        company_ac_number,
        counterparty_ac_number,
        created_at,
        last_updated,
        load_id,
        loaded_at
    from latest_payments
)

select * from final
