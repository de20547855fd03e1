{% macro replace_pattern(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('replace_pattern', 'customer_warehouse')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__replace_pattern(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
