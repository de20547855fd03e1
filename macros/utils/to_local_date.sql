{% macro to_local_date(timestamp_column, time_zone) -%}
    {{ return(adapter.dispatch('to_local_date', 'customer_warehouse')(timestamp_column, time_zone)) }}
{%- endmacro %}

{% macro default__to_local_date(timestamp_column, time_zone) -%}
    cast(({{ timestamp_column }} at time zone {{ time_zone }}) as date)
{%- endmacro %}
