"""Postgres-to-Postgres fast path: new rows of a source table move as CSV with COPY at both ends.

For a Postgres source, `COPY (select ... where cursor > last) TO STDOUT` writes the new rows as CSV at server
speed; dlt imports that file into its load package as it is (no Python rows, no Arrow, no re-encoding) and its
loader runs `COPY ... FROM STDIN` into the warehouse. dlt still owns everything around the data: the table
schema (reflected from the source with dlt's sql_database helpers), the load package, the `_dlt_loads` record and
the cursor, kept in the resource state and committed together with the package.

Columns named in `text_columns` land as text whatever their type in the source (COPY writes every value as its
text, with the session's DateStyle set to ISO and its TimeZone to UTC: `2024-03-01`, `2024-03-01 10:11:12.345`,
a timestamptz as `2024-03-01 09:11:12.345+00`), so a column the source changes from varchar to numeric or date
still lands, as the same text. The cursor column must not hold NULL: such rows can never be placed above or below
the cursor, so the run stops with an error naming the table instead of skipping them silently.

The new rows are read in one REPEATABLE READ transaction, so the cursor and the copied rows agree even while
the shop keeps inserting.

Each row gets a row id `_dlt_id` like the one dlt gives rows it normalizes itself, made in the select:
`<load id>.<range number>.<row number in the range>`. It is unique across loads (the load id is), never NULL, and
cheap: `row_number() over ()` with an empty window numbers rows as they stream, without a sort.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.sources.sql_database.schema_types import table_to_columns

from warehouse.errors import WarehouseError

# Several files let dlt's load workers run their COPYs in parallel.
ROWS_PER_FILE = 350_000
COPY_WORKERS = 2
STATE_KEY = "last_cursor_value"


def copy_resource(
    engine: sa.Engine,
    table: sa.Table,
    cursor_column: str,
    spool_dir: Path,
    text_columns: tuple[str, ...] = (),
) -> Any:
    """A dlt resource that appends the rows of `table` whose `cursor_column` is above the stored cursor."""
    columns = table_to_columns(table, reflection_level="full")
    for name in text_columns:
        columns[name] = {"name": name, "data_type": "text", "nullable": True}
    columns["_dlt_load_id"] = {"name": "_dlt_load_id", "data_type": "text", "nullable": False}
    # Unique by construction; no `unique` hint, which would make dlt add a UNIQUE index that every COPY maintains.
    columns["_dlt_id"] = {"name": "_dlt_id", "data_type": "text", "nullable": False}

    @dlt.resource(name=table.name, write_disposition="append", columns=columns)
    def new_rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        load_id = dlt.current.load_package_state()["load_id"]
        spool_dir.mkdir(parents=True, exist_ok=True)
        coordinator = engine.raw_connection()
        try:
            coordinator.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with coordinator.cursor() as cursor:
                cursor.execute("select pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                if table.c[cursor_column].nullable:
                    _refuse_null_cursor(cursor, table, cursor_column)
                ranges = _new_ranges(cursor, table, cursor_column, state.get(STATE_KEY))
            paths = [spool_dir / f"{table.name}.{load_id}.{number}.csv" for number in range(len(ranges))]

            def copy_one(part: int) -> int:
                return _copy_range_in_snapshot(
                    engine, snapshot, table, cursor_column, load_id, part, ranges[part], paths[part]
                )

            try:
                # Each range is copied on its own connection, all seeing the coordinator's snapshot.
                with ThreadPoolExecutor(max_workers=COPY_WORKERS) as pool:
                    row_counts = list(pool.map(copy_one, range(len(ranges))))
                for path, rows, (_, high) in zip(paths, row_counts, ranges, strict=True):
                    yield dlt.mark.with_file_import(str(path), "csv", items_count=rows)
                    os.unlink(path)  # dlt has hard-linked (or copied) it into the package
                    state[STATE_KEY] = high
            finally:
                for path in paths:
                    path.unlink(missing_ok=True)  # the files of a failed COPY
            coordinator.commit()
        finally:
            coordinator.close()

    return new_rows


def _refuse_null_cursor(cursor: Any, table: sa.Table, cursor_column: str) -> None:
    """Raise when rows have a NULL cursor (they would never be loaded); only run when the column allows NULL."""
    # Identifiers come from the reflected table and are quoted by _quote.
    cursor.execute(f"select count(*) from {_qualified(table)} where {_quote(cursor_column)} is null")  # nosec B608
    nulls = cursor.fetchone()[0]
    if nulls:
        name = f"{table.schema or 'public'}.{table.name}"
        raise WarehouseError(
            f"{nulls:,} row(s) of the source table {name} have no {cursor_column} (NULL); it is the incremental "
            "cursor, so those rows could never be loaded",
            hint=f"give those rows a {cursor_column} (or delete them) in the source database, ideally make the "
            "column NOT NULL, then run the ingest again. Nothing from this run of the source was loaded.",
        )


def _new_ranges(cursor: Any, table: sa.Table, cursor_column: str, last: Any) -> list[tuple[Any, Any]]:
    """Ranges (low exclusive, high inclusive) covering the rows above `last`, about ROWS_PER_FILE each.

    An integer cursor is split evenly by value (ids are dense enough for that); any other cursor is one range.
    """
    column = _quote(cursor_column)
    where = f"where {column} > %(last)s" if last is not None else ""
    statement = f"select min({column}), max({column}), count(*) from {_qualified(table)} {where}"  # nosec B608
    cursor.execute(statement, {"last": last})
    lowest, highest, total = cursor.fetchone()
    if not total:
        return []
    parts = math.ceil(total / ROWS_PER_FILE) if isinstance(highest, int) else 1
    if parts == 1:
        return [(last, highest)]
    start = lowest - 1
    edges = [start + (highest - start) * part // parts for part in range(1, parts)]
    bounds = [last, *edges, highest]
    return list(itertools.pairwise(bounds))


def _copy_range_in_snapshot(
    engine: sa.Engine,
    snapshot: str,
    table: sa.Table,
    cursor_column: str,
    load_id: str,
    part: int,
    cursor_range: tuple[Any, Any],
    path: Path,
) -> int:
    """COPY range number `part` (low exclusive, high inclusive) with load id and row ids to a CSV file; its rows."""
    low, high = cursor_range
    connection = engine.raw_connection()
    try:
        # The file is UTF-8 whatever the source database's encoding, and dates are ISO whatever its DateStyle.
        connection.set_client_encoding("UTF8")
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("set transaction snapshot %s", (snapshot,))
            cursor.execute("set local datestyle to 'ISO, YMD'")
            # A timestamptz is a moment: written in UTC with its offset ('2024-03-01 09:11:12.345+00'), whatever
            # the source's or the loader's TimeZone; dbt takes its day in var source_timezone (data_rules.md).
            cursor.execute("set local timezone to 'UTC'")
            column = _quote(cursor_column)
            selected = ", ".join(_quote(c.name) for c in table.columns)
            low_filter = f"{column} > {cursor.mogrify('%s', (low,)).decode()} and " if low is not None else ""
            high_literal = cursor.mogrify("%s", (high,)).decode()
            load_id_literal = cursor.mogrify("%s", (load_id,)).decode()
            row_id_prefix = cursor.mogrify("%s", (f"{load_id}.{part}.",)).decode()
            query = (
                # Quoted identifiers and literals escaped by mogrify; no user text reaches the SQL unescaped.
                f"select {selected}, {load_id_literal} as _dlt_load_id, "  # nosec B608
                f"{row_id_prefix} || row_number() over () as _dlt_id from {_qualified(table)} "
                f"where {low_filter}{column} <= {high_literal}"
            )
            with path.open("wb") as sink:
                cursor.copy_expert(f"copy ({query}) to stdout with (format csv, header true)", sink)
            rows = cursor.rowcount
        connection.commit()
        return rows
    finally:
        connection.close()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _qualified(table: sa.Table) -> str:
    return f"{_quote(table.schema)}.{_quote(table.name)}" if table.schema else _quote(table.name)
