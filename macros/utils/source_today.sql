{#-
    The shop's current day: today in its time zone (var source_timezone) when the query runs, or var as_of_date
    when it is set ('YYYY-MM-DD': a replay of the rules as of that day, or a test of a later day).
-#}
{% macro source_today() -%}
    {%- set as_of_date = var('as_of_date', none) -%}
    {%- if as_of_date -%}
        cast('{{ as_of_date | string | replace("'", "''") }}' as date)
    {%- else -%}
        {{ to_local_date(dbt.current_timestamp(), source_timezone()) }}
    {%- endif -%}
{%- endmacro %}
