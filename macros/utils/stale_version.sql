{#-
    Whether a captured row is a stale version: a later capture of its key range replaced it (ingest/range_capture.py).
    Expects, beside the row's relation, `current_captures` (the latest load id per range_low_id) joined on the
    row's range, and `capture_presence.has_captures`. A row without a range was loaded before ranges were captured:
    the first capture copied the whole table again, so such a row is stale as soon as any capture exists.
-#}
{% macro stale_version(row_relation) -%}
    case
        when {{ row_relation }}.capture_range_low_id is null then capture_presence.has_captures
        else coalesce({{ row_relation }}.load_id != current_captures.load_id, false)
    end
{%- endmacro %}
