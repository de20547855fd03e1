with

source as (
    select * from {{ source('erp', 'staff') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'staff_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as staff_version_id,
        cast(staff_id as integer) as staff_id,
        first_name,
        last_name,
        cast(department_id as integer) as department_id,
        email_address,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
