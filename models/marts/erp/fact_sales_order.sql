{#-
    The Sales star's fact: one row per captured version of a sales order (facts keep history: a correction of
    units, price or dates is a new row beside the original), fact_sales_order_current the latest of each.
    Incremental: a run appends the versions raw holds that are not here yet - by version, not by load id, so a
    version landed late by a load completed later is still appended - and numbers them on from the highest
    sales_record_id in the order of their load, their last_updated and their id: a full rebuild numbers them the
    same way.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        indexes=[
            {'columns': ['sales_order_id', 'last_updated_date', 'last_updated_time'], 'unique': true},
        ],
    )
}}

with

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

new_versions as (
    select
        sales_order_id,
        created_at,
        last_updated,
        staff_id,
        counterparty_id,
        units_sold,
        unit_price,
        currency_id,
        design_id,
        agreed_payment_date,
        agreed_delivery_date,
        agreed_delivery_location_id,
        load_id
    from sales_orders
    {% if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as loaded
            where
                loaded.sales_order_id = sales_orders.sales_order_id
                and loaded.last_updated_date = cast(sales_orders.last_updated as date)
                and loaded.last_updated_time = cast(sales_orders.last_updated as time)
        )
    {% endif %}
),

numbered as (
    select
        {% if is_incremental() %}
            (select coalesce(max(loaded.sales_record_id), 0) from {{ this }} as loaded)
        {% else %}
            0
        {% endif %}
        + cast(row_number() over (
            order by cast(load_id as numeric), last_updated, sales_order_id
        ) as integer) as sales_record_id,
        sales_order_id,
        cast(created_at as date) as created_date,
        cast(created_at as time) as created_time,
        cast(last_updated as date) as last_updated_date,
        cast(last_updated as time) as last_updated_time,
        staff_id as sales_staff_id,
        counterparty_id,
        units_sold,
        unit_price,
        currency_id,
        design_id,
        agreed_payment_date,
        agreed_delivery_date,
        agreed_delivery_location_id,
        load_id
    from new_versions
)

select * from numbered
