{% macro set_session_timezone_utc() -%}
    {{ return(adapter.dispatch('set_session_timezone_utc', 'customer_warehouse')()) }}
{%- endmacro %}

{% macro default__set_session_timezone_utc() -%}
    set time zone 'UTC'
{%- endmacro %}
