{#-
    Post-hook: NOT NULL on every column of a table that has a `not_null` test (error severity, no `where`). One
    ALTER TABLE checks them all in one pass over the table, and from then on Postgres refuses a null as rows are
    written; the project's not_null test (macros/tests/test_not_null.sql) then reads the catalog instead of
    scanning millions of rows once per column. A column that holds a null fails the build of its model here,
    naming the column, and the previous table stays in place. Views are left alone (their tests scan).
-#}
{% macro enforce_not_null() -%}
    {{ return(adapter.dispatch('enforce_not_null', 'customer_warehouse')()) }}
{%- endmacro %}

{% macro postgres__enforce_not_null() -%}
    {%- if execute and config.get('materialized') in ('table', 'incremental', 'snapshot') -%}
        {%- set columns = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'test'
                and node.attached_node == model.unique_id
                and (node.test_metadata or {}).get('name') == 'not_null'
                and node.config.severity | lower == 'error'
                and not node.config.where -%}
                {%- do columns.append(node.column_name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if columns -%}
            alter table {{ this }}
            {%- for column in columns | unique | sort %}
                alter column {{ adapter.quote(column) }} set not null{{ "," if not loop.last }}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
