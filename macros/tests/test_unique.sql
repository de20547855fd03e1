{#-
    dbt's `unique` test for Postgres, with one shortcut: when the tested column of a table has a valid unique
    index of its own (one key column, no predicate, no expression), Postgres already refused every duplicate as
    the table was written, and the test passes without grouping the column. Counting millions of keys again
    was the most expensive test of a large build. Any other relation - a view, a table without such an index, an
    index over more columns or part of the rows - gets the full check, dbt's own query.
-#}
{% macro postgres__test_unique(model, column_name) -%}
    {%- set relation_name = model.render() if model is not string else none -%}

    with

    {% if relation_name -%}
        enforcing_index as (
            select indexes.indexrelid
            from pg_catalog.pg_index as indexes
            inner join pg_catalog.pg_attribute as index_columns
                on
                    indexes.indrelid = index_columns.attrelid
                    and indexes.indkey[0] = index_columns.attnum
            where
                indexes.indrelid = to_regclass('{{ relation_name }}')
                and indexes.indisunique
                and indexes.indisvalid
                and indexes.indnkeyatts = 1
                and indexes.indpred is null
                and indexes.indexprs is null
                and index_columns.attname = '{{ column_name }}'
        ),

    {% endif -%}
    duplicates as (
        select
            {{ column_name }} as unique_field,
            count(*) as n_records
        from {{ model }}
        where
            {{ column_name }} is not null
            {%- if relation_name %}
                and not exists (select enforcing_index.indexrelid from enforcing_index)
            {%- endif %}
        group by {{ column_name }}
        having count(*) > 1
    )

    select * from duplicates
{%- endmacro %}
