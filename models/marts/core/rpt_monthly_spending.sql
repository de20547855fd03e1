{#-
    One row per calendar month of valid transactions, so the analysts' monthly question reads a few rows instead
    of a million transactions. Buyers are counted from the distinct (customer, month) pairs: one sort of the
    transactions in all, where count(distinct) per month would sort every month's rows again.
-#}

with

transactions as (
    select * from {{ ref('fct_transactions') }}
),

with_month as (
    select
        -- truncated as a timestamp without time zone: a date would be converted through the session time zone
        cast(
            {{ dbt.date_trunc('month', 'cast(transaction_date as ' ~ dbt.type_timestamp() ~ ')') }} as date
        ) as month_start,
        customer_id,
        amount
    from transactions
),

monthly_totals as (
    select
        month_start,
        count(*) as transaction_count,
        sum(amount) as total_spent
    from with_month
    group by month_start
),

customer_months as (
    select distinct
        customer_id,
        month_start
    from with_month
),

monthly_buyers as (
    select
        month_start,
        count(*) as buying_customers
    from customer_months
    group by month_start
),

final as (
    select
        monthly_totals.month_start,
        monthly_totals.transaction_count,
        monthly_buyers.buying_customers,
        monthly_totals.total_spent,
        round(
            {{ safe_divide('monthly_totals.total_spent', 'monthly_totals.transaction_count') }}, 2
        ) as avg_transaction_value
    from monthly_totals
    inner join monthly_buyers
        on monthly_totals.month_start = monthly_buyers.month_start
)

select * from final
