{#- dlt's load id is the Unix time (seconds, with a fraction) at which the load started. -#}
{% macro dlt_load_time(load_id_column) -%}
    {{ return(adapter.dispatch('dlt_load_time')(load_id_column)) }}
{%- endmacro %}

{% macro default__dlt_load_time(load_id_column) -%}
    to_timestamp(cast({{ load_id_column }} as numeric))
{%- endmacro %}
