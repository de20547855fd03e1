{#-
    Every delivered till file (a name and its bytes): its lines in raw against what became of them - clean orders
    (fct_tills_orders), rejected lines (int_tills_orders_rejected) and stale lines (an earlier delivery of the same
    name, replaced). A file the loader skipped (the same content as one it loaded) or an empty file has no lines
    and no row here; the loader's notes name them.
-#}
with

classified_orders as (
    select * from {{ ref('int_tills_orders_classified') }}
),

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

rejected_orders as (
    select * from {{ ref('int_tills_orders_rejected') }}
),

files as (
    select
        source_file,
        file_sha256,
        min(layout) as layout,
        min(branch_name) as branch_name,
        min(trading_date) as trading_date,
        min(loaded_at) as loaded_at,
        cast(count(*) as bigint) as lines_in,
        cast(sum(case when record_status = 'stale_version' then 1 else 0 end) as bigint) as stale_lines
    from classified_orders
    group by
        source_file,
        file_sha256
),

clean_per_file as (
    select
        source_file,
        file_sha256,
        cast(count(*) as bigint) as clean_orders
    from orders
    group by
        source_file,
        file_sha256
),

rejected_per_file as (
    select
        source_file,
        file_sha256,
        cast(count(*) as bigint) as rejected_lines
    from rejected_orders
    group by
        source_file,
        file_sha256
),

final as (
    select
        {{ generate_surrogate_key(['files.source_file', 'files.file_sha256']) }} as file_delivery_id,
        files.source_file,
        files.file_sha256,
        files.layout,
        files.branch_name,
        files.trading_date,
        files.loaded_at,
        files.lines_in,
        coalesce(clean_per_file.clean_orders, 0) as clean_orders,
        coalesce(rejected_per_file.rejected_lines, 0) as rejected_lines,
        files.stale_lines,
        files.lines_in = coalesce(clean_per_file.clean_orders, 0)
        + coalesce(rejected_per_file.rejected_lines, 0)
        + files.stale_lines as is_reconciled
    from files
    left join clean_per_file
        on
            files.source_file = clean_per_file.source_file
            and files.file_sha256 is not distinct from clean_per_file.file_sha256
    left join rejected_per_file
        on
            files.source_file = rejected_per_file.source_file
            and files.file_sha256 is not distinct from rejected_per_file.file_sha256
)

select * from final
