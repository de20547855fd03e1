{#-
    One row per source and load: rows in, what became of them, and four quality figures (0-1, defined in
    _monitoring__models.yml). Issue counts come from rpt_data_quality_issues.
-#}
with

classified_customers as (
    select * from {{ ref('int_customers_classified') }}
),

classified_transactions as (
    select * from {{ ref('int_transactions_classified') }}
),

issues as (
    select * from {{ ref('rpt_data_quality_issues') }}
),

customer_rows as (
    select
        'crm.customers' as source_name,
        load_id,
        min(loaded_at) as loaded_at,
        count(*) as rows_in,
        sum(case when record_status = 'current' then 1 else 0 end) as clean_rows,
        sum(
            case
                when
                    customer_id is null
                    or name_issue = 'missing'
                    or age_issue = 'missing'
                    or country_issue = 'missing'
                    or is_active_issue = 'missing'
                    then 1
                else 0
            end
        ) as rows_with_missing_values,
        sum(
            case
                when
                    customer_id_issue = 'too_long'
                    or age_issue in ('non_numeric', 'out_of_range')
                    or country_issue = 'unknown'
                    or is_active_issue = 'unrecognised'
                    then 1
                else 0
            end
        ) as rows_with_invalid_values,
        sum(case when record_status = 'exact_duplicate' then 1 else 0 end) as rows_breaking_integrity
    from classified_customers
    group by load_id
),

transaction_rows as (
    select
        'shop.transactions' as source_name,
        load_id,
        min(loaded_at) as loaded_at,
        count(*) as rows_in,
        sum(case when record_status = 'valid' then 1 else 0 end) as clean_rows,
        sum(
            case
                when
                    customer_id is null
                    or amount_issue = 'missing_amount'
                    or transaction_date_issue = 'missing_date'
                    then 1
                else 0
            end
        ) as rows_with_missing_values,
        sum(
            case
                when
                    customer_id_issue = 'too_long'
                    or amount_issue in ('unparseable_amount', 'non_positive_amount', 'amount_out_of_range')
                    or transaction_date_issue in ('invalid_date', 'future_date')
                    then 1
                else 0
            end
        ) as rows_with_invalid_values,
        sum(
            case
                when
                    record_status = 'exact_duplicate'
                    or reject_reason in ('conflicting_duplicate_key', 'unknown_customer')
                    then 1
                else 0
            end
        ) as rows_breaking_integrity
    from classified_transactions
    group by load_id
),

source_rows as (
    select
        source_name,
        load_id,
        loaded_at,
        rows_in,
        clean_rows,
        rows_with_missing_values,
        rows_with_invalid_values,
        rows_breaking_integrity
    from customer_rows
    union all
    select
        source_name,
        load_id,
        loaded_at,
        rows_in,
        clean_rows,
        rows_with_missing_values,
        rows_with_invalid_values,
        rows_breaking_integrity
    from transaction_rows
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
