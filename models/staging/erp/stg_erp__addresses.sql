with

source as (
    select * from {{ source('erp', 'address') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'address_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as address_version_id,
        cast(address_id as integer) as address_id,
        address_line_1,
        address_line_2,
        district,
        city,
        postal_code,
        country,
        phone,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
