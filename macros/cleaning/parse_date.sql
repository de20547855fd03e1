{#-
    The day of a date or time text -> date; null when the text is in none of the accepted shapes or is not a real
    calendar date or time ('2024-02-30', '2024-01-01 25:00:00'). Accepted (data_rules.md, "Transactions"):
    'YYYY-MM-DD', 'YYYY/MM/DD', 'YYYY-MM-DD HH:MI:SS' with up to six digits of fractional seconds (the day as
    written), and the same with a UTC offset '+HH' or '+HH:MM' (a moment: its day in the shop's time zone, var
    source_timezone). The shape is checked first, with every ASCII digit turned into a 9 (cheaper than a regular
    expression on millions of rows; the regular expressions only see the rarer shapes); only then are the digits
    cast, to check the month, the day against the length of the month, the time, the offset (at most 14:59) and
    year >= 1, so no input can make the query fail; a day that the offset moves out of the years 1-9999 is no
    date either (clients such as Python cannot read it). Takes the trimmed text (trim_whitespace).
-#}
{% macro parse_date(trimmed) -%}
    {%- set shape = "translate(" ~ trimmed ~ ", '0123456789', '9999999999')" -%}
    {%- set year = 'cast(substring(' ~ trimmed ~ ', 1, 4) as integer)' -%}
    {%- set month = 'cast(substring(' ~ trimmed ~ ', 6, 2) as integer)' -%}
    {%- set day = 'cast(substring(' ~ trimmed ~ ', 9, 2) as integer)' -%}
    {%- set hour = 'cast(substring(' ~ trimmed ~ ', 12, 2) as integer)' -%}
    {%- set minute = 'cast(substring(' ~ trimmed ~ ', 15, 2) as integer)' -%}
    {%- set second = 'cast(substring(' ~ trimmed ~ ', 18, 2) as integer)' -%}
    {#- '+HH:MM' or '+HH' at the end: ':' is the third character from the end only in the first -#}
    {%- set has_offset_minutes = "substring(" ~ trimmed ~ ", length(" ~ trimmed ~ ") - 2, 1) = ':'" -%}
    {%- set offset_hour = 'cast(substring(' ~ trimmed ~ ', length(' ~ trimmed ~ ') - case when '
        ~ has_offset_minutes ~ ' then 4 else 1 end, 2) as integer)' -%}
    {%- set offset_minute = 'case when ' ~ has_offset_minutes ~ ' then cast(right(' ~ trimmed
        ~ ', 2) as integer) else 0 end' -%}
    {%- set is_real_day = year ~ ' >= 1 and ' ~ month ~ ' between 1 and 12 and ' ~ day ~ ' between 1 and '
        ~ days_in_month(year, month) -%}
    {%- set is_real_time = hour ~ ' <= 23 and ' ~ minute ~ ' <= 59 and ' ~ second ~ ' <= 59' -%}
    {%- set as_written = dbt.replace('substring(' ~ trimmed ~ ', 1, 10)', "'/'", "'-'") -%}
    {%- set local_day = to_local_date('cast(' ~ trimmed ~ ' as timestamp with time zone)', source_timezone()) -%}
    case
        when {{ shape }} in ('9999-99-99', '9999/99/99')
            then case when {{ is_real_day }} then cast({{ as_written }} as date) end
        when
            {{ shape }} = '9999-99-99 99:99:99'
            or {{ matches_pattern(shape, '^9999-99-99 99:99:99[.]9{1,6}$') }}
            then case when {{ is_real_day }} and {{ is_real_time }} then cast({{ as_written }} as date) end
        when {{ matches_pattern(shape, '^9999-99-99 99:99:99([.]9{1,6})?[+-]99(:99)?$') }}
            then case
                when
                    {{ is_real_day }}
                    and {{ is_real_time }}
                    and {{ offset_hour }} <= 14
                    and {{ offset_minute }} <= 59
                    and {{ local_day }} between cast('0001-01-01' as date) and cast('9999-12-31' as date)
                    then {{ local_day }}
            end
    end
{%- endmacro %}
