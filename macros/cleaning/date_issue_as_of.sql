{#-
    Reject reason of a transaction date as of a day (source_today(): the shop's day when the build runs): the
    text's own reason (date_issue: missing_date, invalid_date) when it is no date, future_date when the date is
    after that day, else null. A date reason stored by an earlier build is not trusted: a date that was future
    then is judged again, so it becomes valid when its day comes.
-#}
{% macro date_issue_as_of(date_column, text_issue_column, as_of) -%}
    case
        when {{ date_column }} is null then {{ text_issue_column }}
        when {{ date_column }} > {{ as_of }} then 'future_date'
    end
{%- endmacro %}
