{#-
    One row per source, load and issue class: how many raw rows the class touched. The classes are the rows of
    seed data_quality_rules with an issue_code (duplicates, stale versions, every reject reason, values resolved
    to null/default by rule, values only reformatted by cleaning), counted from each source's rows in the common
    long shape (int_row_issues_unioned); a class with no rows in a load is listed with row_count 0.
-#}
with

row_issues as (
    select * from {{ ref('int_row_issues_unioned') }}
),

data_quality_rules as (
    select * from {{ ref('data_quality_rules') }}
),

issue_classes as (
    select
        source_name,
        issue_column,
        issue_value,
        issue_category,
        issue_code
    from data_quality_rules
    where issue_code is not null
),

loads as (
    select distinct
        source_name,
        load_id
    from row_issues
),

issue_counts as (
    select
        row_issues.source_name,
        row_issues.load_id,
        issue_classes.issue_code,
        sum(row_issues.row_count) as row_count
    from row_issues
    inner join issue_classes
        on
            row_issues.source_name = issue_classes.source_name
            and row_issues.issue_column = issue_classes.issue_column
            and row_issues.issue_value = issue_classes.issue_value
    group by
        row_issues.source_name,
        row_issues.load_id,
        issue_classes.issue_code
),

issues as (
    select
        loads.source_name,
        loads.load_id,
        issue_classes.issue_category,
        issue_classes.issue_code,
        cast(coalesce(issue_counts.row_count, 0) as bigint) as row_count
    from loads
    inner join issue_classes
        on loads.source_name = issue_classes.source_name
    left join issue_counts
        on
            loads.source_name = issue_counts.source_name
            and loads.load_id = issue_counts.load_id
            and issue_classes.issue_code = issue_counts.issue_code
),

final as (
    select
        {{ generate_surrogate_key(['source_name', 'load_id', 'issue_code']) }} as data_quality_issue_id,
        source_name,
        load_id,
        issue_category,
        issue_code,
        row_count
    from issues
)

select * from final
