{#- '$1,234.50' -> 1234.50 (rounded to cents); null when not a number. The regex runs before the cast. -#}
{% macro parse_amount(column) -%}
    {%- set stripped = amount_text(column) -%}
    case
        when {{ matches_pattern(stripped, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$') }}
            then round(cast({{ stripped }} as {{ dbt.type_numeric() }}), 2)
    end
{%- endmacro %}
