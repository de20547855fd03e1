{#-
    The counterparties with their legal address (latest versions, SCD1); the contacts (people's names) and the
    timestamps are left out, as the star has them.
-#}
with

counterparties as (
    select * from {{ ref('stg_erp__counterparties') }}
),

addresses as (
    select * from {{ ref('stg_erp__addresses') }}
),

latest_counterparties as (
    {{ latest_versions('counterparties', 'counterparty_id') }}
),

latest_addresses as (
    {{ latest_versions('addresses', 'address_id') }}
),

final as (
    select
        latest_counterparties.counterparty_id,
        latest_counterparties.counterparty_legal_name,
        latest_addresses.address_line_1 as counterparty_legal_address_line_1,
        latest_addresses.address_line_2 as counterparty_legal_address_line_2,
        latest_addresses.district as counterparty_legal_district,
        latest_addresses.city as counterparty_legal_city,
        latest_addresses.postal_code as counterparty_legal_postal_code,
        latest_addresses.country as counterparty_legal_country,
        latest_addresses.phone as counterparty_legal_phone_number
    from latest_counterparties
    left join latest_addresses
        on latest_counterparties.legal_address_id = latest_addresses.address_id
)

select * from final
