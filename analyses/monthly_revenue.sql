-- Revenue and active buyers per month of valid transactions.
with

transactions as (
    select * from {{ ref('fct_transactions') }}
),

with_month as (
    select
        {{ dbt.date_trunc('month', 'transaction_date') }} as transaction_month,
        customer_id,
        amount
    from transactions
),

monthly as (
    select
        transaction_month,
        count(*) as transaction_count,
        count(distinct customer_id) as buying_customers,
        sum(amount) as revenue
    from with_month
    group by transaction_month
)

select
    transaction_month,
    transaction_count,
    buying_customers,
    revenue
from monthly
order by transaction_month
