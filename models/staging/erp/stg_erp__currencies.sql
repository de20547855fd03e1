with

source as (
    select * from {{ source('erp', 'currency') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'currency_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as currency_version_id,
        cast(currency_id as integer) as currency_id,
        currency_code,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
