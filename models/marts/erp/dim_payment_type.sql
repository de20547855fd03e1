{#- The payment types (latest versions, SCD1); the source's enum values as text. -#}
with

payment_types as (
    select * from {{ ref('stg_erp__payment_types') }}
),

latest_payment_types as (
    {{ latest_versions('payment_types', 'payment_type_id') }}
),

final as (
    select
        payment_type_id,
        payment_type_name
    from latest_payment_types
)

select * from final
