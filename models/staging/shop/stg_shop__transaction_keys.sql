{#-
    The key, load and key range of every raw transaction row, nothing parsed: what the incremental
    int_transactions_versioned reads to find the transaction_ids a run must number again.
-#}
with

source as (
    select * from {{ source('shop', 'transactions') }}
),

final as (
    select
        _dlt_id as transaction_record_id,
        transaction_id,
        _dlt_load_id as load_id,
        _range_low_id as capture_range_low_id
    from source
)

select * from final
