{#-
    The captured versions of the ERP's payments in the common long shape of the data-quality marts (macro
    row_issues_counted): every version is a fact row (current, or superseded by a later one), counted by the issue
    when a key points at no captured row, the payment date is no date, or - for the current version - the payment
    does not match its order: no order behind its transaction, or another amount (quantity x unit price),
    counterparty, currency, payment date (the agreed one) or kind (a sale paid by a purchase payment type). What
    each value means is seed data_quality_rules (source_name erp.payment), not here.
-#}
{{ config(contract={'enforced': false}, indexes=[{'columns': ['row_issue_id'], 'unique': true}]) }}
{%- set issue_columns = ['record_status', 'orphan_key', 'invalid_date', 'payment_mismatch'] -%}

with

payments as (
    select * from {{ ref('stg_erp__payments') }}
),

transactions as (
    select * from {{ ref('stg_erp__transactions') }}
),

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

purchase_orders as (
    select * from {{ ref('stg_erp__purchase_orders') }}
),

counterparties as (
    select * from {{ ref('stg_erp__counterparties') }}
),

currencies as (
    select * from {{ ref('stg_erp__currencies') }}
),

payment_types as (
    select * from {{ ref('stg_erp__payment_types') }}
),

latest_payments as (
    {{ latest_versions('payments', 'payment_id') }}
),

latest_transactions as (
    {{ latest_versions('transactions', 'transaction_id') }}
),

latest_sales_orders as (
    {{ latest_versions('sales_orders', 'sales_order_id') }}
),

latest_purchase_orders as (
    {{ latest_versions('purchase_orders', 'purchase_order_id') }}
),

latest_payment_types as (
    {{ latest_versions('payment_types', 'payment_type_id') }}
),

-- The kind of transaction each payment type settles (its enum values, reference part A.1).
payment_type_kinds as (
    select
        payment_type_id,
        case
            when payment_type_name in ('SALES_RECEIPT', 'SALES_REFUND') then 'SALE'
            when payment_type_name in ('PURCHASE_PAYMENT', 'PURCHASE_REFUND') then 'PURCHASE'
        end as transaction_type
    from latest_payment_types
),

-- Each order as its payment mirrors it (reference part A.2: amount, counterparty, currency, agreed date).
orders as (
    select
        'SALE' as transaction_type,
        sales_order_id as order_id,
        units_sold * unit_price as amount,
        counterparty_id,
        currency_id,
        agreed_payment_date
    from latest_sales_orders
    union all
    select
        'PURCHASE' as transaction_type,
        purchase_order_id as order_id,
        item_quantity * item_unit_price as amount,
        counterparty_id,
        currency_id,
        agreed_payment_date
    from latest_purchase_orders
),

current_mismatches as (
    select
        latest_payments.payment_version_id,
        case
            when orders.order_id is null then 'no_order'
            when latest_payments.payment_amount != orders.amount then 'amount'
            when latest_payments.counterparty_id != orders.counterparty_id then 'counterparty'
            when latest_payments.currency_id != orders.currency_id then 'currency'
            when latest_payments.payment_date != orders.agreed_payment_date then 'payment_date'
            -- an unknown payment type is an orphan key (orphan_key), not a mismatch
            when payment_type_kinds.transaction_type != orders.transaction_type then 'payment_type'
        end as payment_mismatch
    from latest_payments
    left join latest_transactions
        on latest_payments.transaction_id = latest_transactions.transaction_id
    left join orders
        on
            latest_transactions.transaction_type = orders.transaction_type
            and orders.order_id
            = coalesce(latest_transactions.sales_order_id, latest_transactions.purchase_order_id)
    left join payment_type_kinds
        on latest_payments.payment_type_id = payment_type_kinds.payment_type_id
),

checked as (
    select
        payments.load_id,
        {{ dlt_load_time('payments.load_id') }} as loaded_at,
        case
            when current_mismatches.payment_version_id is null then 'superseded'
            else 'current'
        end as record_status,
        case
            when not exists (
                select 1 from transactions
                where transactions.transaction_id = payments.transaction_id
            ) then 'transaction_id'
            when not exists (
                select 1 from counterparties
                where counterparties.counterparty_id = payments.counterparty_id
            ) then 'counterparty_id'
            when not exists (
                select 1 from currencies
                where currencies.currency_id = payments.currency_id
            ) then 'currency_id'
            when not exists (
                select 1 from payment_types
                where payment_types.payment_type_id = payments.payment_type_id
            ) then 'payment_type_id'
        end as orphan_key,
        case when payments.payment_date is null then 'payment_date' end as invalid_date,
        current_mismatches.payment_mismatch
    from payments
    left join current_mismatches
        on payments.payment_version_id = current_mismatches.payment_version_id
),

{{ row_issues_counted('erp.payment', 'checked', issue_columns) }}

select * from row_issues
