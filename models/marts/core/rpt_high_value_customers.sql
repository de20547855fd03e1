{#-
    Stored in the order analysts list it - by country, biggest spenders first - and indexed the same way: one
    country's list is then one ordered index range over adjacent rows, with no sort.
-#}
-- The key is unique-indexed after the rows are written (dbt-postgres `indexes`); as a contract primary key
-- it would be maintained row by row during the insert: 40 s more at 10M rows (docs/performance.md).
{{
    config(
        indexes=[
            {'columns': ['customer_id'], 'unique': true},
            {'columns': ['country_code', 'total_spent']},
        ],
    )
}}

with

customer_spending as (
    select * from {{ ref('rpt_customer_spending') }}
),

high_value_customers as (
    select
        customer_id,
        age,
        age_band,
        age_band_order,
        country_code,
        country_name,
        transaction_count,
        total_spent,
        avg_transaction_value,
        first_transaction_date,
        last_transaction_date
    from customer_spending
    where total_spent > {{ var('high_value_threshold') }}
    order by country_code asc, total_spent desc
)

select * from high_value_customers
