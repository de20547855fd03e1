-- Which payments are still unpaid, oldest payment date first? One row per payment, its current version.
with

payments as (
    select * from {{ ref('fact_payment_current') }}
),

payment_types as (
    select * from {{ ref('dim_payment_type') }}
),

transactions as (
    select * from {{ ref('dim_transaction') }}
),

counterparties as (
    select * from {{ ref('dim_counterparty') }}
),

currencies as (
    select * from {{ ref('dim_currency') }}
),

unpaid as (
    select
        payment_id,
        payment_type_id,
        transaction_id,
        counterparty_id,
        currency_id,
        payment_amount,
        payment_date,
        created_date
    from payments
    where not paid
)

select
    unpaid.payment_id,
    payment_types.payment_type_name,
    transactions.sales_order_id,
    transactions.purchase_order_id,
    counterparties.counterparty_legal_name,
    currencies.currency_code,
    unpaid.payment_amount,
    unpaid.payment_date,
    unpaid.created_date
from unpaid
left join payment_types
    on unpaid.payment_type_id = payment_types.payment_type_id
left join transactions
    on unpaid.transaction_id = transactions.transaction_id
left join counterparties
    on unpaid.counterparty_id = counterparties.counterparty_id
left join currencies
    on unpaid.currency_id = currencies.currency_id
order by unpaid.payment_date nulls last, unpaid.payment_id
