{#- dbt grants privileges on relations only; reading them also needs USAGE on their schema. -#}
{% macro grant_schema_usage(schema_name, role) -%}
    {%- if execute -%}
        grant usage on schema {{ adapter.quote(schema_name) }} to {{ adapter.quote(role) }}
    {%- endif -%}
{%- endmacro %}
