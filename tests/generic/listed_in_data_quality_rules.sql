{#-
    accepted_values whose values are rows of seed data_quality_rules: fails on each value of the column (nulls
    pass) that is not an issue_value of that source_name and issue_column (default: the column's name). The one
    list of reject reasons, record statuses and issue values is the seed; no yml repeats it.
-#}
{% test listed_in_data_quality_rules(model, column_name, source_name, issue_column=none) %}

with

data_quality_rules as (
    select * from {{ ref('data_quality_rules') }}
),

listed_values as (
    select issue_value
    from data_quality_rules
    where
        source_name = '{{ source_name }}'
        and issue_column = '{{ issue_column or column_name }}'
),

column_values as (
    select
        {{ column_name }} as value_field,
        count(*) as n_records
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}
)

select
    column_values.value_field,
    column_values.n_records
from column_values
left join listed_values
    on column_values.value_field = listed_values.issue_value
where listed_values.issue_value is null

{% endtest %}
