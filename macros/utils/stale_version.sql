{#-
    Whether a captured shop row is a stale version: a later capture of its key range replaced it
    (ingest/range_capture.py). `current_captures` is the relation of the latest load id per range_low_id, joined on
    the row's range; `first_capture` holds the first capture's load id. A row without a range that was loaded
    before the first capture is stale (that capture copied the whole table again); one loaded since is not (it
    comes from a source that is not Postgres, which has no captures of its own).
-#}
{% macro stale_version(row_relation, current_captures='current_captures', first_capture='first_capture') -%}
    case
        when {{ row_relation }}.capture_range_low_id is null
            then coalesce({{ row_relation }}.load_id < {{ first_capture }}.load_id, false)
        else coalesce({{ row_relation }}.load_id != {{ current_captures }}.load_id, false)
    end
{%- endmacro %}
