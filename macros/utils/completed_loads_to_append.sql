{#-
    The where-condition on a raw table's scan (its `_dlt_load_id`) of a staging table that keeps every captured
    version (the ERP's big tables, materialized incremental): the rows of completed dlt loads (raw._dlt_loads,
    status 0: dlt records a load once every file of its package is in; completed before this build started, macro
    completed_before_this_build) and, on an incremental run, only those of loads newer than the newest here. So each
    raw row is parsed once, when its load first completes, and every model downstream reads a table instead of
    re-parsing all of raw on each read. Safe because the ERP's loads complete in order (a package a crash left is
    finished before the next extract) and dlt's load ids grow with time. A filter of the scan itself, not a join
    above it: tests/python/test_planner_tricks.py.
-#}
{% macro completed_loads_to_append(load_id_column) -%}
    {{ load_id_column }} in (
        -- no alias after a source or ref: `dbt build --empty` puts a subquery with an alias of its own there
        select load_id from {{ source('erp', '_dlt_loads') }}
        where status = 0 and {{ completed_before_this_build('inserted_at') }}
    )
    and {{ loads_newer_than_here(load_id_column) }}
{%- endmacro %}
