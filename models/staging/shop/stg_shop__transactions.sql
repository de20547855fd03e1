{#-
    Three steps - trim, parse, flag - each read by the next through a `with` of its own. Postgres copies a plain
    CTE's expressions into every later use of its columns and computes them again there (the date rule would run
    a dozen times a row); a step with its own `with` stays a step of its own, so each value is computed once per
    row. Filters on transaction_id (the incremental range in int_transactions_versioned) still reach the raw
    table and its index.
-#}
with

source as (
    select * from {{ source('shop', 'transactions') }}
),

trimmed as (
    with source_rows as (
        select * from source
    )

    select
        _dlt_id,
        transaction_id,
        -- Within one capture: the current rows of an id all come from its range's latest capture, so copies
        -- and versions are only ever counted among those (rows without a range: over all their loads).
        count(*) over (
            partition by transaction_id, case when _range_low_id is not null then _dlt_load_id end
        ) as rows_with_transaction_id,
        customer_id,
        amount,
        transaction_date,
        {{ trim_whitespace('customer_id') }} as trimmed_customer_id,
        {{ trim_whitespace('amount') }} as trimmed_amount,
        {{ trim_whitespace('transaction_date') }} as trimmed_transaction_date,
        _range_low_id,
        _dlt_load_id
    from source_rows
),

parsed as (
    with trimmed_rows as (
        select * from trimmed
    )

    select
        _dlt_id as transaction_record_id,
        transaction_id,
        rows_with_transaction_id,
        {{ clean_customer_id('trimmed_customer_id') }} as customer_id,
        {{ parse_amount('trimmed_amount') }} as amount,
        {{ parse_date('trimmed_transaction_date') }} as transaction_date,
        trimmed_amount,
        trimmed_transaction_date,
        customer_id as source_customer_id,
        amount as source_amount,
        transaction_date as source_transaction_date,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at,
        _dlt_load_id as load_id,
        _range_low_id as capture_range_low_id
    from trimmed_rows
),

final as (
    select
        transaction_record_id,
        transaction_id,
        rows_with_transaction_id,
        customer_id,
        coalesce(customer_id != source_customer_id, false) as is_customer_id_reformatted,
        amount,
        {{ amount_issue('trimmed_amount', 'amount') }} as amount_issue,
        coalesce(cast(amount as {{ dbt.type_string() }}) != source_amount, false) as is_amount_reformatted,
        transaction_date,
        {{ date_issue('trimmed_transaction_date', 'transaction_date') }} as transaction_date_issue,
        coalesce(
            cast(transaction_date as {{ dbt.type_string() }}) != source_transaction_date,
            false
        ) as is_transaction_date_reformatted,
        source_customer_id,
        source_amount,
        source_transaction_date,
        loaded_at,
        load_id,
        capture_range_low_id
    from parsed
)

select * from final
