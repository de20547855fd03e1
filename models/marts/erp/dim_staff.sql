{#-
    The staff with their department's name and location (latest versions, SCD1). Names and e-mail addresses are
    personal data: the analyst role may read only the columns the post-hook grants (README, "Access").
-#}
{{
    config(
        grants={'select': []},
        post_hook=["{{ grant_columns_to_analysts(['staff_id', 'department_name', 'location']) }}"],
    )
}}

with

staff as (
    select * from {{ ref('stg_erp__staff') }}
),

departments as (
    select * from {{ ref('stg_erp__departments') }}
),

latest_staff as (
    {{ latest_versions('staff', 'staff_id') }}
),

latest_departments as (
    {{ latest_versions('departments', 'department_id') }}
),

final as (
    select
        latest_staff.staff_id,
        latest_staff.first_name,
        latest_staff.last_name,
        latest_departments.department_name,
        latest_departments.location,
        latest_staff.email_address
    from latest_staff
    left join latest_departments
        on latest_staff.department_id = latest_departments.department_id
)

select * from final
