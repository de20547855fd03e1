{#-
    The captures of the shop's transaction_id ranges (ingest/range_capture.py) whose load completed: dlt commits
    a package's files one by one and records the load in _dlt_loads (status 0) only when all are in, so a capture
    of an unfinished or aborted load is not trusted - its rows stay stale versions until the load completes.
-#}
with

captures as (
    select * from {{ source('shop', 'transactions_captures') }}
),

completed_loads as (
    select * from {{ source('shop', '_dlt_loads') }}
),

final as (
    select
        captures._dlt_id as capture_record_id,
        captures.range_low_id,
        captures.range_high_id,
        captures.source_rows,
        captures.source_fingerprint,
        captures._dlt_load_id as load_id
    from captures
    where captures._dlt_load_id in (
        select completed_loads.load_id from completed_loads
        where completed_loads.status = 0
    )
)

select * from final
