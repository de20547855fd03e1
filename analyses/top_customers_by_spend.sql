-- Who are our 20 best active customers, and where do they live?
with

customer_spending as (
    select * from {{ ref('rpt_customer_spending') }}
),

ranked as (
    select
        customer_id,
        country_name,
        age_band,
        transaction_count,
        total_spent,
        avg_transaction_value,
        last_transaction_date,
        rank() over (order by total_spent desc) as spend_rank
    from customer_spending
)

select
    spend_rank,
    customer_id,
    country_name,
    age_band,
    transaction_count,
    total_spent,
    avg_transaction_value,
    last_transaction_date
from ranked
where spend_rank <= 20
order by spend_rank, customer_id
