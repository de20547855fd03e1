{#- ISO country code -> English name through seed countries; 'Unknown' for 'ZZ' or a code not in the seed. -#}
{% macro country_name(country_code) -%}
    coalesce(
        (
            select countries.country_name
            from {{ ref('countries') }} as countries
            where countries.country_code = {{ country_code }}
        ),
        'Unknown'
    )
{%- endmacro %}
