"""Shop source: the operational database's `transactions` table, its changes captured by transaction_id range."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ingest.postgres_copy import copy_resource, source_differences
from ingest.range_capture import KeyRange
from ingest.shop import SHOP
from warehouse.errors import WarehouseError

[_DECLARED] = SHOP.tables
TABLE = _DECLARED.name
CURSOR_COLUMN = _DECLARED.cursor_column
REQUIRED_COLUMNS = _DECLARED.contract_columns  # transaction_id, customer_id, amount, transaction_date
CHUNK_ROWS = 250_000


def source_engine(credentials: str) -> sa.Engine:
    """A SQLAlchemy engine for the source; plain postgresql:// URLs use psycopg2 (installed) not psycopg."""
    url = sa.engine.make_url(credentials)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg2")
    return sa.create_engine(url)


def reflect_source_table(engine: sa.Engine, schema: str | None) -> sa.Table:
    """The source table's definition; a clear error when the database or the table is not there."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        return sa.Table(TABLE, sa.MetaData(schema=schema), autoload_with=engine)
    except sa.exc.NoSuchTableError as error:
        raise WarehouseError(
            f"table {schema or 'public'}.{TABLE} does not exist in the source database {where}",
            hint="point SOURCES__TRANSACTIONS__CREDENTIALS at the shop database, or run `warehouse sample`.",
        ) from error
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip()
        raise WarehouseError(
            f"cannot reach the transactions source database {where}: {reason}",
            hint="check that the database is up and SOURCES__TRANSACTIONS__CREDENTIALS points at it.",
        ) from error


def check_source_table(table: sa.Table, where: str) -> None:
    """A clear error when the table lacks a contract column or its cursor is not an integer column."""
    name = f"{table.schema or 'public'}.{table.name}"
    missing = [column for column in REQUIRED_COLUMNS if column not in table.c]
    if missing:
        raise WarehouseError(
            f"table {name} in the source database {where} has no column(s) {', '.join(missing)}; "
            f"it has {', '.join(column.name for column in table.columns)}",
            hint=f"the shop table must have {', '.join(REQUIRED_COLUMNS)} (docs/data_rules.md): restore the "
            "column(s) or point SOURCES__TRANSACTIONS__CREDENTIALS at a view that has them, then run the ingest "
            "again. Nothing from this run of the source was loaded.",
        )
    cursor_type = table.c[CURSOR_COLUMN].type
    if not isinstance(cursor_type, sa.Integer):
        raise WarehouseError(
            f"column {CURSOR_COLUMN} of table {name} in the source database {where} is {cursor_type}, but the "
            "incremental cursor must be an integer column (bigint): other types compare in another order "
            "('10' < '9' as text), so new rows would be skipped",
            hint=f"make {CURSOR_COLUMN} a bigint in the shop database (or read a view that casts it), then run "
            "the ingest again. Nothing from this run of the source was loaded.",
        )


def transactions_resource(
    credentials: str,
    spool_dir: Path,
    captured: Callable[[], list[KeyRange]],
    notes: list[str],
    schema: str | None = None,
) -> dlt.sources.DltResource:
    """The changes of the source `transactions` table since the last load, for raw.transactions.

    A Postgres source takes the COPY fast path with change capture by transaction_id range (ingest.range_capture:
    updated, deleted, late and back-filled rows are found by comparing fingerprints of each range with what the
    warehouse captured; `captured` reads those). On that path every column but the key lands as text, whatever
    type the shop gives it (the contract: the values as the shop stores them). Any other SQLAlchemy database goes
    through dlt's sql_database source with Arrow batches, and only rows above the highest transaction_id loaded
    are read: changes to earlier rows are not seen, and each run says so in a note. Either way each row gets a
    row id `_dlt_id`: `<load id>.<file or batch number>.<row number>`.
    """
    engine = source_engine(credentials)
    table = reflect_source_table(engine, schema)
    check_source_table(table, engine.url.render_as_string(hide_password=True))
    if engine.dialect.name == "postgresql":
        text_columns = tuple(column.name for column in table.columns if column.name != CURSOR_COLUMN)
        return copy_resource(engine, table, CURSOR_COLUMN, spool_dir, captured, notes, text_columns)
    from dlt.sources.sql_database import sql_table

    notes.append(
        f"the transactions source is a {engine.dialect.name} database: only rows above the highest transaction_id "
        "loaded are read; updates and deletes of earlier rows are not captured (docs/data_rules.md, "
        "'Changes in the shop database')"
    )

    resource = sql_table(
        credentials=engine,
        table=TABLE,
        schema=schema,
        backend="pyarrow",
        chunk_size=CHUNK_ROWS,
        # Open range (cursor > last value): ids only grow, so no boundary re-read and no row hashing.
        incremental=dlt.sources.incremental(CURSOR_COLUMN, range_start="open"),
        write_disposition="append",
    )
    resource.add_map(row_ids_adder())
    # Date and time columns land as the text the fast path writes, not as typed columns (data_rules.md).
    resource.add_map(temporal_columns_as_text)
    resource.apply_hints(columns={"_dlt_id": {"data_type": "text", "nullable": False}})
    return resource


def temporal_columns_as_text(batch: pa.Table) -> Any:
    """Date and time columns of an Arrow batch as the text Postgres writes in the fast path's COPY session.

    ISO, fractional seconds to the microsecond without trailing zeros: `2024-03-01`, `2024-03-01 10:11:12.345`,
    `10:11:12`; a timestamp with a time zone in UTC with its offset, `2024-03-01 09:11:12.345+00` (DateStyle ISO,
    TimeZone UTC). So a shop database that is not Postgres lands the same raw text as one that is. The batch
    carries column hints that make those raw columns text: the reflected types stay for reading the source.
    """
    if not isinstance(batch, pa.Table):
        return batch
    texts = {}
    for index, field in enumerate(batch.schema):
        kind = field.type
        if not (pa.types.is_date(kind) or pa.types.is_timestamp(kind) or pa.types.is_time(kind)):
            continue
        values = batch.column(index)
        if pa.types.is_date(kind):
            text = pc.strftime(values.cast(pa.date32()), "%Y-%m-%d")
        else:
            # Microseconds, as Postgres keeps them (nanoseconds are cut); a zoned timestamp's values are UTC.
            unit = pa.time64("us") if pa.types.is_time(kind) else pa.timestamp("us")
            text = pc.replace_substring_regex(values.cast(unit, safe=False).cast(pa.string()), r"\.0+$", "")
            text = pc.replace_substring_regex(text, r"(\.[0-9]*[1-9])0+$", r"\1")
            if pa.types.is_timestamp(kind) and kind.tz is not None:
                text = pc.binary_join_element_wise(text, pa.scalar("+00"), "")
        batch = batch.set_column(index, pa.field(field.name, pa.string(), nullable=field.nullable), text)
        texts[field.name] = {"name": field.name, "data_type": "text"}
    return dlt.mark.with_hints(batch, dlt.mark.make_hints(columns=texts)) if texts else batch


def row_ids_adder() -> Callable[[pa.Table], pa.Table]:
    """A map step giving each row of each Arrow batch its `_dlt_id`, as the Postgres fast path does in its select.

    Not dlt's own `add_dlt_id` (random ids, and its `unique` hint makes dlt add a UNIQUE index to the table).
    """
    batch_numbers = itertools.count()

    def add_row_ids(batch: pa.Table) -> pa.Table:
        load_id = dlt.current.load_package_state()["load_id"]
        numbers = pa.array(np.arange(1, batch.num_rows + 1, dtype=np.int64)).cast(pa.string())
        row_ids = pc.binary_join_element_wise(f"{load_id}.{next(batch_numbers)}.", numbers, "")
        return batch.append_column(pa.field("_dlt_id", pa.string(), nullable=False), row_ids)

    return add_row_ids


def unloaded_changes(credentials: str, captured: list[KeyRange], schema: str | None = None) -> str | None:
    """What the shop holds that the warehouse has not loaded yet, in words; None when they agree.

    One scan of the source table (the comparison the loader makes), nothing copied. A source that is not Postgres
    cannot be compared this way: it says so.
    """
    engine = source_engine(credentials)
    table = reflect_source_table(engine, schema)
    if engine.dialect.name != "postgresql":
        return (
            f"the transactions source is a {engine.dialect.name} database: updates and deletes of loaded rows "
            "cannot be compared with the warehouse"
        )
    changed, new = source_differences(engine, table, CURSOR_COLUMN, captured)
    new_rows = sum(key_range.rows for key_range in new)
    if not changed and not new_rows:
        return None
    parts = []
    if changed:
        parts.append(f"{len(changed):,} transaction_id range(s) changed (updated, deleted or late rows)")
    if new_rows:
        parts.append(f"{new_rows:,} new row(s)")
    return f"the shop holds {' and '.join(parts)} not loaded yet"
