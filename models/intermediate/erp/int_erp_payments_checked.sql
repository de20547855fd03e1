{#-
    Every captured version of the ERP's payments with its issues: current or superseded by a later version; the key
    that points at no captured row (orphan_key); a payment date that is no date; and, for the current version, how
    the payment does not match its order (no order behind its transaction, or another amount - quantity x unit
    price -, counterparty, currency, payment date - the agreed one - or kind - a sale paid by a purchase payment
    type). What each value means is seed data_quality_rules (source_name erp.payment), not here.

    Incremental, so a refresh checks what one day changed, not every version again: a run rechecks every version
    of the payments that the ERP's loads since the last check touched (checked_through_load_id) - a new version
    of the payment, of its transaction or of the transaction's order - and those still pointing at no captured
    row (a late row may have come); a new version of a payment type (it names what a payment settles) rechecks
    all. Each rechecked row replaces its earlier check (delete+insert on the version's key).
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        incremental_strategy='delete+insert',
        unique_key='payment_version_id',
        contract={'enforced': false},
        indexes=[{'columns': ['payment_version_id'], 'unique': true}, {'columns': ['payment_id']}],
    )
}}
{#- the incremental tables the check reads: their newest load bounds the loads it claims -#}
{%- set input_models = [
    ref('stg_erp__payments'),
    ref('int_erp_transactions_latest'),
    ref('int_erp_sales_orders_latest'),
    ref('int_erp_purchase_orders_latest'),
] %}
{%- set new_load_ids = new_erp_load_ids(input_models) %}
{%- set payment_types_changed = rows_in_loads(ref('stg_erp__payment_types'), new_load_ids) %}

with

-- not materialized: read more than once, Postgres would otherwise copy each import out of its table, losing
-- the table's indexes and statistics (a plan of hours instead of seconds)
payments as not materialized (
    select * from {{ ref('stg_erp__payments') }}
),

latest_payments as not materialized (
    select * from {{ ref('int_erp_payments_latest') }}
),

latest_transactions as not materialized (
    select * from {{ ref('int_erp_transactions_latest') }}
),

latest_sales_orders as not materialized (
    select * from {{ ref('int_erp_sales_orders_latest') }}
),

latest_purchase_orders as not materialized (
    select * from {{ ref('int_erp_purchase_orders_latest') }}
),

counterparties as not materialized (
    select * from {{ ref('stg_erp__counterparties') }}
),

currencies as not materialized (
    select * from {{ ref('stg_erp__currencies') }}
),

payment_types as not materialized (
    select * from {{ ref('stg_erp__payment_types') }}
),

{{ checked_through(input_models) }}

{% if is_incremental() %}
    -- the payments whose check reads a new row: of their transaction, its order, a payment type (then all)
    payments_touched_elsewhere as (
        select latest_payments.payment_id
        from latest_payments
        inner join latest_transactions
            on latest_payments.transaction_id = latest_transactions.transaction_id
        where {{ in_loads('latest_transactions.load_id', new_load_ids) }}
        union
        select latest_payments.payment_id
        from latest_payments
        inner join latest_transactions
            on latest_payments.transaction_id = latest_transactions.transaction_id
        inner join latest_sales_orders
            on latest_transactions.sales_order_id = latest_sales_orders.sales_order_id
        where {{ in_loads('latest_sales_orders.load_id', new_load_ids) }}
        union
        select latest_payments.payment_id
        from latest_payments
        inner join latest_transactions
            on latest_payments.transaction_id = latest_transactions.transaction_id
        inner join latest_purchase_orders
            on latest_transactions.purchase_order_id = latest_purchase_orders.purchase_order_id
        where {{ in_loads('latest_purchase_orders.load_id', new_load_ids) }}
        {%- if payment_types_changed %}
            union
            select latest_payments.payment_id from latest_payments
        {%- endif %}
    ),
{% endif %}

{{ versions_to_check('payments', 'payment_id', new_load_ids, also_touched='payments_touched_elsewhere') }}

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

-- The order each current payment settles, as its payment mirrors it (reference part A.2: amount,
-- counterparty, currency, agreed date): the transaction's sales order for a SALE, its purchase order for a
-- PURCHASE. Two joins on integer keys, not one on a union of both kinds, which the planner misjudges.
current_orders as (
    select
        latest_payments.payment_id,
        latest_payments.payment_version_id,
        latest_payments.payment_amount,
        latest_payments.counterparty_id,
        latest_payments.currency_id,
        latest_payments.payment_date,
        latest_payments.payment_type_id,
        latest_transactions.transaction_type,
        coalesce(latest_sales_orders.sales_order_id, latest_purchase_orders.purchase_order_id) as order_id,
        coalesce(
            latest_sales_orders.units_sold * latest_sales_orders.unit_price,
            latest_purchase_orders.item_quantity * latest_purchase_orders.item_unit_price
        ) as order_amount,
        coalesce(latest_sales_orders.counterparty_id, latest_purchase_orders.counterparty_id)
            as order_counterparty_id,
        coalesce(latest_sales_orders.currency_id, latest_purchase_orders.currency_id) as order_currency_id,
        coalesce(latest_sales_orders.agreed_payment_date, latest_purchase_orders.agreed_payment_date)
            as order_agreed_payment_date
    from latest_payments
    left join latest_transactions
        on latest_payments.transaction_id = latest_transactions.transaction_id
    left join latest_sales_orders
        on
            latest_transactions.transaction_type = 'SALE'
            and latest_transactions.sales_order_id = latest_sales_orders.sales_order_id
    left join latest_purchase_orders
        on
            latest_transactions.transaction_type = 'PURCHASE'
            and latest_transactions.purchase_order_id = latest_purchase_orders.purchase_order_id
    {%- if is_incremental() %}
        where latest_payments.payment_id in (select versions_to_check.payment_id from versions_to_check)
    {%- endif %}
),

current_mismatches as (
    select
        current_orders.payment_id,
        current_orders.payment_version_id,
        case
            when current_orders.order_id is null then 'no_order'
            when current_orders.payment_amount != current_orders.order_amount then 'amount'
            when current_orders.counterparty_id != current_orders.order_counterparty_id then 'counterparty'
            when current_orders.currency_id != current_orders.order_currency_id then 'currency'
            when current_orders.payment_date != current_orders.order_agreed_payment_date then 'payment_date'
            -- an unknown payment type is an orphan key (orphan_key), not a mismatch
            when payment_type_kinds.transaction_type != current_orders.transaction_type then 'payment_type'
        end as payment_mismatch
    from current_orders
    left join payment_type_kinds
        on current_orders.payment_type_id = payment_type_kinds.payment_type_id
),

final as (
    select
        versions_to_check.payment_version_id,
        versions_to_check.payment_id,
        versions_to_check.load_id,
        {{ dlt_load_time('versions_to_check.load_id') }} as loaded_at,
        case
            when current_mismatches.payment_version_id = versions_to_check.payment_version_id then 'current'
            else 'superseded'
        end as record_status,
        case
            when not exists (
                select 1 from latest_transactions
                where latest_transactions.transaction_id = versions_to_check.transaction_id
            ) then 'transaction_id'
            when not exists (
                select 1 from counterparties
                where counterparties.counterparty_id = versions_to_check.counterparty_id
            ) then 'counterparty_id'
            when not exists (
                select 1 from currencies
                where currencies.currency_id = versions_to_check.currency_id
            ) then 'currency_id'
            when not exists (
                select 1 from payment_types
                where payment_types.payment_type_id = versions_to_check.payment_type_id
            ) then 'payment_type_id'
        end as orphan_key,
        case when versions_to_check.payment_date is null then 'payment_date' end as invalid_date,
        case
            when current_mismatches.payment_version_id = versions_to_check.payment_version_id
                then current_mismatches.payment_mismatch
        end as payment_mismatch,
        (select checked_through.load_id from checked_through) as checked_through_load_id
    from versions_to_check
    -- on the integer key, then the version compared: a cheaper join than on the version's hash
    left join current_mismatches
        on versions_to_check.payment_id = current_mismatches.payment_id
)

select * from final
