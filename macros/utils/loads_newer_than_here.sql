{#-
    On an incremental run, the where-condition that keeps the rows of dlt loads newer than the newest load in this
    table (its load_id column); on a full build, every row. dlt's load ids are the Unix time of the load's start,
    so they compare as numbers.
-#}
{% macro loads_newer_than_here(load_id_column) -%}
    {%- if is_incremental() -%}
        cast({{ load_id_column }} as numeric) > (
            select coalesce(max(cast(loaded.load_id as numeric)), 0) from {{ this }} as loaded
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
