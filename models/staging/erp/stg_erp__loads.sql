{#-
    The completed dlt loads (raw._dlt_loads, status 0), of any source: dlt commits a package's files one by one and
    records its load only when all are in, so the ERP's facts append the versions of completed loads only - a
    package finished after a crash keeps its id and is appended whole once complete.
-#}
with

loads as (
    select * from {{ source('erp', '_dlt_loads') }}
),

completed as (
    select
        load_id,
        schema_name as pipeline_schema,
        inserted_at as completed_at
    from loads
    where status = 0
)

select * from completed
