{#-
    The condition on a dlt load's completion time (raw._dlt_loads.inserted_at) that it completed before this dbt
    invocation started (run_started_at): so every model of one build takes in the same loads, even when an ingest
    completes one while the build runs - a load some models took and others did not would be lost to the
    incremental models that compare loads with their own newest. The build after takes it.
-#}
{% macro completed_before_this_build(completed_at_column) -%}
    {{ completed_at_column }} <= cast('{{ run_started_at.isoformat() }}' as timestamp with time zone)
{%- endmacro %}
