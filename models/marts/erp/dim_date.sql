{#-
    The calendar of the three stars: one row per day from the earliest to the latest date any fact references
    (created, last updated, agreed delivery and payment, payment date - agreed deliveries reach ~650 days ahead),
    within 1900-2099: a typo such as '9999-12-31' must not make millions of days (its fact row stays, and the
    relationships test to dim_date warns). day_of_week is ISO: 1 = Monday ... 7 = Sunday. Generated, not read
    from the source; Postgres' generate_series.
-#}
with

sales_orders as (
    select * from {{ ref('fact_sales_order') }}
),

purchase_orders as (
    select * from {{ ref('fact_purchase_order') }}
),

payments as (
    select * from {{ ref('fact_payment') }}
),

referenced_dates as (
    select created_date as referenced_date from sales_orders
    union all
    select last_updated_date from sales_orders
    union all
    select agreed_payment_date from sales_orders
    union all
    select agreed_delivery_date from sales_orders
    union all
    select created_date from purchase_orders
    union all
    select last_updated_date from purchase_orders
    union all
    select agreed_payment_date from purchase_orders
    union all
    select agreed_delivery_date from purchase_orders
    union all
    select created_date from payments
    union all
    select last_updated_date from payments
    union all
    select payment_date from payments
),

date_range as (
    select
        min(referenced_date) as first_date,
        max(referenced_date) as last_date
    from referenced_dates
    where referenced_date between cast('1900-01-01' as date) and cast('2099-12-31' as date)
),

days as (
    select cast(generate_series(first_date, last_date, interval '1 day') as date) as date_id
    from date_range
),

final as (
    select
        date_id,
        cast(extract(year from date_id) as integer) as year,  -- noqa: RF04
        cast(extract(month from date_id) as integer) as month,  -- noqa: RF04
        cast(extract(day from date_id) as integer) as day,  -- noqa: RF04
        cast(extract(isodow from date_id) as integer) as day_of_week,
        cast(trim(to_char(date_id, 'Day')) as varchar) as day_name,
        cast(trim(to_char(date_id, 'Month')) as varchar) as month_name,
        cast(extract(quarter from date_id) as integer) as quarter  -- noqa: RF04
    from days
)

select * from final
