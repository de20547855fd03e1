-- Which 10 designs sell the most units?
with

top_designs as (
    select * from {{ ref('rpt_erp_top_designs') }}
)

select
    units_rank,
    design_id,
    design_name,
    sales_orders,
    units_sold
from top_designs
where units_rank <= 10
order by units_rank, design_id
