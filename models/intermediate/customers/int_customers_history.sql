{#-
    SCD2 history of the customers, built from the exports themselves (data_rules.md, "History"): one version per
    change of name, age, country or active flag across all exports in export order, valid from the time of the
    export that brought it (exported_at) to the next version's. A table rebuilt from int_customers_classified on
    every build, not an incremental model or a dbt snapshot: raw keeps every export, so a backlog of exports
    loaded in one run gives every intermediate version, and an export that arrives late (an older export time)
    still falls into its place in the history.
-#}
-- The key is unique-indexed after the rows are written, as in the other customer models (performance.md).
{{ config(indexes=[{'columns': ['customer_version_id'], 'unique': true}]) }}

with

classified_customers as (
    select * from {{ ref('int_customers_classified') }}
),

-- The customer as each export left it: its last line in the export. Lines removed as exact copies count here
-- too: a customer unchanged in a backlog of full exports loaded together is a copy in the later exports, and
-- valid since the first.
export_versions as (
    select
        customer_id,
        customer_name,
        age,
        country_code,
        country_name,
        is_active,
        source_file,
        line_number,
        exported_at,
        loaded_at,
        row_number() over (
            partition by customer_id, exported_at
            order by loaded_at desc, source_file desc, line_number desc
        ) as rank_in_export_time
    from classified_customers
    where customer_id is not null
),

-- An export rewritten under the same name (same export time) replaces the earlier delivery.
exports_compared as (
    select
        customer_id,
        customer_name,
        age,
        country_code,
        country_name,
        is_active,
        source_file,
        line_number,
        exported_at,
        loaded_at,
        lag(customer_name) over customer_exports as previous_customer_name,
        lag(age) over customer_exports as previous_age,
        lag(country_code) over customer_exports as previous_country_code,
        lag(country_name) over customer_exports as previous_country_name,
        lag(is_active) over customer_exports as previous_is_active,
        lag(exported_at) over customer_exports as previous_exported_at
    from export_versions
    where rank_in_export_time = 1
    window customer_exports as (partition by customer_id order by exported_at)
),

changes as (
    select
        customer_id,
        customer_name,
        age,
        country_code,
        country_name,
        is_active,
        source_file,
        line_number,
        exported_at,
        loaded_at
    from exports_compared
    where
        previous_exported_at is null
        or customer_name is distinct from previous_customer_name
        or age is distinct from previous_age
        or country_code is distinct from previous_country_code
        or country_name is distinct from previous_country_name
        or is_active is distinct from previous_is_active
),

versions as (
    select
        {{ generate_surrogate_key(['customer_id', 'exported_at']) }} as customer_version_id,
        customer_id,
        customer_name,
        age,
        country_code,
        country_name,
        is_active,
        exported_at as valid_from,
        lead(exported_at) over (partition by customer_id order by exported_at) as valid_to,
        source_file,
        line_number,
        loaded_at
    from changes
),

final as (
    select
        customer_version_id,
        customer_id,
        customer_name,
        age,
        country_code,
        country_name,
        is_active,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        source_file,
        line_number,
        loaded_at
    from versions
)

select * from final
