{#-
    The transactions, one per order (latest versions, SCD1): a SALE with its sales order, a PURCHASE with its
    purchase order.
-#}
with

latest_transactions as (
    select * from {{ ref('int_erp_transactions_latest') }}
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
