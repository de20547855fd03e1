{#- The shop's time zone (var source_timezone, an IANA name such as 'Europe/Berlin') as a SQL literal. -#}
{% macro source_timezone() -%}
    '{{ var("source_timezone") | replace("'", "''") }}'
{%- endmacro %}
