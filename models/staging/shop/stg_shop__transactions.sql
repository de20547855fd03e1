with

source as (
    select * from {{ source('shop', 'transactions') }}
),

parsed as (
    select
        {{ dbt.concat([
            "cast(transaction_id as " ~ dbt.type_string() ~ ")",
            "'-'",
            "cast(row_number() over (
                partition by transaction_id
                order by _dlt_load_id, customer_id, amount, transaction_date
            ) as " ~ dbt.type_string() ~ ")"
        ]) }} as transaction_record_id,
        transaction_id,
        {{ clean_customer_id('customer_id') }} as customer_id,
        {{ parse_amount('amount') }} as amount,
        {{ parse_date('transaction_date') }} as transaction_date,
        customer_id as source_customer_id,
        amount as source_amount,
        transaction_date as source_transaction_date,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at,
        _dlt_load_id as load_id
    from source
),

final as (
    select
        transaction_record_id,
        transaction_id,
        customer_id,
        coalesce(customer_id != source_customer_id, false) as is_customer_id_reformatted,
        amount,
        {{ amount_issue('source_amount', 'amount') }} as amount_issue,
        coalesce(cast(amount as {{ dbt.type_string() }}) != source_amount, false) as is_amount_reformatted,
        transaction_date,
        {{ date_issue('source_transaction_date', 'transaction_date', 'loaded_at') }}
            as transaction_date_issue,
        coalesce(
            cast(transaction_date as {{ dbt.type_string() }}) != source_transaction_date,
            false
        ) as is_transaction_date_reformatted,
        source_customer_id,
        source_amount,
        source_transaction_date,
        loaded_at,
        load_id
    from parsed
)

select * from final
