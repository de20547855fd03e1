-- Every high-value customer is active and spent more than var high_value_threshold,
-- and no such customer is missing.
with

high_value_customers as (
    select * from {{ ref('rpt_high_value_customers') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

expected as (
    select customer_id
    from customers
    where is_active and total_spent > {{ var('high_value_threshold') }}
),

wrongly_listed as (
    select
        high_value_customers.customer_id,
        'listed but not active or not above the threshold' as problem
    from high_value_customers
    left join expected
        on high_value_customers.customer_id = expected.customer_id
    where expected.customer_id is null
),

missing as (
    select
        expected.customer_id,
        'active and above the threshold but not listed' as problem
    from expected
    left join high_value_customers
        on expected.customer_id = high_value_customers.customer_id
    where high_value_customers.customer_id is null
)

select
    customer_id,
    problem
from wrongly_listed
union all
select
    customer_id,
    problem
from missing
