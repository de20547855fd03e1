{#-
    One row per source and load: rows in, what became of them, and four quality figures (0-1, defined in
    _monitoring__models.yml). Row figures come from each source's rows in the common long shape
    (int_row_issues_unioned) read with seed data_quality_rules; issue counts from rpt_data_quality_issues.
-#}
with

row_issues as (
    select * from {{ ref('int_row_issues_unioned') }}
),

data_quality_rules as (
    select * from {{ ref('data_quality_rules') }}
),

issues as (
    select * from {{ ref('rpt_data_quality_issues') }}
),

-- One row per issue profile (the rows of a load that share every issue value): how many rows, and whether its
-- values make them clean, or rows with a missing value, an invalid value, a broken integrity (seed
-- data_quality_rules, quality_dimension). A row counts once per figure, however many of its values qualify.
issue_profiles as (
    select
        row_issues.source_name,
        row_issues.load_id,
        row_issues.issue_profile_id,
        min(row_issues.loaded_at) as loaded_at,
        max(row_issues.row_count) as row_count,
        {{ dbt.bool_or("data_quality_rules.issue_category = 'clean'") }} as is_clean,
        {{ dbt.bool_or("data_quality_rules.quality_dimension = 'missing'") }} as has_missing_value,
        {{ dbt.bool_or("data_quality_rules.quality_dimension = 'invalid'") }} as has_invalid_value,
        {{ dbt.bool_or("data_quality_rules.quality_dimension = 'integrity'") }} as breaks_integrity
    from row_issues
    left join data_quality_rules
        on
            row_issues.source_name = data_quality_rules.source_name
            and row_issues.issue_column = data_quality_rules.issue_column
            and row_issues.issue_value = data_quality_rules.issue_value
    group by
        row_issues.source_name,
        row_issues.load_id,
        row_issues.issue_profile_id
),

source_rows as (
    select
        source_name,
        load_id,
        min(loaded_at) as loaded_at,
        cast(sum(row_count) as bigint) as rows_in,
        cast(sum(case when is_clean then row_count else 0 end) as bigint) as clean_rows,
        cast(
            sum(case when has_missing_value then row_count else 0 end) as bigint
        ) as rows_with_missing_values,
        cast(
            sum(case when has_invalid_value then row_count else 0 end) as bigint
        ) as rows_with_invalid_values,
        cast(sum(case when breaks_integrity then row_count else 0 end) as bigint) as rows_breaking_integrity
    from issue_profiles
    group by
        source_name,
        load_id
),

issue_totals as (
    select
        source_name,
        load_id,
        cast(
            sum(case when issue_category = 'duplicate_removed' then row_count else 0 end) as bigint
        ) as exact_duplicates_removed,
        cast(
            sum(case when issue_category = 'stale_version_replaced' then row_count else 0 end) as bigint
        ) as stale_versions_replaced,
        cast(sum(case when issue_category = 'rejected' then row_count else 0 end) as bigint) as rejected_rows,
        cast(
            sum(case when issue_category = 'null_resolved' then row_count else 0 end) as bigint
        ) as nulls_resolved,
        cast(
            sum(case when issue_category = 'invalid_resolved' then row_count else 0 end) as bigint
        ) as invalid_values_resolved,
        cast(
            sum(case when issue_category = 'reformatted' then row_count else 0 end) as bigint
        ) as values_reformatted
    from issues
    group by source_name, load_id
),

final as (
    select
        {{ generate_surrogate_key(['source_rows.source_name', 'source_rows.load_id']) }} as data_quality_id,
        source_rows.source_name,
        source_rows.load_id,
        source_rows.loaded_at,
        source_rows.rows_in,
        source_rows.clean_rows,
        issue_totals.exact_duplicates_removed,
        issue_totals.stale_versions_replaced,
        issue_totals.rejected_rows,
        issue_totals.nulls_resolved,
        issue_totals.invalid_values_resolved,
        issue_totals.values_reformatted,
        source_rows.rows_in = source_rows.clean_rows
        + issue_totals.rejected_rows
        + issue_totals.exact_duplicates_removed
        + issue_totals.stale_versions_replaced as is_reconciled,
        {{ share_of_rows('source_rows.rows_with_missing_values', 'source_rows.rows_in', 'complement') }}
            as completeness,
        {{ share_of_rows('source_rows.rows_with_invalid_values', 'source_rows.rows_in', 'complement') }}
            as consistency,
        {{ share_of_rows('source_rows.rows_breaking_integrity', 'source_rows.rows_in', 'complement') }}
            as integrity,
        {{ share_of_rows('issue_totals.rejected_rows', 'source_rows.rows_in') }} as error_rate
    from source_rows
    inner join issue_totals
        on
            source_rows.source_name = issue_totals.source_name
            and source_rows.load_id = issue_totals.load_id
)

select * from final
