with

customers as (
    select * from {{ ref('dim_customers') }}
),

by_country as (
    select
        country_code,
        country_name,
        count(*) as customers,
        cast(sum(transaction_count) as bigint) as transaction_count,
        sum(total_spent) as total_spent
    from customers
    group by
        country_code,
        country_name
),

all_countries as (
    select sum(total_spent) as total_spent
    from by_country
),

with_share as (
    select
        by_country.country_code,
        by_country.country_name,
        by_country.customers,
        by_country.transaction_count,
        by_country.total_spent,
        round({{ safe_divide('by_country.total_spent', 'all_countries.total_spent') }}, 4) as share_of_spend
    from by_country
    cross join all_countries
)

select * from with_share
