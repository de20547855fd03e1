with

source as (
    select * from {{ source('erp', 'counterparty') }}
),

renamed as (
    select
        {{ generate_surrogate_key([
            'counterparty_id',
            'cast(last_updated as timestamp(3))',
        ]) }} as counterparty_version_id,
        cast(counterparty_id as integer) as counterparty_id,
        counterparty_legal_name,
        cast(legal_address_id as integer) as legal_address_id,
        commercial_contact,
        delivery_contact,
        cast(created_at as timestamp(3)) as created_at,
        cast(last_updated as timestamp(3)) as last_updated,
        _dlt_load_id as load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at
    from source
)

select * from renamed
