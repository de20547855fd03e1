{% macro trim_whitespace(column) -%}
    {{ replace_pattern(column, '^[[:space:]]+|[[:space:]]+$', '') }}
{%- endmacro %}
