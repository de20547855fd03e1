{#-
    New and repeat card holders per trading day, chain-wide: a card holder (a keyed hash of the card number, never
    the number) is new on the day of their first card order, and repeat on any later day they pay by card. Cash
    orders and cards Excel destroyed have no card holder and are not counted.
-#}
with

orders as (
    select * from {{ ref('fct_tills_orders') }}
),

holder_days as (
    select distinct
        card_holder,
        trading_date
    from orders
    where card_holder is not null
),

first_days as (
    select
        card_holder,
        min(trading_date) as first_trading_date
    from holder_days
    group by card_holder
),

card_orders as (
    select
        trading_date,
        cast(count(*) as bigint) as card_orders
    from orders
    where card_holder is not null
    group by trading_date
),

daily as (
    select
        holder_days.trading_date,
        cast(count(*) as bigint) as card_holders,
        cast(
            sum(case when holder_days.trading_date = first_days.first_trading_date then 1 else 0 end)
            as bigint
        ) as new_card_holders
    from holder_days
    inner join first_days
        on holder_days.card_holder = first_days.card_holder
    group by holder_days.trading_date
),

final as (
    select
        daily.trading_date,
        card_orders.card_orders,
        daily.card_holders,
        daily.new_card_holders,
        daily.card_holders - daily.new_card_holders as repeat_card_holders
    from daily
    inner join card_orders
        on daily.trading_date = card_orders.trading_date
)

select * from final
