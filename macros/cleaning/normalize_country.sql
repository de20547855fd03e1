{#- Country as written in the CRM -> ISO 3166-1 alpha-2 code through seed country_aliases; 'ZZ' when unknown. -#}
{% macro normalize_country(column) -%}
    coalesce(
        (
            select country_aliases.country_code
            from {{ ref('country_aliases') }} as country_aliases
            where country_aliases.alias = {{ country_key(column) }}
        ),
        'ZZ'
    )
{%- endmacro %}
