{#-
    Why parse_bool fell back to false: missing or invalid; null when the value was a known yes/no word. Takes the
    trimmed text (trim_whitespace).
-#}
{% macro bool_issue(trimmed) -%}
    {%- set lowered = 'lower(' ~ trimmed ~ ')' -%}
    case
        when coalesce({{ lowered }}, '') = '' then 'missing'
        when {{ lowered }} in ('yes', 'y', '1', 'true', 't', 'no', 'n', '0', 'false', 'f') then null
        else 'unrecognised'
    end
{%- endmacro %}
