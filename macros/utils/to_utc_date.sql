{% macro to_utc_date(timestamp_column) -%}
    {{ return(adapter.dispatch('to_utc_date', 'customer_warehouse')(timestamp_column)) }}
{%- endmacro %}

{% macro default__to_utc_date(timestamp_column) -%}
    cast(({{ timestamp_column }} at time zone 'UTC') as date)
{%- endmacro %}
