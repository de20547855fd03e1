{#-
    The designs sold, by units (current state of each sales order), ranked. Units, not value: the orders are in
    three currencies.
-#}
with

sales_orders as (
    select * from {{ ref('fact_sales_order_current') }}
),

designs as (
    select * from {{ ref('dim_design') }}
),

sold as (
    select
        design_id,
        cast(count(*) as bigint) as sales_orders,
        cast(sum(units_sold) as bigint) as units_sold
    from sales_orders
    group by design_id
),

final as (
    select
        sold.design_id,
        designs.design_name,
        sold.sales_orders,
        sold.units_sold,
        cast(rank() over (order by sold.units_sold desc) as integer) as units_rank
    from sold
    left join designs
        on sold.design_id = designs.design_id
)

select * from final
