{#-
    '$1,234.50' -> 1234.50 (rounded to cents); null when not a number, or a number too long to be an amount
    (more than 15 whole digits: amount_issue calls it out of range). The pattern check runs before the cast.
    Takes the trimmed text (trim_whitespace).
-#}
{% macro parse_amount(trimmed) -%}
    {%- set text = amount_text(trimmed) -%}
    {%- set plain = "replace(" ~ text ~ ", ',', '')" -%}
    case
        when {{ is_amount_number(text) }} and length({{ dbt.split_part(plain, "'.'", 1) }}) <= 16
            then round(cast({{ plain }} as {{ dbt.type_numeric() }}), 2)
    end
{%- endmacro %}
