{#-
    The rows of CTE `versions` that are the latest version of their key: no other row of the same `key_column`
    has later `version_columns` (compared as one row value, in order). The ERP's raw tables hold every captured
    version of a source row and a (key, last_updated) pair lands once (ingest/database_tables.py), so exactly one
    row per key is kept.
-#}
{% macro latest_versions(versions, key_column, version_columns=['last_updated']) -%}
    select versions.*
    from {{ versions }} as versions
    where not exists (
        select 1
        from {{ versions }} as later
        where
            later.{{ key_column }} = versions.{{ key_column }}
            and (
                {%- for column in version_columns %}later.{{ column }}{% if not loop.last %}, {% endif %}{% endfor -%}
            ) > (
                {%- for column in version_columns %}versions.{{ column }}{% if not loop.last %}, {% endif %}{% endfor -%}
            )
    )
{%- endmacro %}
