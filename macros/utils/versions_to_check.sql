{#-
    The pieces of an incremental check of every captured version of an ERP table (int_erp_*_checked, one row per
    version with its issues, delete+insert on the version's key), so a refresh checks what one day changed.

    checked_through: CTE checked_through, the newest load in the incremental tables the check reads
    (`input_models`, refs: its own staging, and for payments the latest transactions and orders); the model writes
    it as checked_through_load_id. A build that did not bring those up to date (a partial --select) thus does not
    claim loads it has not read.

    new_erp_load_ids: on an incremental run, the ids of the ERP's completed loads (completed before this build:
    macro completed_before_this_build) newer than the newest checked_through_load_id here and not newer than the
    newest load in `input_models`, read when the model runs (run_query), so the SQL carries them as literals: the
    planner then knows from the columns' statistics how few rows a day's loads hold, and reaches them through the
    indexes; as a subquery it guesses half of every table and hashes them all. in_loads: `column` in those ids.
    rows_in_loads: whether a relation holds a row of those loads.

    versions_to_check: CTE versions_to_check, the rows of `versions` (key_column, load_id) to check on this run -
    on a full build all of them; on an incremental run every version of a key that a new load captured, of a key
    with a version still pointing at no captured row (orphan_key: a late row may have come), and of the keys in
    CTE `also_touched` (a key_column of keys whose checks read other tables' new rows), if given.
-#}
{% macro newest_input_load(input_models) -%}
    greatest(
        {%- for model in input_models %}
            (select max(cast(load_id as numeric)) from {{ model }})
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{% macro checked_through(input_models) -%}
checked_through as (
    select cast({{ newest_input_load(input_models) }} as {{ dbt.type_string() }}) as load_id
),
{%- endmacro %}

{% macro new_erp_load_ids(input_models) -%}
    {#- referred to before the early return, so dbt sees the dependency when it parses the model -#}
    {%- set erp_loads = ref('stg_erp__loads') -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set new_loads -%}
        -- ingest/pipeline.py names each source's dlt pipeline <source>_to_raw
        select load_id
        from {{ erp_loads }}
        where
            pipeline_schema = 'erp_to_raw'
            and {{ completed_before_this_build('completed_at') }}
            and cast(load_id as numeric) > (
                select coalesce(max(cast(here.checked_through_load_id as numeric)), 0) from {{ this }} as here
            )
            and cast(load_id as numeric) <= {{ newest_input_load(input_models) }}
    {%- endset -%}
    {{ return(run_query(new_loads).columns[0].values() | list) }}
{%- endmacro %}

{#- rows_in_loads: whether `relation` (load_id) holds a row of those loads, read when the model runs. -#}
{% macro rows_in_loads(relation, load_ids) -%}
    {%- if not (execute and load_ids) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found -%}
        select exists (select 1 from {{ relation }} where {{ in_loads('load_id', load_ids) }})
    {%- endset -%}
    {{ return(run_query(found).columns[0].values()[0]) }}
{%- endmacro %}

{% macro in_loads(column, load_ids) -%}
    {%- if load_ids -%}
        {{ column }} in ({% for load_id in load_ids %}'{{ load_id }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{% macro versions_to_check(versions, key_column, new_load_ids, also_touched=none) -%}
{%- if is_incremental() -%}
    touched_keys as (
        select {{ versions }}.{{ key_column }} from {{ versions }}
        where {{ in_loads(versions ~ '.load_id', new_load_ids) }}
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
