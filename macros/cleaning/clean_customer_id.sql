{#- customer_id upper-cased; empty -> null. Takes the trimmed text (trim_whitespace). -#}
{% macro clean_customer_id(trimmed) -%}
    nullif(upper({{ trimmed }}), '')
{%- endmacro %}
