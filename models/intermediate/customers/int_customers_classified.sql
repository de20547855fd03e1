{#-
    Every CRM export line with what became of it (data_rules.md, "Customers"):
    exact_duplicate  identical in all five source columns to another line of the same load (the last line is kept)
    rejected         no usable customer_id after cleaning: reject_reason missing_customer_id (empty) or
                     customer_id_too_long (longer than var max_customer_id_length)
    stale_version    an earlier version of a customer, superseded by a later line of its file or by a later
                     export (superseded_by says which)
    current          the latest version of a customer: the clean, deduplicated customer
-#}
-- No enforced contract here: with one, Postgres builds the table by INSERT ... SELECT, which cannot use
-- parallel workers for this model's parse of every raw row (as int_transactions_versioned,
-- docs/performance.md). Its key is unique-indexed after the rows are written; dbt's not_null tests check the
-- rest.
{{ config(contract={'enforced': false}, indexes=[{'columns': ['customer_record_id'], 'unique': true}]) }}

with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

country_aliases as (
    select * from {{ ref('country_aliases') }}
),

countries as (
    select * from {{ ref('countries') }}
),

-- data_rules.md: the cleaned country (country_key) is looked up in seed country_aliases, its code in seed
-- countries; empty or not in the seed -> 'ZZ' / 'Unknown'.
countries_looked_up as (
    select
        customers.customer_record_id,
        customers.customer_id,
        customers.customer_id_issue,
        customers.is_customer_id_reformatted,
        customers.customer_name,
        customers.name_issue,
        customers.is_name_reformatted,
        customers.age,
        customers.age_issue,
        customers.is_age_reformatted,
        customers.country_key,
        coalesce(country_aliases.country_code, 'ZZ') as country_code,
        coalesce(countries.country_name, 'Unknown') as country_name,
        customers.is_active,
        customers.is_active_issue,
        customers.source_customer_id,
        customers.source_name,
        customers.source_age,
        customers.source_country,
        customers.source_is_active,
        customers.source_file,
        customers.line_number,
        customers.file_modified_at,
        customers.file_sha256,
        customers.exported_at,
        customers.loaded_at,
        customers.load_id
    from customers
    left join country_aliases
        on customers.country_key = country_aliases.alias
    left join countries
        on coalesce(country_aliases.country_code, 'ZZ') = countries.country_code
),

countries_classified as (
    select
        customer_record_id,
        customer_id,
        customer_id_issue,
        is_customer_id_reformatted,
        customer_name,
        name_issue,
        is_name_reformatted,
        age,
        age_issue,
        is_age_reformatted,
        country_code,
        country_name,
        case
            when country_key is null then 'missing'
            when country_code = 'ZZ' then 'unknown'
        end as country_issue,
        coalesce(country_code != 'ZZ' and source_country != country_name, false) as is_country_alias,
        is_active,
        is_active_issue,
        source_customer_id,
        source_name,
        source_age,
        source_country,
        source_is_active,
        source_file,
        line_number,
        file_modified_at,
        file_sha256,
        exported_at,
        loaded_at,
        load_id
    from countries_looked_up
),

copies_numbered as (
    select
        customer_record_id,
        customer_id,
        customer_id_issue,
        is_customer_id_reformatted,
        customer_name,
        name_issue,
        is_name_reformatted,
        age,
        age_issue,
        is_age_reformatted,
        country_code,
        country_name,
        country_issue,
        is_country_alias,
        is_active,
        is_active_issue,
        source_file,
        line_number,
        file_modified_at,
        file_sha256,
        exported_at,
        loaded_at,
        load_id,
        row_number() over (
            partition by
                load_id, source_customer_id, source_name, source_age, source_country, source_is_active
            order by exported_at desc, loaded_at desc, source_file desc, line_number desc
        ) as copy_number
    from countries_classified
),

versions_numbered as (
    select
        customer_record_id,
        customer_id,
        customer_id_issue,
        is_customer_id_reformatted,
        customer_name,
        name_issue,
        is_name_reformatted,
        age,
        age_issue,
        is_age_reformatted,
        country_code,
        country_name,
        country_issue,
        is_country_alias,
        is_active,
        is_active_issue,
        source_file,
        line_number,
        file_modified_at,
        file_sha256,
        exported_at,
        loaded_at,
        load_id,
        copy_number,
        -- partitioning by copy_number too keeps removed copies out of the ranking of the kept lines (copy 1)
        row_number() over (
            partition by customer_id, copy_number
            order by exported_at desc, loaded_at desc, source_file desc, line_number desc
        ) as version_number,
        row_number() over (
            partition by customer_id, copy_number, source_file, file_sha256
            order by line_number desc
        ) as version_number_in_file,
        min(loaded_at) over (partition by customer_id) as customer_first_loaded_at
    from copies_numbered
),

classified as (
    select
        customer_record_id,
        customer_id,
        customer_id_issue,
        is_customer_id_reformatted,
        customer_name,
        name_issue,
        is_name_reformatted,
        age,
        age_issue,
        is_age_reformatted,
        country_code,
        country_name,
        country_issue,
        is_country_alias,
        is_active,
        is_active_issue,
        source_file,
        line_number,
        file_modified_at,
        file_sha256,
        exported_at,
        loaded_at,
        load_id,
        customer_first_loaded_at,
        case
            when copy_number > 1 then 'exact_duplicate'
            when customer_id_issue is not null then 'rejected'
            when version_number > 1 then 'stale_version'
            else 'current'
        end as record_status,
        case
            when copy_number > 1 then null
            when customer_id_issue = 'missing' then 'missing_customer_id'
            when customer_id_issue = 'too_long' then 'customer_id_too_long'
        end as reject_reason,
        case
            when copy_number > 1 or customer_id_issue is not null or version_number = 1 then null
            when version_number_in_file > 1 then 'later_line'
            else 'later_export'
        end as superseded_by
    from versions_numbered
)

select * from classified
