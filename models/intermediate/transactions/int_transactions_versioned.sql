{#-
    Every raw transaction row, cleaned, with what its transaction_id's other rows say about it (data_rules.md,
    "Duplicates"): copy_number numbers the identical copies of a row in load order (copy 1 is kept), version_count
    counts the different versions of the transaction_id (more than 1: every version conflicts).

    Incremental: both figures depend only on the rows of one transaction_id, so a run numbers again every row of
    the transaction_ids from the lowest one that got a row since the last run (old rows included) and replaces
    those ids' rows (delete+insert on transaction_id). A new row that repeats or contradicts an old transaction is
    seen with it. The filter is a range on transaction_id because a range reaches through the staging view's
    window down to the raw table: only those rows are parsed. The loader's cursor is transaction_id, so new rows
    normally have the highest ids; an old id in a new load only makes the run renumber more rows, never wrong ones.
-#}
-- No enforced contract here: with one, Postgres builds the table by INSERT ... SELECT, which cannot use
-- parallel workers, and this model's parse of every raw row took 46 s longer at scale 1000
-- (docs/performance.md). Its key is unique-indexed after the rows are written; dbt's not_null tests check the
-- rest.
{{
    config(
        materialized='incremental',
        contract={'enforced': false},
        unique_key='transaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=[
            {'columns': ['transaction_record_id'], 'unique': true},
            {'columns': ['transaction_id']},
        ],
    )
}}

with

transactions as (
    select * from {{ ref('stg_shop__transactions') }}
),

-- The same view imported again with the raw columns only, for the few transaction_ids that have more than one
-- row (below): Postgres then skips the parsing for this import.
transaction_row_keys as (
    select
        transaction_record_id,
        transaction_id,
        rows_with_transaction_id,
        source_customer_id,
        source_amount,
        source_transaction_date,
        loaded_at,
        load_id
    from {{ ref('stg_shop__transactions') }}
),

{% if is_incremental() %}
    -- and again for the load times: each import is read once, so all stay inline and the range filter below
    -- reaches the raw table
    transaction_load_times as (
        select
            transaction_id,
            loaded_at
        from {{ ref('stg_shop__transactions') }}
    ),

    watermark as (
        select coalesce(max(loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) as loaded_at
        from {{ this }}
    ),

    first_touched_transaction as (
        select min(transaction_load_times.transaction_id) as transaction_id
        from transaction_load_times
        cross join watermark
        where transaction_load_times.loaded_at > watermark.loaded_at
    ),

{% endif %}
-- Only the few transaction_ids with more than one raw row need numbering; the numbered rows are joined
-- back by record id.
repeated_transaction_rows as (
    select
        transaction_record_id,
        transaction_id,
        source_customer_id,
        source_amount,
        source_transaction_date,
        loaded_at,
        load_id
    from transaction_row_keys
    where
        rows_with_transaction_id > 1
        {% if is_incremental() %}
            and transaction_id >= (
                select first_touched_transaction.transaction_id from first_touched_transaction
            )
        {% endif %}
),

copies_numbered as (
    select
        transaction_record_id,
        transaction_id,
        row_number() over (
            partition by transaction_id, source_customer_id, source_amount, source_transaction_date
            order by loaded_at, load_id, transaction_record_id
        ) as copy_number,
        dense_rank() over (
            partition by transaction_id
            order by source_customer_id, source_amount, source_transaction_date
        ) as version_rank
    from repeated_transaction_rows
),

versions_counted as (
    select
        transaction_record_id,
        copy_number,
        max(version_rank) over (partition by transaction_id) as version_count
    from copies_numbered
),

versioned as (
    select
        transactions.transaction_record_id,
        transactions.transaction_id,
        transactions.customer_id,
        transactions.is_customer_id_reformatted,
        transactions.amount,
        transactions.amount_issue,
        transactions.is_amount_reformatted,
        transactions.transaction_date,
        transactions.transaction_date_issue,
        transactions.is_transaction_date_reformatted,
        transactions.loaded_at,
        transactions.load_id,
        coalesce(versions_counted.copy_number, 1) as copy_number,
        coalesce(versions_counted.version_count, 1) as version_count
    from transactions
    left join versions_counted
        on transactions.transaction_record_id = versions_counted.transaction_record_id
    {% if is_incremental() %}
        where transactions.transaction_id >= (
            select first_touched_transaction.transaction_id from first_touched_transaction
        )
    {% endif %}
)

select * from versioned
