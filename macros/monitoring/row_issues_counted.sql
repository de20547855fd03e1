{#-
    The CTEs that turn one source's rows into the common long shape of the data-quality marts (seed
    data_quality_rules): `rows` is a CTE with load_id, loaded_at and the text columns named in `issue_columns`.
    Rows are first counted per load and combination of issue values (an issue profile: a few hundred groups,
    read in one scan of the rows), and each profile is then unpivoted into one row per issue column, so the
    marts can still tell how many rows have any missing value without reading the rows again. Ends with CTE
    row_issues.
-#}
{% macro row_issues_counted(source_name, rows, issue_columns) -%}
issue_profiles as (
    select
        load_id,
        min(loaded_at) as loaded_at,
        {%- for column in issue_columns %}
            {{ column }},
        {%- endfor %}
        count(*) as row_count
    from {{ rows }}
    group by
        load_id,
        {%- for column in issue_columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
),

issue_profiles_keyed as (
    select
        {{ generate_surrogate_key(["'" ~ source_name ~ "'", 'load_id'] + issue_columns) }} as issue_profile_id,
        load_id,
        loaded_at,
        {%- for column in issue_columns %}
            {{ column }},
        {%- endfor %}
        row_count
    from issue_profiles
),

row_issues as (
    {%- for column in issue_columns %}
        select
            {{ generate_surrogate_key(['issue_profile_id', "'" ~ column ~ "'"]) }} as row_issue_id,
            cast('{{ source_name }}' as {{ dbt.type_string() }}) as source_name,
            load_id,
            loaded_at,
            issue_profile_id,
            cast('{{ column }}' as {{ dbt.type_string() }}) as issue_column,
            cast({{ column }} as {{ dbt.type_string() }}) as issue_value,
            row_count
        from issue_profiles_keyed
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)
{%- endmacro %}
