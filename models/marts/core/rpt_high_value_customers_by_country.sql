with

customer_spending as (
    select * from {{ ref('rpt_customer_spending') }}
),

high_value_customers as (
    select * from {{ ref('rpt_high_value_customers') }}
),

active_by_country as (
    select
        country_code,
        count(*) as active_customers
    from customer_spending
    group by country_code
),

high_value_by_country as (
    select
        country_code,
        count(*) as high_value_customers,
        avg(age) as avg_age,
        sum(total_spent) as total_spent,
        sum(transaction_count) as transaction_count
    from high_value_customers
    group by country_code
),

all_high_value as (
    select count(*) as high_value_customers
    from high_value_customers
),

country_names as (
    select distinct
        country_code,
        country_name
    from customer_spending
),

by_country as (
    select
        active_by_country.country_code,
        country_names.country_name,
        active_by_country.active_customers,
        coalesce(high_value_by_country.high_value_customers, 0) as high_value_customers,
        round(
            {{ safe_divide(
                'cast(coalesce(high_value_by_country.high_value_customers, 0) as numeric)',
                'all_high_value.high_value_customers'
            ) }},
            4
        ) as share_of_high_value_customers,
        round(
            {{ safe_divide(
                'cast(coalesce(high_value_by_country.high_value_customers, 0) as numeric)',
                'active_by_country.active_customers'
            ) }},
            4
        ) as high_value_rate,
        round(high_value_by_country.avg_age, 1) as avg_age,
        coalesce(high_value_by_country.total_spent, 0) as total_spent,
        round(
            {{ safe_divide(
                'high_value_by_country.total_spent',
                'high_value_by_country.high_value_customers'
            ) }},
            2
        ) as avg_spent_per_customer,
        round(
            {{ safe_divide('high_value_by_country.total_spent', 'high_value_by_country.transaction_count') }},
            2
        ) as avg_transaction_value,
        cast({{ var('high_value_threshold') }} as numeric) as high_value_threshold
    from active_by_country
    inner join country_names
        on active_by_country.country_code = country_names.country_code
    left join high_value_by_country
        on active_by_country.country_code = high_value_by_country.country_code
    cross join all_high_value
)

select * from by_country
