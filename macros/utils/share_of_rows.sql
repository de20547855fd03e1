{#- part / total as a 0-1 share rounded to 4 decimals; with mode='complement', 1 - that share. Null when total is 0. -#}
{% macro share_of_rows(part, total, mode='share') -%}
    {%- set share = safe_divide('cast(' ~ part ~ ' as ' ~ dbt.type_numeric() ~ ')', total) -%}
    round({% if mode == 'complement' %}1 - {% endif %}{{ share }}, 4)
{%- endmacro %}
