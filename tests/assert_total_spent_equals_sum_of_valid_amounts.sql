-- Every customer's total_spent and transaction_count equal the sum and count of its valid transactions.
with

customers as (
    select * from {{ ref('dim_customers') }}
),

-- The valid rows of the classification, not fct_transactions: dim_customers sums those, the test must not.
transactions as (
    select * from {{ ref('int_transactions_classified') }}
    where record_status = 'valid'
),

valid_totals as (
    select
        customer_id,
        count(*) as transaction_count,
        sum(amount) as total_spent
    from transactions
    group by customer_id
),

compared as (
    select
        customers.customer_id,
        customers.total_spent,
        customers.transaction_count,
        coalesce(valid_totals.total_spent, 0) as expected_total_spent,
        coalesce(valid_totals.transaction_count, 0) as expected_transaction_count
    from customers
    left join valid_totals
        on customers.customer_id = valid_totals.customer_id
)

select
    customer_id,
    total_spent,
    expected_total_spent,
    transaction_count,
    expected_transaction_count
from compared
where
    total_spent != expected_total_spent
    or transaction_count != expected_transaction_count
