{% macro country_key(column) -%}
    nullif(lower({{ trim_whitespace(column) }}), '')
{%- endmacro %}
