-- How much did we sell each month, in each currency? (current orders, mart rpt_erp_monthly_trade)
with

monthly_trade as (
    select * from {{ ref('rpt_erp_monthly_trade') }}
)

select
    month_start,
    currency_code,
    sales_orders,
    units_sold,
    sales_value
from monthly_trade
where sales_orders > 0
order by month_start, currency_code
