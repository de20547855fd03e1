{#-
    Reject reason of an amount, checked in the order of data_rules.md; null when the amount is valid.
    Takes the trimmed text (trim_whitespace) and the value parse_amount made of it.
-#}
{% macro amount_issue(trimmed, parsed_column) -%}
    case
        when coalesce({{ trimmed }}, '') = '' then 'missing_amount'
        when {{ parsed_column }} is null and {{ is_amount_number(amount_text(trimmed)) }}
            then 'amount_out_of_range'
        when {{ parsed_column }} is null then 'unparseable_amount'
        when {{ parsed_column }} <= 0 then 'non_positive_amount'
        when {{ parsed_column }} > {{ var('max_valid_amount') }} then 'amount_out_of_range'
    end
{%- endmacro %}
