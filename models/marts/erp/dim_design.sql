{#- The tote-bag designs (latest versions, SCD1). -#}
with

designs as (
    select * from {{ ref('stg_erp__designs') }}
),

latest_designs as (
    {{ latest_versions('designs', 'design_id') }}
),

final as (
    select
        design_id,
        design_name,
        file_location,
        file_name
    from latest_designs
)

select * from final
