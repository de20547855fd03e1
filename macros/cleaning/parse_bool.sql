{#-
    yes/y/1/true/t -> true; everything else, empty and null included, -> false (not confirmed active). Takes the
    trimmed text (trim_whitespace).
-#}
{% macro parse_bool(trimmed) -%}
    case
        when lower({{ trimmed }}) in ('yes', 'y', '1', 'true', 't') then true
        else false
    end
{%- endmacro %}
