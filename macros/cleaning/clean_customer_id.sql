{% macro clean_customer_id(column) -%}
    nullif(upper({{ trim_whitespace(column) }}), '')
{%- endmacro %}
