{#-
    Why a customer_id cannot be a key: 'missing' (empty after cleaning) or 'too_long' (more characters than dbt
    var max_customer_id_length: a btree index entry holds at most about 2,700 bytes, so one absurd id would stop
    the build of every model indexed on customer_id); null for a usable key. Takes the clean id
    (clean_customer_id).
-#}
{% macro customer_id_issue(customer_id) -%}
    case
        when {{ customer_id }} is null then 'missing'
        when {{ dbt.length(customer_id) }} > {{ var('max_customer_id_length') }} then 'too_long'
    end
{%- endmacro %}
