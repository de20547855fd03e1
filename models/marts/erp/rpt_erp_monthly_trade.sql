{#-
    Sales and purchases per month and currency, from the current state of each order (fact_*_current: the
    history facts would count a corrected order twice). Amounts stay in their currency: they are never added
    across currencies. A month is the order's created_date.
-#}
with

sales_orders as (
    select * from {{ ref('fact_sales_order_current') }}
),

purchase_orders as (
    select * from {{ ref('fact_purchase_order_current') }}
),

currencies as (
    select * from {{ ref('dim_currency') }}
),

monthly_sales as (
    select
        cast({{ dbt.date_trunc('month', 'created_date') }} as date) as month_start,
        currency_id,
        cast(count(*) as bigint) as sales_orders,
        cast(sum(units_sold) as bigint) as units_sold,
        sum(units_sold * unit_price) as sales_value
    from sales_orders
    group by 1, 2
),

monthly_purchases as (
    select
        cast({{ dbt.date_trunc('month', 'created_date') }} as date) as month_start,
        currency_id,
        cast(count(*) as bigint) as purchase_orders,
        sum(item_quantity * item_unit_price) as purchase_value
    from purchase_orders
    group by 1, 2
),

monthly_trade as (
    select
        coalesce(monthly_sales.month_start, monthly_purchases.month_start) as month_start,
        coalesce(monthly_sales.currency_id, monthly_purchases.currency_id) as currency_id,
        coalesce(monthly_sales.sales_orders, 0) as sales_orders,
        coalesce(monthly_sales.units_sold, 0) as units_sold,
        coalesce(monthly_sales.sales_value, 0) as sales_value,
        coalesce(monthly_purchases.purchase_orders, 0) as purchase_orders,
        coalesce(monthly_purchases.purchase_value, 0) as purchase_value
    from monthly_sales
    full outer join monthly_purchases
        on
            monthly_sales.month_start = monthly_purchases.month_start
            and monthly_sales.currency_id = monthly_purchases.currency_id
),

final as (
    select
        {{ generate_surrogate_key(['monthly_trade.month_start', 'monthly_trade.currency_id']) }}
            as month_currency_id,
        monthly_trade.month_start,
        monthly_trade.currency_id,
        currencies.currency_code,
        monthly_trade.sales_orders,
        monthly_trade.units_sold,
        cast(monthly_trade.sales_value as numeric(16, 2)) as sales_value,
        monthly_trade.purchase_orders,
        cast(monthly_trade.purchase_value as numeric(16, 2)) as purchase_value
    from monthly_trade
    left join currencies
        on monthly_trade.currency_id = currencies.currency_id
)

select * from final
