{#-
    'YYYY-MM-DD', 'YYYY/MM/DD' or 'YYYY-MM-DD HH:MI:SS' -> date; null when the text is in none of these formats or
    is not a real calendar date or time ('2024-02-30', '2024-01-01 25:00:00'). The pattern checks the format, month
    01-12, day 01-31 and the time; only then are the digits cast, to check year >= 1 and the length of the month,
    so no input can make the query fail. Takes the trimmed text (trim_whitespace).
-#}
{% macro parse_date(trimmed) -%}
    {%- set month_pattern = '(0[1-9]|1[0-2])' -%}
    {%- set day_pattern = '(0[1-9]|[12][0-9]|3[01])' -%}
    {%- set time_pattern = '( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?' -%}
    {%- set pattern = '^[0-9]{4}(-' ~ month_pattern ~ '-' ~ day_pattern ~ time_pattern
        ~ '|/' ~ month_pattern ~ '/' ~ day_pattern ~ ')$' -%}
    {%- set year = 'cast(substring(' ~ trimmed ~ ', 1, 4) as integer)' -%}
    {%- set month = 'cast(substring(' ~ trimmed ~ ', 6, 2) as integer)' -%}
    {%- set day = 'cast(substring(' ~ trimmed ~ ', 9, 2) as integer)' -%}
    case
        when {{ matches_pattern(trimmed, pattern) }}
            then case
                when {{ year }} >= 1 and {{ day }} <= {{ days_in_month(year, month) }}
                    then cast({{ dbt.replace('substring(' ~ trimmed ~ ', 1, 10)', "'/'", "'-'") }} as date)
            end
    end
{%- endmacro %}
