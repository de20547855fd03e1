-- How much do active customers of each country spend, in total and per customer?
with

customer_spending as (
    select * from {{ ref('rpt_customer_spending') }}
),

by_country as (
    select
        country_code,
        country_name,
        count(*) as active_customers,
        sum(total_spent) as total_spent,
        sum(transaction_count) as transaction_count
    from customer_spending
    group by country_code, country_name
)

select
    country_code,
    country_name,
    active_customers,
    total_spent,
    round(total_spent / nullif(active_customers, 0), 2) as spent_per_customer,
    round(total_spent / nullif(transaction_count, 0), 2) as avg_transaction_value
from by_country
order by total_spent desc
