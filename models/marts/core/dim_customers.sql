{#-
    Spending is summed in one pass over fct_transactions with a hash per customer. Left to itself, Postgres reads
    the fact table in customer order through its customer_id index instead: 10M heap reads in random order, 49 s
    against 31 s for the whole model at scale 1000 (it underestimates the number of customers 2-fold). The
    pre-hook turns index scans off for this model's transaction only.
-#}
-- The key is unique-indexed after the rows are written (dbt-postgres `indexes`); as a contract primary key
-- it would be maintained row by row during the insert: 40 s more at 10M rows (docs/performance.md).
{{
    config(
        indexes=[
            {'columns': ['customer_id'], 'unique': true},
        ],
        pre_hook="set local enable_indexscan = off",
    )
}}

with

customers as (
    select * from {{ ref('int_customers_deduplicated') }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

spending as (
    select
        customer_id,
        count(*) as transaction_count,
        sum(amount) as total_spent,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date
    from transactions
    group by customer_id
),

customers_with_spending as (
    select
        customers.customer_id,
        customers.age,
        coalesce(age_bands.age_band, 'unknown') as age_band,
        coalesce(age_bands.band_order, 99) as age_band_order,
        customers.country_code,
        customers.country_name,
        customers.is_active,
        coalesce(spending.transaction_count, 0) as transaction_count,
        cast(coalesce(spending.total_spent, 0) as numeric(14, 2)) as total_spent,
        cast(
            round({{ safe_divide('spending.total_spent', 'spending.transaction_count') }}, 2) as numeric(
                12, 2
            )
        ) as avg_transaction_value,
        spending.first_transaction_date,
        spending.last_transaction_date,
        customers.is_active
        and coalesce(spending.total_spent, 0) > {{ var('high_value_threshold') }} as is_high_value,
        customers.customer_first_loaded_at as first_loaded_at,
        customers.exported_at as attributes_exported_at,
        customers.source_file
    from customers
    left join spending
        on customers.customer_id = spending.customer_id
    left join age_bands
        on customers.age between age_bands.min_age and age_bands.max_age
)

select * from customers_with_spending
