-- Who are our 10 best customers in each currency, by sales value? (current state of each sales order)
with

sales_orders as (
    select * from {{ ref('fact_sales_order_current') }}
),

counterparties as (
    select * from {{ ref('dim_counterparty') }}
),

currencies as (
    select * from {{ ref('dim_currency') }}
),

by_counterparty as (
    select
        counterparty_id,
        currency_id,
        count(*) as sales_orders,
        sum(units_sold * unit_price) as sales_value
    from sales_orders
    group by
        counterparty_id,
        currency_id
),

ranked as (
    select
        counterparty_id,
        currency_id,
        sales_orders,
        sales_value,
        rank() over (partition by currency_id order by sales_value desc) as value_rank
    from by_counterparty
)

select
    currencies.currency_code,
    ranked.value_rank,
    ranked.counterparty_id,
    counterparties.counterparty_legal_name,
    ranked.sales_orders,
    ranked.sales_value
from ranked
left join counterparties
    on ranked.counterparty_id = counterparties.counterparty_id
left join currencies
    on ranked.currency_id = currencies.currency_id
where ranked.value_rank <= 10
order by currencies.currency_code, ranked.value_rank, ranked.counterparty_id
