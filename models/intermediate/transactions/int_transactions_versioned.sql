{#-
    Every raw transaction row, cleaned, with what the other rows say about it (data_rules.md, "Duplicates" and
    "Changes in the shop database"): is_stale_version marks rows the loader has captured again since (their key
    range of the source changed: an update, a delete, a late row), copy_number numbers the identical copies of a
    current row in load order (copy 1 is kept), version_count counts the different current versions of the
    transaction_id (more than 1: every version conflicts).

    Incremental: all three depend only on the rows of one transaction_id and the captures of its range, so a run
    takes the transaction_ids that got a row, or whose key range was captured again, since the last run, numbers
    all their rows again (old rows included) and replaces them (delete+insert on transaction_id). The filter is
    `= any(array)` on transaction_id because a filter on the partition column reaches through the staging view's
    window down to the raw table and its index: only those rows are parsed.
-#}
-- No enforced contract here: with one, Postgres builds the table by INSERT ... SELECT, which cannot use
-- parallel workers, and this model's parse of every raw row took 46 s longer at scale 1000
-- (docs/performance.md). Its key is unique-indexed after the rows are written; dbt's not_null tests check the
-- rest.
-- Read only by incremental runs, so dbt is told of the dependency here.
-- depends_on: {{ ref('stg_shop__transaction_keys') }}
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
        load_id,
        capture_range_low_id
    from {{ ref('stg_shop__transactions') }}
),

captures as (
    select * from {{ ref('stg_shop__transaction_captures') }}
),

-- The latest capture of each key range: rows of the range's earlier captures are stale versions. Ranges never
-- overlap (ingest/range_capture.py), so a row's range is the one it was captured with.
current_captures as (
    select distinct on (range_low_id)
        range_low_id,
        load_id
    from captures
    order by range_low_id asc, load_id desc
),

-- Rows loaded before ranges were captured have no range: the first capture copied the whole table again, so
-- they are stale versions; rows without a range loaded since (a source that is not Postgres) are not.
first_capture as (
    select min(load_id) as load_id from captures
),

{% if is_incremental() %}
    -- dlt load ids are Unix times of one width (until 2286), so they compare as text in time order. Of
    -- current rows only: rows of a load whose captures had not completed were stale then, so that load
    -- counts as new until a run sees it complete.
    watermark as (
        select coalesce(max(load_id) filter (where not is_stale_version), '0') as load_id
        from {{ this }}
    ),

    captured_since as (
        select captures.range_low_id
        from captures
        cross join watermark
        where captures.load_id > watermark.load_id
    ),

    -- The ids of the rows loaded since the last run, of every row of a key range captured since (the new
    -- capture replaces them: updated, deleted), and of the rows without a range if the first capture is new.
    -- One scan of the raw keys whatever the number of ranges (a range join ran as a nested loop).
    touched_transaction_ids as (
        select distinct transaction_keys.transaction_id
        from {{ ref('stg_shop__transaction_keys') }} as transaction_keys
        cross join watermark
        cross join first_capture
        where
            transaction_keys.load_id > watermark.load_id
            or transaction_keys.capture_range_low_id in (
                select captured_since.range_low_id from captured_since
            )
            or (transaction_keys.capture_range_low_id is null and first_capture.load_id > watermark.load_id)
    ),

{% endif %}
-- Only the few current rows of transaction_ids with more than one raw row need numbering; the numbered rows
-- are joined back by record id.
repeated_transaction_rows as (
    select
        transaction_row_keys.transaction_record_id,
        transaction_row_keys.transaction_id,
        transaction_row_keys.source_customer_id,
        transaction_row_keys.source_amount,
        transaction_row_keys.source_transaction_date,
        transaction_row_keys.loaded_at,
        transaction_row_keys.load_id
    from transaction_row_keys
    cross join first_capture
    left join current_captures
        on transaction_row_keys.capture_range_low_id = current_captures.range_low_id
    where
        transaction_row_keys.rows_with_transaction_id > 1
        and not {{ stale_version('transaction_row_keys') }}
        {% if is_incremental() %}
            and transaction_row_keys.transaction_id = any(
                array(select touched_transaction_ids.transaction_id from touched_transaction_ids)
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
        {{ stale_version('transactions') }} as is_stale_version,
        coalesce(versions_counted.copy_number, 1) as copy_number,
        coalesce(versions_counted.version_count, 1) as version_count
    from transactions
    cross join first_capture
    left join current_captures
        on transactions.capture_range_low_id = current_captures.range_low_id
    left join versions_counted
        on transactions.transaction_record_id = versions_counted.transaction_record_id
    {% if is_incremental() %}
        where transactions.transaction_id = any(
            array(select touched_transaction_ids.transaction_id from touched_transaction_ids)
        )
    {% endif %}
)

select * from versioned
