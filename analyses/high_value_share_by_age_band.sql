-- Which age bands hold our high-value customers, and how likely is an active customer of each band to be one?
with

by_age_band as (
    select * from {{ ref('rpt_high_value_customers_by_age_band') }}
)

select
    age_band,
    active_customers,
    high_value_customers,
    share_of_high_value_customers,
    high_value_rate,
    avg_spent_per_customer
from by_age_band
order by age_band_order
