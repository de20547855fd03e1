{#-
    Seed data_quality_rules and the sources' rows agree: every value a source's rows carry in an issue column is a
    rule (else it would be counted nowhere), and every issue column a rule names for a source is one its model
    exposes (else the rule would count 0 rows for ever). Sources without rows yet are not judged.
-#}
with

row_issues as (
    select * from {{ ref('int_row_issues_unioned') }}
),

data_quality_rules as (
    select * from {{ ref('data_quality_rules') }}
),

unlisted_values as (
    select distinct
        row_issues.source_name,
        row_issues.issue_column,
        row_issues.issue_value,
        'value without a rule' as problem
    from row_issues
    left join data_quality_rules
        on
            row_issues.source_name = data_quality_rules.source_name
            and row_issues.issue_column = data_quality_rules.issue_column
            and row_issues.issue_value = data_quality_rules.issue_value
    where
        row_issues.issue_value is not null
        and data_quality_rules.source_name is null
),

exposed_columns as (
    select distinct
        source_name,
        issue_column
    from row_issues
),

sources_with_rows as (
    select distinct source_name
    from row_issues
),

unexposed_columns as (
    select distinct
        data_quality_rules.source_name,
        data_quality_rules.issue_column,
        cast(null as {{ dbt.type_string() }}) as issue_value,
        'rule on a column the source does not expose' as problem
    from data_quality_rules
    inner join sources_with_rows
        on data_quality_rules.source_name = sources_with_rows.source_name
    left join exposed_columns
        on
            data_quality_rules.source_name = exposed_columns.source_name
            and data_quality_rules.issue_column = exposed_columns.issue_column
    where exposed_columns.issue_column is null
),

problems as (
    select
        source_name,
        issue_column,
        issue_value,
        problem
    from unlisted_values
    union all
    select
        source_name,
        issue_column,
        issue_value,
        problem
    from unexposed_columns
)

select * from problems
