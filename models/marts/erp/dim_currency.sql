{#- The currencies (latest versions, SCD1), named from seed currencies: the source has codes only. -#}
with

currencies as (
    select * from {{ ref('stg_erp__currencies') }}
),

currency_names as (
    select * from {{ ref('currencies') }}
),

latest_currencies as (
    {{ latest_versions('currencies', 'currency_id') }}
),

final as (
    select
        latest_currencies.currency_id,
        latest_currencies.currency_code,
        currency_names.currency_name
    from latest_currencies
    left join currency_names
        on upper(latest_currencies.currency_code) = currency_names.currency_code
)

select * from final
