with

source as (
    select * from {{ source('erp', 'department') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'department_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as department_version_id,
        cast(department_id as integer) as department_id,
        department_name,
        location,
        manager,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
