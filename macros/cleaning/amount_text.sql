{#-
    The amount without one leading '$', still text (thousands separators kept for the pattern check). Takes the
    trimmed text (trim_whitespace).
-#}
{% macro amount_text(trimmed) -%}
    case when left({{ trimmed }}, 1) = '$' then substring({{ trimmed }}, 2) else {{ trimmed }} end
{%- endmacro %}

{#-
    True when the amount text is a number: digits with an optional sign and decimals, thousands separators only
    in groups of three ('1,234.50' yes; '1.234,50' and '12,34' no).
-#}
{% macro is_amount_number(amount_text_expression) -%}
    coalesce(
        {{ matches_pattern(amount_text_expression, '^[+-]?(([0-9]+|[0-9]{1,3}(,[0-9]{3})+)([.][0-9]*)?|[.][0-9]+)$') }},
        false
    )
{%- endmacro %}
