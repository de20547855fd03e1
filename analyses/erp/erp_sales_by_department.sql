-- Which department's staff raise the most sales? By department, never by person: the analyst role cannot read
-- the staff's names (dim_staff's column privileges), and this needs none.
with

sales_orders as (
    select * from {{ ref('fact_sales_order_current') }}
),

-- Not `select *`: the analyst role may select only these columns of dim_staff (column privileges).
staff_departments as (
    select
        staff_id,
        department_name
    from {{ ref('dim_staff') }}
),

currencies as (
    select * from {{ ref('dim_currency') }}
),

by_department as (
    select
        staff_departments.department_name,
        sales_orders.currency_id,
        count(*) as sales_orders,
        count(distinct sales_orders.sales_staff_id) as staff_selling,
        sum(sales_orders.units_sold) as units_sold,
        sum(sales_orders.units_sold * sales_orders.unit_price) as sales_value
    from sales_orders
    left join staff_departments
        on sales_orders.sales_staff_id = staff_departments.staff_id
    group by
        staff_departments.department_name,
        sales_orders.currency_id
)

select
    by_department.department_name,
    currencies.currency_code,
    by_department.sales_orders,
    by_department.staff_selling,
    by_department.units_sold,
    by_department.sales_value
from by_department
left join currencies
    on by_department.currency_id = currencies.currency_id
order by by_department.department_name, currencies.currency_code
