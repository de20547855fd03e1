{#-
    The rows of CTE `versions` that are the latest version of their key: the first by `version_columns`,
    descending (compared in order), one row per `key_column`, with a `version_rank` column (always 1) beside the
    CTE's own. A window, not a self-join: a filter on the key outside reaches the table's index.
    For the ERP's raw versions the order is the load that captured a version, then its last_updated: a later
    load saw the source after the earlier one, even when the row it read carries an older stamp (a writer whose
    transaction began before the previous version's and committed after it). A load reads a key once, so no two
    versions tie.
-#}
{% macro latest_versions(versions, key_column, version_columns=['loaded_at', 'last_updated']) -%}
    select ranked.*
    from (
        select
            versions.*,
            row_number() over (
                partition by versions.{{ key_column }}
                order by
                    {%- for column in version_columns %}
                        versions.{{ column }} desc{% if not loop.last %},{% endif %}
                    {%- endfor %}
            ) as version_rank
        from {{ versions }} as versions
    ) as ranked
    where ranked.version_rank = 1
{%- endmacro %}
