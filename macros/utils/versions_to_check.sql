{#-
    The CTEs of an incremental check of every captured version of an ERP table (int_erp_*_checked, one row per
    version with its issues, delete+insert on the version's key), so a refresh checks what one day changed.

    erp_load_watermark: CTE checked_through (the newest completed load of the ERP's pipeline: the model writes it
    as checked_through_load_id) and, on an incremental run, new_loads (the ERP's completed loads newer than the
    newest checked_through_load_id here).

    versions_to_check: CTE versions_to_check, the rows of `versions` (key_column, load_id) to check on this run -
    on a full build all of them; on an incremental run every version of a key that a new load captured, of a key
    with a version still pointing at no captured row (orphan_key: a late row may have come), and of the keys in
    CTE `also_touched` (a key_column of keys whose checks read other tables' new rows), if given.
-#}
{% macro erp_load_watermark() -%}
erp_loads as (
    -- ingest/pipeline.py names each source's dlt pipeline <source>_to_raw
    select load_id from {{ ref('stg_erp__loads') }}
    where pipeline_schema = 'erp_to_raw'
),

checked_through as (
    select cast(max(cast(erp_loads.load_id as numeric)) as {{ dbt.type_string() }}) as load_id from erp_loads
),
{%- if is_incremental() %}

    new_loads as (
        select erp_loads.load_id from erp_loads
        where cast(erp_loads.load_id as numeric) > (
            select coalesce(max(cast(here.checked_through_load_id as numeric)), 0) from {{ this }} as here
        )
    ),
{%- endif %}
{%- endmacro %}

{% macro versions_to_check(versions, key_column, also_touched=none) -%}
{%- if is_incremental() -%}
    touched_keys as (
        select {{ versions }}.{{ key_column }} from {{ versions }}
        where {{ versions }}.load_id in (select new_loads.load_id from new_loads)
        union
        select here.{{ key_column }} from {{ this }} as here
        where here.orphan_key is not null
        {%- if also_touched %}
            union
            select {{ also_touched }}.{{ key_column }} from {{ also_touched }}
        {%- endif %}
    ),

    versions_to_check as (
        select {{ versions }}.* from {{ versions }}
        where {{ versions }}.{{ key_column }} in (select touched_keys.{{ key_column }} from touched_keys)
    ),
{%- else -%}
    versions_to_check as (
        select * from {{ versions }}
    ),
{%- endif %}
{%- endmacro %}
