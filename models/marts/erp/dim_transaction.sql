{#-
    The transactions, one per order (latest versions, SCD1): a SALE with its sales order, a PURCHASE with its
    purchase order.
-#}
with

transactions as (
    select * from {{ ref('stg_erp__transactions') }}
),

latest_transactions as (
    {{ latest_versions('transactions', 'transaction_id') }}
),

final as (
    select
        transaction_id,
        transaction_type,
        sales_order_id,
        purchase_order_id
    from latest_transactions
)

select * from final
