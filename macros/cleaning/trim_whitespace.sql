{#-
    Leading and trailing whitespace removed (whitespace_class: ASCII and Unicode spaces, line breaks, zero-width
    spaces, BOM). Staging trims each raw text column once, in its base model; the parsing rules below take that
    trimmed text. Most values have printable ASCII at both ends and nothing to trim: two character codes tell so,
    and the regular expression (several times dearer) runs only on the rest.
-#}
{% macro trim_whitespace(column) -%}
    case
        when ascii({{ column }}) between 33 and 126 and ascii(right({{ column }}, 1)) between 33 and 126
            then {{ column }}
        else {{ replace_pattern(column, '^' ~ whitespace_class() ~ '+|' ~ whitespace_class() ~ '+$', '') }}
    end
{%- endmacro %}
