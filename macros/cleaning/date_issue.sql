{#-
    Reject reason of the text of a transaction date, in the order of data_rules.md: missing_date, invalid_date;
    null when it is a date. Takes the trimmed text (trim_whitespace) and the date parse_date made of it. Whether
    that date is in the future depends on the day of the build, so date_issue_as_of decides it, at build time.
-#}
{% macro date_issue(trimmed, parsed_column) -%}
    case
        when coalesce({{ trimmed }}, '') = '' then 'missing_date'
        when {{ parsed_column }} is null then 'invalid_date'
    end
{%- endmacro %}
