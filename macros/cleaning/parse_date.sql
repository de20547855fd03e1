{#-
    'YYYY-MM-DD', 'YYYY/MM/DD' or 'YYYY-MM-DD HH:MI:SS' -> date; null when the text is in none of these formats or
    is not a real calendar date or time ('2024-02-30', '2024-01-01 25:00:00'). Only digits checked by the regex are
    ever cast, and the date is built only after the calendar check, so no input can make the query fail.
-#}
{% macro parse_date(column) -%}
    {%- set trimmed = trim_whitespace(column) -%}
    {%- set year = 'cast(substring(' ~ trimmed ~ ', 1, 4) as integer)' -%}
    {%- set month = 'cast(substring(' ~ trimmed ~ ', 6, 2) as integer)' -%}
    {%- set day = 'cast(substring(' ~ trimmed ~ ', 9, 2) as integer)' -%}
    case
        when
            {{ matches_pattern(trimmed, '^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$') }}
            or {{ matches_pattern(trimmed, '^[0-9]{4}/[0-9]{2}/[0-9]{2}$') }}
            then case
                when
                    {{ year }} >= 1
                    and {{ month }} between 1 and 12
                    and {{ day }} between 1 and {{ days_in_month(year, month) }}
                    and (
                        length({{ trimmed }}) = 10
                        or (
                            cast(substring({{ trimmed }}, 12, 2) as integer) <= 23
                            and cast(substring({{ trimmed }}, 15, 2) as integer) <= 59
                            and cast(substring({{ trimmed }}, 18, 2) as integer) <= 59
                        )
                    )
                    then cast(
                        {{ dbt.concat([
                            "substring(" ~ trimmed ~ ", 1, 4)", "'-'",
                            "substring(" ~ trimmed ~ ", 6, 2)", "'-'",
                            "substring(" ~ trimmed ~ ", 9, 2)"
                        ]) }} as date
                    )
            end
    end
{%- endmacro %}
