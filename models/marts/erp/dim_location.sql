{#- The addresses as delivery locations and legal addresses: the latest version of each (SCD1). -#}
with

addresses as (
    select * from {{ ref('stg_erp__addresses') }}
),

latest_addresses as (
    {{ latest_versions('addresses', 'address_id') }}
),

final as (
    select
        address_id as location_id,
        address_line_1,
        address_line_2,
        district,
        city,
        postal_code,
        country,
        phone
    from latest_addresses
)

select * from final
