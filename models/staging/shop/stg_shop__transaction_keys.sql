{#-
    The key and load of every raw transaction row, nothing parsed: what the incremental int_transactions_versioned
    reads to find the transaction_ids a run must number again. A plain view, so filters on transaction_id reach
    the raw table's index and filters on the load id its BRIN index.
-#}
with

source as (
    select * from {{ source('shop', 'transactions') }}
),

final as (
    select
        transaction_id,
        _dlt_load_id as load_id
    from source
)

select * from final
