{#-
    What is still unpaid, per payment type and currency: the payments whose current version (fact_payment_current)
    is not paid. SALES_RECEIPT is owed to the company, PURCHASE_PAYMENT owed by it.
-#}
with

payments as (
    select * from {{ ref('fact_payment_current') }}
),

payment_types as (
    select * from {{ ref('dim_payment_type') }}
),

currencies as (
    select * from {{ ref('dim_currency') }}
),

outstanding as (
    select
        payment_type_id,
        currency_id,
        cast(count(*) as bigint) as payment_count,
        sum(payment_amount) as outstanding_amount,
        min(payment_date) as earliest_payment_date
    from payments
    where not paid
    group by
        payment_type_id,
        currency_id
),

final as (
    select
        {{ generate_surrogate_key(['outstanding.payment_type_id', 'outstanding.currency_id']) }}
            as payment_type_currency_id,
        outstanding.payment_type_id,
        payment_types.payment_type_name,
        outstanding.currency_id,
        currencies.currency_code,
        outstanding.payment_count,
        cast(outstanding.outstanding_amount as numeric(16, 2)) as outstanding_amount,
        outstanding.earliest_payment_date
    from outstanding
    left join payment_types
        on outstanding.payment_type_id = payment_types.payment_type_id
    left join currencies
        on outstanding.currency_id = currencies.currency_id
)

select * from final
