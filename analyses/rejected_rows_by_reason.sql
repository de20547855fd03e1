-- What did the last loads reject, and why? (data stewards' view of rpt_data_quality_issues)
with

issues as (
    select * from {{ ref('rpt_data_quality_issues') }}
)

select
    source_name,
    issue_code as reject_reason,
    sum(row_count) as rejected_rows
from issues
where issue_category = 'rejected'
group by source_name, issue_code
order by source_name asc, rejected_rows desc
