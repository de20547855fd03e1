{#- The amount with whitespace, one leading '$' and thousands separators removed, still text. -#}
{% macro amount_text(column) -%}
    replace({{ replace_pattern(trim_whitespace(column), '^[$]', '') }}, ',', '')
{%- endmacro %}
