{#-
    'YYYY-MM-DD', 'YYYY/MM/DD' or 'YYYY-MM-DD HH:MI:SS' -> date; null when the text is in none of these formats or
    is not a real calendar date or time ('2024-02-30', '2024-01-01 25:00:00'). The shape is checked first, with
    every ASCII digit turned into a 9 (cheaper than a regular expression on millions of rows); only then are the
    digits cast, to check the month, the day against the length of the month, the time and year >= 1, so no input
    can make the query fail. Takes the trimmed text (trim_whitespace).
-#}
{% macro parse_date(trimmed) -%}
    {%- set shape = "translate(" ~ trimmed ~ ", '0123456789', '9999999999')" -%}
    {%- set year = 'cast(substring(' ~ trimmed ~ ', 1, 4) as integer)' -%}
    {%- set month = 'cast(substring(' ~ trimmed ~ ', 6, 2) as integer)' -%}
    {%- set day = 'cast(substring(' ~ trimmed ~ ', 9, 2) as integer)' -%}
    {%- set hour = 'cast(substring(' ~ trimmed ~ ', 12, 2) as integer)' -%}
    {%- set minute = 'cast(substring(' ~ trimmed ~ ', 15, 2) as integer)' -%}
    {%- set second = 'cast(substring(' ~ trimmed ~ ', 18, 2) as integer)' -%}
    case
        when {{ shape }} in ('9999-99-99', '9999/99/99', '9999-99-99 99:99:99')
            then case
                when
                    {{ year }} >= 1
                    and {{ month }} between 1 and 12
                    and {{ day }} between 1 and {{ days_in_month(year, month) }}
                    and (length({{ trimmed }}) = 10 or ({{ hour }} <= 23 and {{ minute }} <= 59 and {{ second }} <= 59))
                    then cast({{ dbt.replace('substring(' ~ trimmed ~ ', 1, 10)', "'/'", "'-'") }} as date)
            end
    end
{%- endmacro %}
