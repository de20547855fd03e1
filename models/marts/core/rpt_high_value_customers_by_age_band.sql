with

customer_spending as (
    select * from {{ ref('rpt_customer_spending') }}
),

high_value_customers as (
    select * from {{ ref('rpt_high_value_customers') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

active_by_band as (
    select
        age_band,
        count(*) as active_customers
    from customer_spending
    group by age_band
),

high_value_by_band as (
    select
        age_band,
        count(*) as high_value_customers,
        avg(age) as avg_age,
        sum(total_spent) as total_spent,
        sum(transaction_count) as transaction_count
    from high_value_customers
    group by age_band
),

all_high_value as (
    select count(*) as high_value_customers
    from high_value_customers
),

by_band as (
    select
        age_bands.age_band,
        age_bands.band_order as age_band_order,
        age_bands.min_age,
        age_bands.max_age,
        coalesce(active_by_band.active_customers, 0) as active_customers,
        coalesce(high_value_by_band.high_value_customers, 0) as high_value_customers,
        round(
            {{ safe_divide(
                'cast(coalesce(high_value_by_band.high_value_customers, 0) as numeric)',
                'all_high_value.high_value_customers'
            ) }},
            4
        ) as share_of_high_value_customers,
        round(
            {{ safe_divide(
                'cast(coalesce(high_value_by_band.high_value_customers, 0) as numeric)',
                'active_by_band.active_customers'
            ) }},
            4
        ) as high_value_rate,
        round(high_value_by_band.avg_age, 1) as avg_age,
        coalesce(high_value_by_band.total_spent, 0) as total_spent,
        round(
            {{ safe_divide('high_value_by_band.total_spent', 'high_value_by_band.high_value_customers') }},
            2
        ) as avg_spent_per_customer,
        round(
            {{ safe_divide('high_value_by_band.total_spent', 'high_value_by_band.transaction_count') }},
            2
        ) as avg_transaction_value,
        cast({{ var('high_value_threshold') }} as numeric) as high_value_threshold
    from age_bands
    left join active_by_band
        on age_bands.age_band = active_by_band.age_band
    left join high_value_by_band
        on age_bands.age_band = high_value_by_band.age_band
    cross join all_high_value
)

select * from by_band
