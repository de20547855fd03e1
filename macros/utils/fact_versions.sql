{#-
    The two rules of a fact that keeps every captured version of a source row (the ERP's fact_sales_order,
    fact_purchase_order, fact_payment), in one place.

    versions_to_append: the where-condition on CTE `versions` (staging: key, last_updated, load_id) that keeps the
    versions of completed loads (dlt records a load once every file of its package is in) and, on an incremental
    run, only those of loads newer than the newest here - a filter at the raw scan, so a refresh parses one day's
    versions, not every version in raw (the ERP's loads complete in order: a package a crash left is finished
    before the next extract; tests/python/test_planner_tricks.py) - that are not here yet: the lag's re-read
    versions are not appended twice. The fact has last_updated_date, last_updated_time and load_id.
-#}
{% macro versions_to_append(versions, key_column, completed_loads) -%}
    {{ versions }}.load_id in (select {{ completed_loads }}.load_id from {{ completed_loads }})
    and {{ loads_newer_than_here(versions ~ '.load_id') }}
    {%- if is_incremental() %}
        and not exists (
            select 1
            from {{ this }} as loaded
            where
                loaded.{{ key_column }} = {{ versions }}.{{ key_column }}
                and loaded.last_updated_date = cast({{ versions }}.last_updated as date)
                and loaded.last_updated_time = cast({{ versions }}.last_updated as time)
        )
    {%- endif %}
{%- endmacro %}

{#-
    version_record_id: the fact's surrogate key of a version, numbered on from the highest here in the order of the
    versions' load, last_updated and key - so a full rebuild (of the same completed loads) numbers them the same
    way as the incremental runs did.
-#}
{% macro version_record_id(record_column, key_column) -%}
    {%- if is_incremental() -%}
        (select coalesce(max(loaded.{{ record_column }}), 0) from {{ this }} as loaded)
    {%- else -%}
        0
    {%- endif %}
    + cast(row_number() over (
        order by cast(load_id as numeric), last_updated, {{ key_column }}
    ) as integer)
{%- endmacro %}
