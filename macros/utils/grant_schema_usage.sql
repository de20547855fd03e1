{#-
    dbt grants privileges on relations only; reading them also needs USAGE on their schema. A schema no model
    has created yet (a build of other models only) is left alone.
-#}
{% macro grant_schema_usage(schema_name, role) -%}
    {%- if execute -%}
        do $$
        begin
            if exists (select 1 from pg_namespace where nspname = {{ dbt.string_literal(schema_name) }}) then
                execute format('grant usage on schema %I to %I', {{ dbt.string_literal(schema_name) }}, {{ dbt.string_literal(role) }});
            end if;
        end
        $$
    {%- endif -%}
{%- endmacro %}
