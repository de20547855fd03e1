{#-
    dbt's `not_null` test for Postgres, with one shortcut: when the column is declared NOT NULL (the
    enforce_not_null post-hook does that for tested table columns), Postgres already refused every null as the
    rows were written, and the test passes without scanning. Any other relation - a view, a nullable column, a
    `where`-filtered test - gets dbt's full check.
-#}
{% macro postgres__test_not_null(model, column_name) -%}
    {%- set relation_name = model.render() if model is not string else none -%}
    {%- set column_list = '*' if should_store_failures() else column_name -%}

    with

    {% if relation_name -%}
        enforcing_constraint as (
            select columns.attnum
            from pg_catalog.pg_attribute as columns
            where
                columns.attrelid = to_regclass('{{ relation_name }}')
                and columns.attname = '{{ column_name }}'
                and columns.attnotnull
                and not columns.attisdropped
        ),

    {% endif -%}
    null_rows as (
        select {{ column_list }}
        from {{ model }}
        where
            {{ column_name }} is null
            {%- if relation_name %}
                and not exists (select enforcing_constraint.attnum from enforcing_constraint)
            {%- endif %}
    )

    select * from null_rows
{%- endmacro %}
