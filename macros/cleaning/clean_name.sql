{#-
    Trimmed, inner whitespace (whitespace_class) collapsed to one space, initcap; empty -> null. Every whitespace
    run becomes one space first, so trimming is then only a space at either end: one regular expression instead
    of two.
-#}
{% macro clean_name(column) -%}
    nullif(initcap(trim({{ replace_pattern(column, whitespace_class() ~ '+', ' ') }})), '')
{%- endmacro %}
