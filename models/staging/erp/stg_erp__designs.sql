with

source as (
    select * from {{ source('erp', 'design') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'design_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as design_version_id,
        cast(design_id as integer) as design_id,
        design_name,
        file_location,
        file_name,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
