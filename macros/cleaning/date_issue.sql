{#-
    Reject reason of a transaction date, checked in the order of data_rules.md; null when the date is valid.
    Takes the trimmed text (trim_whitespace), the date parse_date made of it and the load timestamp (a date after
    its UTC day is future).
-#}
{% macro date_issue(trimmed, parsed_column, loaded_at_column) -%}
    case
        when coalesce({{ trimmed }}, '') = '' then 'missing_date'
        when {{ parsed_column }} is null then 'invalid_date'
        when {{ parsed_column }} > {{ to_utc_date(loaded_at_column) }} then 'future_date'
    end
{%- endmacro %}
