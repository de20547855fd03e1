{#-
    Grants the analyst role SELECT on these columns of the model only (Postgres column privileges), for a table
    whose other columns hold personal data: the model sets `grants={'select': []}` and calls this as a post-hook.
-#}
{% macro grant_columns_to_analysts(columns) -%}
    {%- set role = env_var('WAREHOUSE_ANALYST_ROLE', 'analyst') -%}
    {%- set quoted = [] -%}
    {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
    grant select ({{ quoted | join(', ') }}) on {{ this }} to {{ adapter.quote(role) }}
{%- endmacro %}
