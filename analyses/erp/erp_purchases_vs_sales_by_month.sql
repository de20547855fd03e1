-- Did we buy more than we sold, month by month? Per currency: amounts are never added across currencies.
with

monthly_trade as (
    select * from {{ ref('rpt_erp_monthly_trade') }}
)

select
    month_start,
    currency_code,
    sales_value,
    purchase_value,
    sales_value - purchase_value as sales_less_purchases
from monthly_trade
order by month_start, currency_code
