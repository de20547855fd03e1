-- The months of rpt_monthly_spending add up to fct_transactions: every valid transaction and amount counted
-- in exactly one month.
with

monthly_spending as (
    select * from {{ ref('rpt_monthly_spending') }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
),

monthly_totals as (
    select
        coalesce(sum(transaction_count), 0) as transaction_count,
        coalesce(sum(total_spent), 0) as total_spent
    from monthly_spending
),

transaction_totals as (
    select
        count(*) as transaction_count,
        coalesce(sum(amount), 0) as total_spent
    from transactions
)

select
    monthly_totals.transaction_count,
    transaction_totals.transaction_count as expected_transaction_count,
    monthly_totals.total_spent,
    transaction_totals.total_spent as expected_total_spent
from monthly_totals
cross join transaction_totals
where
    monthly_totals.transaction_count != transaction_totals.transaction_count
    or monthly_totals.total_spent != transaction_totals.total_spent
