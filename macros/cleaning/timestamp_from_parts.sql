{#-
    A timestamp from integer year, month, day, hour, minute and second expressions; null when they name no real
    instant (30 February, hour 24, minute 60) or a part is null, instead of an error that would stop the build.
-#}
{% macro timestamp_from_parts(year, month, day, hour, minute, second) -%}
    case
        when
            {{ month }} between 1 and 12
            and {{ day }} between 1 and {{ days_in_month(year, month) }}
            and {{ hour }} between 0 and 23
            and {{ minute }} between 0 and 59
            and {{ second }} between 0 and 59
            then make_timestamp({{ year }}, {{ month }}, {{ day }}, {{ hour }}, {{ minute }}, {{ second }})
    end
{%- endmacro %}
