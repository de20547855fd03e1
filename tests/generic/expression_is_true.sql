{#- dbt_utils' expression_is_true: rows where the expression is false fail; a null result passes. -#}
{% test expression_is_true(model, expression, column_name=none) %}

{%- set column_list = '*' if should_store_failures() else '1' %}

select {{ column_list }}
from {{ model }}
{%- if column_name is none %}
    where not ({{ expression }})
{%- else %}
    where not ({{ column_name }} {{ expression }})
{%- endif %}

{% endtest %}
