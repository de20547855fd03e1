{#- Why parse_age returned null: missing, non_numeric or out_of_range; null when the age is valid.
    Takes the trimmed text (trim_whitespace). -#}
{% macro age_issue(trimmed) -%}
    case
        when coalesce({{ trimmed }}, '') = '' then 'missing'
        when {{ matches_pattern(trimmed, '^[+-]?[0-9]+([.][0-9]*)?$') }}
            then case
                when not {{ matches_pattern(trimmed, '^[+-]?[0-9]+([.]0*)?$') }} then 'non_numeric'
                when cast({{ trimmed }} as numeric) < 0 or cast({{ trimmed }} as numeric) > 120 then 'out_of_range'
            end
        else 'non_numeric'
    end
{%- endmacro %}
