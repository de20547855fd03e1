{#-
    The current layout and its Excel-touched form: `DD/MM/YYYY HH:MM` (Excel: `D/M/YYYY H:MM`), no seconds.
    One row per raw line of the layout, renamed, cast and cleaned; the basket stays text (int_tills_order_items_parsed
    splits it). A value that does not parse is null here; int_tills_orders_classified rejects the line.
-#}
with

source as (
    select * from {{ source('tills', 'order_lines') }}
    where _layout in ('current', 'excel')
),

-- A step with its own `with`: Postgres computes regexp_match once per row here, where a plain CTE's
-- expression would be computed again for each of the six time_parts[] read from it (see stg_crm__customers).
split as (
    with source_rows as (
        select * from source
    )

    select
        order_id,
        regexp_match(
            trim(date),
            '^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}) ([0-9]{1,2}):([0-9]{2})()$'
        ) as time_parts,
        trim(branch_name) as branch_name_as_written,
        orders as basket,
        trim(total_price) as total_as_written,
        upper(trim(payment_method)) as payment_method,
        card_holder,
        _layout,
        _source_file,
        _line_number,
        _file_sha256,
        _file_modified_at,
        _dlt_load_id
    from source_rows
),

cleaned as (
    select
        {{ generate_surrogate_key(['_source_file', '_file_sha256', '_line_number']) }} as till_line_id,
        order_id,
        {{ timestamp_from_parts(
            'cast(time_parts[3] as integer)',
            'cast(time_parts[2] as integer)',
            'cast(time_parts[1] as integer)',
            'cast(time_parts[4] as integer)',
            'cast(time_parts[5] as integer)',
            "cast(coalesce(nullif(time_parts[6], ''), '0') as integer)",
        ) }} as ordered_at,
        branch_name_as_written,
        basket,
        {{ parse_till_money('total_as_written') }} as total,
        total_as_written,
        payment_method,
        card_holder,
        _layout as layout,
        _source_file as source_file,
        _line_number as line_number,
        _file_sha256 as file_sha256,
        _file_modified_at as file_modified_at,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from split
)

select * from cleaned
