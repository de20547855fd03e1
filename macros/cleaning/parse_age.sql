{#-
    A whole number ('34', '34.0') in 0-120, else null. The regex runs before any cast. Takes the trimmed text
    (trim_whitespace).
-#}
{% macro parse_age(trimmed) -%}
    case
        when {{ matches_pattern(trimmed, '^[0-9]+([.]0*)?$') }}
            then case
                when cast({{ trimmed }} as numeric) <= 120
                    then cast(cast({{ trimmed }} as numeric) as integer)
            end
    end
{%- endmacro %}
