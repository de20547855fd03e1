{#-
    One row per source, load and issue class: how many raw rows the class touched. The classes are the defects
    data_rules.md names (duplicates, stale versions, every reject reason, values resolved to null/default by rule,
    values only reformatted by cleaning); a class with no rows in a load is listed with row_count 0.
-#}
{%- set customer_checks = [
    ('duplicate_removed', 'exact_duplicate', "record_status = 'exact_duplicate'"),
    ('stale_version_replaced', 'stale_version', "superseded_by = 'later_line'"),
    ('stale_version_replaced', 'superseded_by_later_export', "superseded_by = 'later_export'"),
    ('rejected', 'missing_customer_id', "reject_reason = 'missing_customer_id'"),
    ('rejected', 'customer_id_too_long', "reject_reason = 'customer_id_too_long'"),
    ('null_resolved', 'name_missing', "name_issue = 'missing'"),
    ('null_resolved', 'age_missing', "age_issue = 'missing'"),
    ('null_resolved', 'country_missing', "country_issue = 'missing'"),
    ('null_resolved', 'is_active_missing', "is_active_issue = 'missing'"),
    ('invalid_resolved', 'age_non_numeric', "age_issue = 'non_numeric'"),
    ('invalid_resolved', 'age_out_of_range', "age_issue = 'out_of_range'"),
    ('invalid_resolved', 'country_unknown', "country_issue = 'unknown'"),
    ('invalid_resolved', 'is_active_unrecognised', "is_active_issue = 'unrecognised'"),
    ('reformatted', 'customer_id_noise', "is_customer_id_reformatted"),
    ('reformatted', 'name_noise', "is_name_reformatted"),
    ('reformatted', 'age_noise', "is_age_reformatted"),
    ('reformatted', 'country_alias', "is_country_alias"),
] -%}
{%- set transaction_checks = [
    ('duplicate_removed', 'exact_duplicate', "record_status = 'exact_duplicate'"),
    ('stale_version_replaced', 'superseded_by_source_change', "record_status = 'stale_version'"),
    ('rejected', 'conflicting_duplicate_key', "reject_reason = 'conflicting_duplicate_key'"),
    ('rejected', 'missing_customer_id', "reject_reason = 'missing_customer_id'"),
    ('rejected', 'customer_id_too_long', "reject_reason = 'customer_id_too_long'"),
    ('rejected', 'unknown_customer', "reject_reason = 'unknown_customer'"),
    ('rejected', 'missing_amount', "reject_reason = 'missing_amount'"),
    ('rejected', 'unparseable_amount', "reject_reason = 'unparseable_amount'"),
    ('rejected', 'non_positive_amount', "reject_reason = 'non_positive_amount'"),
    ('rejected', 'amount_out_of_range', "reject_reason = 'amount_out_of_range'"),
    ('rejected', 'missing_date', "reject_reason = 'missing_date'"),
    ('rejected', 'invalid_date', "reject_reason = 'invalid_date'"),
    ('rejected', 'future_date', "reject_reason = 'future_date'"),
    ('reformatted', 'customer_id_noise', "is_customer_id_reformatted and is_known_customer"),
    ('reformatted', 'amount_formatted', "is_amount_reformatted"),
    ('reformatted', 'date_alternative_format', "is_transaction_date_reformatted"),
] -%}

with

classified_customers as (
    select * from {{ ref('int_customers_classified') }}
),

classified_transactions as (
    select * from {{ ref('int_transactions_classified') }}
),

customer_counts as (
    select
        {%- for category, code, condition in customer_checks %}
            sum(case when {{ condition }} then 1 else 0 end) as {{ code }},
        {%- endfor %}
        load_id
    from classified_customers
    group by load_id
),

transaction_counts as (
    select
        {%- for category, code, condition in transaction_checks %}
            sum(case when {{ condition }} then 1 else 0 end) as {{ code }},
        {%- endfor %}
        load_id
    from classified_transactions
    group by load_id
),

issues as (
    {%- for category, code, condition in customer_checks %}
        select
            'crm.customers' as source_name,
            load_id,
            '{{ category }}' as issue_category,
            '{{ code }}' as issue_code,
            {{ code }} as row_count
        from customer_counts
        union all
    {%- endfor %}
    {%- for category, code, condition in transaction_checks %}
        select
            'shop.transactions' as source_name,
            load_id,
            '{{ category }}' as issue_category,
            '{{ code }}' as issue_code,
            {{ code }} as row_count
        from transaction_counts
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
