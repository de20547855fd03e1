{#-
    Post-hook: fresh planner statistics for a table just built. Without them Postgres guesses the size of a new
    table (200 distinct values of anything) and picks plans - sorts, hash sizes, join orders - that cost the next
    models and the tests minutes on millions of rows. Seeds too: a join to a seed
    estimated at 880 rows instead of 11 once sent a 5M-row model into an external sort. Views need none.
-#}
{% macro analyze_table() -%}
    {{ return(adapter.dispatch('analyze_table', 'customer_warehouse')()) }}
{%- endmacro %}

{% macro default__analyze_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental', 'snapshot', 'seed') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
