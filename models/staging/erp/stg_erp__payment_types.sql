with

source as (
    select * from {{ source('erp', 'payment_type') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'payment_type_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as payment_type_version_id,
        cast(payment_type_id as integer) as payment_type_id,
        cast(payment_type_name as {{ dbt.type_string() }}) as payment_type_name,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
