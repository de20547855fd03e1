{#-
    The characters every cleaning rule treats as whitespace (data_rules.md, "Whitespace"), as a regular-expression
    bracket expression: ASCII tab, line feed, vertical tab, form feed, carriage return and space; every other
    Unicode White_Space character (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
    U+3000); and the invisible format characters that exports leave around values: zero width space, non-joiner
    and joiner (U+200B-U+200D), word joiner (U+2060) and the byte order mark (U+FEFF). Spelled out instead of
    [[:space:]], whose meaning depends on the database's locale (ASCII only under 'C').
    tests/python/data_rules_oracle.py holds the same set; tests/python/test_whitespace_rule.py checks they agree.
-#}
{% macro whitespace_class() -%}
    [\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]
{%- endmacro %}
