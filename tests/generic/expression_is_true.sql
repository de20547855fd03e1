{#- Fails on every row (optionally filtered by `condition`) where the boolean `expression` is not true. -#}
{% test expression_is_true(model, expression, condition='true') %}

select *
from {{ model }}
where
    ({{ condition }})
    and not coalesce(({{ expression }}), false)

{% endtest %}
