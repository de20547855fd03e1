{#- The country lower-cased, null when empty: the lookup key of seed country_aliases. Takes the trimmed text. -#}
{% macro country_key(trimmed) -%}
    nullif(lower({{ trimmed }}), '')
{%- endmacro %}
