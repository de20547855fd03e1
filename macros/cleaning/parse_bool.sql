{#- yes/y/1/true/t -> true; everything else, empty and null included, -> false (not confirmed active). -#}
{% macro parse_bool(column) -%}
    case
        when lower({{ trim_whitespace(column) }}) in ('yes', 'y', '1', 'true', 't') then true
        else false
    end
{%- endmacro %}
