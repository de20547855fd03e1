with

source as (
    select * from {{ source('crm', 'customers') }}
),

cleaned as (
    select
        {{ generate_surrogate_key(['_source_file', '_line_number']) }} as customer_record_id,
        {{ clean_customer_id('customer_id') }} as customer_id,
        {{ clean_name('name') }} as customer_name,
        -- the condition under which clean_name gives null, without cleaning the name a second time
        coalesce({{ trim_whitespace('name') }}, '') = '' as source_name_is_blank,
        {{ parse_age('age') }} as age,
        {{ age_issue('age') }} as age_issue,
        {{ country_key('country') }} as country_key,
        {{ parse_bool('is_active') }} as is_active,
        {{ bool_issue('is_active') }} as is_active_issue,
        customer_id as source_customer_id,
        name as source_name,
        age as source_age,
        country as source_country,
        is_active as source_is_active,
        _source_file as source_file,
        _line_number as line_number,
        _file_modified_at as file_modified_at,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at,
        _dlt_load_id as load_id
    from source
),

final as (
    select
        customer_record_id,
        customer_id,
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
        loaded_at,
        load_id
    from cleaned
)

select * from final
