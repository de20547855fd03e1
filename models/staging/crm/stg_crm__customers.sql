{#-
    Three steps - trim, clean, flag - each read by the next through a `with` of its own. Postgres copies a plain
    CTE's expressions into every later use of its columns and computes them again there; a step with its own
    `with` stays a step of its own, so each value is computed once per row.
-#}
with

source as (
    select * from {{ source('crm', 'customers') }}
),

trimmed as (
    with source_rows as (
        select * from source
    )

    select
        customer_id,
        name,
        age,
        country,
        is_active,
        {{ trim_whitespace('customer_id') }} as trimmed_customer_id,
        {{ trim_whitespace('name') }} as trimmed_name,
        {{ trim_whitespace('age') }} as trimmed_age,
        {{ trim_whitespace('country') }} as trimmed_country,
        {{ trim_whitespace('is_active') }} as trimmed_is_active,
        _source_file,
        _line_number,
        _file_modified_at,
        _file_sha256,
        _exported_at,
        _dlt_load_id
    from source_rows
),

cleaned as (
    with trimmed_rows as (
        select * from trimmed
    )

    select
        {{ generate_surrogate_key(['_source_file', '_file_sha256', '_line_number']) }} as customer_record_id,
        {{ clean_customer_id('trimmed_customer_id') }} as customer_id,
        {{ clean_name('trimmed_name') }} as customer_name,
        coalesce(trimmed_name, '') = '' as source_name_is_blank,
        {{ parse_age('trimmed_age') }} as age,
        {{ age_issue('trimmed_age') }} as age_issue,
        {{ country_key('trimmed_country') }} as country_key,
        {{ parse_bool('trimmed_is_active') }} as is_active,
        {{ bool_issue('trimmed_is_active') }} as is_active_issue,
        customer_id as source_customer_id,
        name as source_name,
        age as source_age,
        country as source_country,
        is_active as source_is_active,
        _source_file as source_file,
        _line_number as line_number,
        _file_modified_at as file_modified_at,
        _file_sha256 as file_sha256,
        -- rows loaded before the loader wrote _exported_at: their file's modification time
        coalesce(_exported_at, _file_modified_at) as exported_at,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at,
        _dlt_load_id as load_id
    from trimmed_rows
),

final as (
    select
        customer_record_id,
        customer_id,
        {{ customer_id_issue('customer_id') }} as customer_id_issue,
        coalesce(customer_id != source_customer_id, false) as is_customer_id_reformatted,
        customer_name,
        case when source_name_is_blank then 'missing' end as name_issue,
        coalesce(customer_name != source_name, false) as is_name_reformatted,
        age,
        age_issue,
        coalesce(cast(age as {{ dbt.type_string() }}) != source_age, false) as is_age_reformatted,
        country_key,
        is_active,
        is_active_issue,
        source_customer_id,
        source_name,
        source_age,
        source_country,
        source_is_active,
        source_file,
        line_number,
        file_modified_at,
        file_sha256,
        exported_at,
        loaded_at,
        load_id
    from cleaned
)

select * from final
