{#-
    The Payments star's fact: one row per captured version of a payment (facts keep history: a payment that
    becomes paid is a new row beside the unpaid one), fact_payment_current the latest of each. The account
    numbers are left out, as the star has them. Incremental, by the rules of macros/utils/fact_versions.sql: a run
    appends the versions of completed loads not here yet, numbered on from the highest payment_record_id.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        indexes=[
            {'columns': ['payment_id', 'last_updated_date', 'last_updated_time'], 'unique': true},
        ],
    )
}}

with

payments as (
    select * from {{ ref('stg_erp__payments') }}
),

completed_loads as (
    select * from {{ ref('stg_erp__loads') }}
),

new_versions as (
    select
        payments.payment_id,
        payments.created_at,
        payments.last_updated,
        payments.transaction_id,
        payments.counterparty_id,
        payments.payment_amount,
        payments.currency_id,
        payments.payment_type_id,
        payments.paid,
        payments.payment_date,
        payments.load_id
    from payments
    where {{ versions_to_append('payments', 'payment_id', 'completed_loads') }}
),

numbered as (
    select
        {{ version_record_id('payment_record_id', 'payment_id') }} as payment_record_id,
        payment_id,
        cast(created_at as date) as created_date,
        cast(created_at as time) as created_time,
        cast(last_updated as date) as last_updated_date,
        cast(last_updated as time) as last_updated_time,
        transaction_id,
        counterparty_id,
        payment_amount,
        currency_id,
        payment_type_id,
        paid,
        payment_date,
        load_id
    from new_versions
)

select * from numbered
