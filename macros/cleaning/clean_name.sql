{% macro clean_name(column) -%}
    nullif(initcap({{ replace_pattern(trim_whitespace(column), '[[:space:]]+', ' ') }}), '')
{%- endmacro %}
