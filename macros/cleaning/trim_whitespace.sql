{#-
    Leading and trailing whitespace removed (spaces, tabs, line breaks). Staging trims each raw text column once,
    in its base model; the parsing rules below take that trimmed text.
-#}
{% macro trim_whitespace(column) -%}
    {{ replace_pattern(column, '^[[:space:]]+|[[:space:]]+$', '') }}
{%- endmacro %}
