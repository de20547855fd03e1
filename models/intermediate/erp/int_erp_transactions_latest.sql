{#-
    The latest captured version of each transaction (the order of macro latest_versions: the load, then
    last_updated), kept incrementally: a run reads the versions of loads newer than the newest here and replaces
    the rows of their keys - a later load saw the source after an earlier one. So the data-quality checks and the
    dimensions read one table instead of ranking every version on every run.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        incremental_strategy='delete+insert',
        unique_key='transaction_id',
        contract={'enforced': false},
        indexes=[{'columns': ['transaction_id'], 'unique': true}],
    )
}}

with

transactions as (
    select * from {{ ref('stg_erp__transactions') }}
    where {{ loads_newer_than_here('load_id') }}
),

latest_transactions as (
    {{ latest_versions('transactions', 'transaction_id') }}
),

final as (
    select
        transaction_version_id,
        transaction_id,
        transaction_type,
        sales_order_id,
        purchase_order_id,
        created_at,
        last_updated,
        load_id,
        loaded_at
    from latest_transactions
)

select * from final
