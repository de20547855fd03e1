{#-
    Fails when the rows of `model` are not exactly accounted for by `parts`: a list of
    {relation: ref(...)/source(...), where: optional filter}, whose row counts must add up to the model's.
    Returns one row with both counts when they differ.
-#}
{% test row_count_reconciles(model, parts) %}

with

source_rows as (
    select count(*) as row_count
    from {{ model }}
),

accounted_rows as (
    {%- for part in parts %}
        select count(*) as row_count
        from {{ part.relation }}
        {%- if part.where is defined and part.where %}
            where {{ part.where }}
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

compared as (
    select
        source_rows.row_count as source_row_count,
        (select sum(accounted_rows.row_count) from accounted_rows) as accounted_row_count
    from source_rows
)

select
    source_row_count,
    accounted_row_count
from compared
where source_row_count != accounted_row_count

{% endtest %}
