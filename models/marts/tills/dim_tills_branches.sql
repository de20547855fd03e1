{{ config(alias='branches') }}

with

branch_aliases as (
    select * from {{ ref('tills_branch_aliases') }}
),

branches as (
    select distinct branch_name
    from branch_aliases
),

final as (
    select
        {{ generate_surrogate_key(['branch_name']) }} as branch_id,
        branch_name
    from branches
)

select * from final
