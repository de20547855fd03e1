-- Revenue, transactions and buying customers per month of valid transactions (mart rpt_monthly_spending).
with

monthly_spending as (
    select * from {{ ref('rpt_monthly_spending') }}
)

select
    month_start,
    transaction_count,
    buying_customers,
    total_spent as revenue
from monthly_spending
order by month_start
