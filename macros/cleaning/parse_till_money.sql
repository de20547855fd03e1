{#-
    A till's money text -> numeric pounds (two decimals): '4.6', '6.0', '10.35', '6' (Excel's form of 6.0), '0.0'; null when it
    is anything else (a sign, a currency symbol, a thousands separator, more than two decimals). The pattern check
    runs before the cast. Takes trimmed text.
-#}
{% macro parse_till_money(trimmed) -%}
    case
        when {{ matches_pattern(trimmed, '^[0-9]{1,7}([.][0-9]{1,2})?$') }}
            then round(cast({{ trimmed }} as {{ dbt.type_numeric() }}), 2)
    end
{%- endmacro %}
