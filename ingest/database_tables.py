"""Loads a declared database source (ingest/database_source.py) by cursor: every new version of a row, appended.

For each declared table, the rows whose cursor column is at or above the highest value loaded minus the source's
lag (`dlt.sources.incremental(cursor, lag=...)`, which keeps the highest value; the whole table on the first load)
are read as Arrow batches and appended to raw.<prefix><table> with their `_dlt_load_id`. A Postgres source is read
with COPY, parsed by Arrow's CSV reader (copied_table); any other through dlt's sql_table, backend `pyarrow`.

The lag reads again rows stamped shortly before the last load, to catch those committed after it; dlt does not
deduplicate such an overlap (its boundary deduplication is off with a lag), so each batch drops the rows whose
(primary key, cursor) is already in the raw table before anything is written: a run with no change lands nothing,
and each version of a row lands once.

Checked before anything is read, each naming the table and what to do: a declared table that is missing from the
source (dropped or renamed), a table without its key, cursor or a required column, a cursor that is not a
timestamp, date or integer. A new column in the source is reflected on the next run and dlt adds it to the raw
table (earlier rows hold NULL in it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import dlt
import psycopg2
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from psycopg2 import sql

from ingest.database_source import DatabaseSource, DatabaseTable
from ingest.shop_transactions import source_engine
from ingest.sources import RAW_SCHEMA
from warehouse.errors import WarehouseError

CHUNK_ROWS = 100_000
# Bytes of COPY's CSV that Arrow parses into one batch (about 100,000 rows of the ERP's widest tables).
COPY_BLOCK_BYTES = 16 << 20
CURSOR_TYPES = (sa.DateTime, sa.Date, sa.Integer)


def credentials_hint(declaration: DatabaseSource) -> str:
    """The setting that points the source at its database."""
    return f"SOURCES__{declaration.credentials_section.upper()}__CREDENTIALS"


def tables_in_source(engine: sa.Engine, declaration: DatabaseSource) -> set[str]:
    """The names of the tables and views in the source's schema; a clear error when the database is unreachable."""
    try:
        inspector = sa.inspect(engine)
        return set(inspector.get_table_names(schema=declaration.schema)) | set(
            inspector.get_view_names(schema=declaration.schema)
        )
    except sa.exc.SQLAlchemyError as error:
        raise unreachable(engine, declaration, error) from error


def unreachable(engine: sa.Engine, declaration: DatabaseSource, error: sa.exc.SQLAlchemyError) -> WarehouseError:
    """The error for a source database that cannot be read."""
    reason = str(getattr(error, "orig", None) or error).strip()
    return WarehouseError(
        f"cannot reach the {declaration.name} source database {engine.url.render_as_string(hide_password=True)}: "
        f"{reason}",
        hint=f"check that the database is up and {credentials_hint(declaration)} points at it.",
    )


def reflect_tables(engine: sa.Engine, declaration: DatabaseSource) -> dict[str, sa.Table]:
    """The declared tables' definitions in the source (cursor capture ones), checked; a clear error otherwise."""
    where = engine.url.render_as_string(hide_password=True)
    schema = declaration.schema
    tables = [table for table in declaration.tables if table.capture == "cursor"]
    present = tables_in_source(engine, declaration)
    missing = [table.name for table in tables if table.name not in present]
    if missing:
        qualified = ", ".join(f"{schema or 'public'}.{name}" for name in missing)
        raise WarehouseError(
            f"source '{declaration.name}': table(s) {qualified} do not exist in the source database {where}",
            hint="a table of the source was dropped or renamed: restore it (or create a view of that name over the "
            f"renamed table), or point {credentials_hint(declaration)} at the right database, then run the ingest "
            "again. Nothing from this run of the source was loaded.",
        )
    try:
        metadata = sa.MetaData(schema=schema)
        reflected = {table.name: sa.Table(table.name, metadata, autoload_with=engine) for table in tables}
    except sa.exc.SQLAlchemyError as error:
        raise unreachable(engine, declaration, error) from error
    for table in tables:
        check_table(declaration, table, reflected[table.name], where)
    return reflected


def check_table(declaration: DatabaseSource, table: DatabaseTable, reflected: sa.Table, where: str) -> None:
    """A clear error when the table lacks a contract column, or its cursor cannot be compared in order."""
    name = f"{reflected.schema or 'public'}.{reflected.name}"
    missing = [column for column in table.contract_columns if column not in reflected.c]
    if missing:
        raise WarehouseError(
            f"table {name} in the {declaration.name} source database {where} has no column(s) "
            f"{', '.join(missing)}; it has {', '.join(column.name for column in reflected.columns)}",
            hint=f"the table must have {', '.join(table.contract_columns)} (its key {', '.join(table.primary_key)} "
            f"and cursor {table.cursor_column}, docs/data_rules.md): restore the column(s) or point "
            f"{credentials_hint(declaration)} at a view that has them, then run the ingest again. Nothing from "
            "this run of the source was loaded.",
        )
    cursor_type = reflected.c[table.cursor_column].type
    if not isinstance(cursor_type, CURSOR_TYPES):
        raise WarehouseError(
            f"column {table.cursor_column} of table {name} in the {declaration.name} source database {where} is "
            f"{cursor_type}, but the incremental cursor must be a timestamp, a date or an integer (other types "
            "compare in another order, so changes would be skipped)",
            hint=f"make {table.cursor_column} a timestamp in the source (or read a view that casts it), then run "
            "the ingest again. Nothing from this run of the source was loaded.",
        )


def source_has_none_of(engine: sa.Engine, declaration: DatabaseSource) -> bool:
    """True when the source database holds none of the declared tables (a database never filled)."""
    return not tables_in_source(engine, declaration) & {table.name for table in declaration.tables}


def raw_tables_present(dsn: str, declaration: DatabaseSource) -> list[str]:
    """The source's raw tables that exist in the warehouse."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables where table_schema = %s and table_name = any(%s)",
            (RAW_SCHEMA, list(declaration.raw_tables)),
        )
        return [row[0] for row in cursor.fetchall()]


def database_resources(
    declaration: DatabaseSource,
    credentials: str,
    warehouse_dsn: str,
    spool_dir: Path,
    notes: list[str],
    copy_fast_path: bool | None = None,
) -> list[Any]:
    """One dlt resource per declared table, each appending the versions of rows not loaded yet.

    A Postgres source is read with COPY (`copy_fast_path`; None: whenever the source is Postgres), any other
    through dlt's sql_table with the pyarrow backend; the same rows land either way.
    """
    engine = source_engine(credentials)
    if source_has_none_of(engine, declaration) and not raw_tables_present(warehouse_dsn, declaration):
        # A source database never filled (e.g. the embedded sample ERP before `warehouse sample`): nothing to
        # load, and nothing loaded that went missing. Once anything has landed, a missing table is an error.
        notes.append(
            f"the source database {engine.url.render_as_string(hide_password=True)} holds none of the "
            f"{len(declaration.tables)} tables of source '{declaration.name}' yet: nothing loaded (run `warehouse "
            f"sample`, or point {credentials_hint(declaration)} at the source database)"
        )
        return [dlt.resource((), name=f"{declaration.name}_nothing_to_load")]
    reflected = reflect_tables(engine, declaration)
    if copy_fast_path is None:
        copy_fast_path = engine.dialect.name == "postgresql"
    from dlt.sources.sql_database import sql_table

    resources = []
    for table in declaration.tables:
        if table.capture != "cursor":
            continue
        raw_table = declaration.raw_table(table)
        incremental = dlt.sources.incremental(table.cursor_column, lag=declaration.lag_seconds or None)
        if copy_fast_path:
            resource = copied_table(engine, reflected[table.name], raw_table, incremental, spool_dir)
        else:
            resource = sql_table(
                credentials=engine,
                table=table.name,
                schema=declaration.schema,
                metadata=reflected[table.name].metadata,
                backend="pyarrow",
                chunk_size=CHUNK_ROWS,
                reflection_level="full",
                incremental=incremental,
                write_disposition="append",
            ).with_name(raw_table)
            resource.apply_hints(table_name=raw_table)
        resource.add_map(versions_not_in_raw(warehouse_dsn, raw_table, table))
        resources.append(resource)
    return resources


def arrow_type(column: sa.Column) -> pa.DataType | None:
    """The Arrow type COPY's text of a column is parsed as; None: kept as text (and landed as text)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Float):
        return pa.float64()
    if isinstance(kind, sa.Numeric):
        return pa.decimal128(kind.precision, kind.scale or 0) if kind.precision and kind.precision <= 38 else None
    if isinstance(kind, sa.DateTime):
        return pa.timestamp("us", tz="UTC") if kind.timezone else pa.timestamp("us")
    if isinstance(kind, sa.Date):
        return pa.date32()
    if isinstance(kind, sa.String):  # text, varchar, enums
        return pa.string()
    return None


def copied_table(
    engine: sa.Engine, table: sa.Table, raw_table: str, incremental: Any, spool_dir: Path
) -> dlt.sources.DltResource:
    """A Postgres table's rows from the incremental's start (lag applied) on, read with COPY, as Arrow batches.

    `COPY (select ... where cursor >= start) TO STDOUT` writes CSV at server speed into a spool file, which Arrow's
    CSV reader parses in blocks, with each column's type from the reflected table (no Python object per value).
    dlt's incremental then sees the batches as it sees sql_table's: it keeps the highest cursor for the next run.
    Columns of types not mapped here (arrow_type) land as their text.
    """
    from dlt.sources.sql_database.schema_types import table_to_columns

    columns = table_to_columns(table, reflection_level="full")
    types = {column.name: arrow_type(column) or pa.string() for column in table.columns}
    for column in table.columns:
        if arrow_type(column) is None:
            columns[column.name] = {"name": column.name, "data_type": "text", "nullable": True}
    cursor_column = incremental.cursor_path
    selected = sql.SQL(", ").join(sql.Identifier(column.name) for column in table.columns)
    source = sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)

    @dlt.resource(name=raw_table, write_disposition="append", columns=columns)
    def rows(changes: Any = incremental) -> Iterator[pa.Table]:
        start, _ = changes.get_current_range()
        path = spool_dir / f"{raw_table}.{dlt.current.load_package_state()['load_id']}.csv"
        spool_dir.mkdir(parents=True, exist_ok=True)
        connection = engine.raw_connection()
        try:
            connection.set_client_encoding("UTF8")
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("set local datestyle to 'ISO, YMD'")
                cursor.execute("set local timezone to 'UTC'")
                query = sql.SQL("select {} from {}").format(selected, source)
                if start is not None:
                    query += sql.SQL(" where {} >= {}").format(sql.Identifier(cursor_column), sql.Literal(start))
                copy = sql.SQL("copy ({}) to stdout with (format csv, header true)").format(query)
                with path.open("wb") as sink:
                    cursor.copy_expert(copy.as_string(cursor), sink)
            connection.commit()
        finally:
            connection.close()
        try:
            reader = pa_csv.open_csv(
                path,
                read_options=pa_csv.ReadOptions(block_size=COPY_BLOCK_BYTES),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types=types,
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,  # COPY writes NULL unquoted, an empty text as ""
                    true_values=["t"],
                    false_values=["f"],
                ),
            )
            for batch in reader:
                if batch.num_rows:
                    yield pa.Table.from_batches([batch])
        finally:
            path.unlink(missing_ok=True)

    return rows


def _plain(value: Any) -> Any:
    """A cursor or key value as comparable on both sides: a moment with a time zone as naive UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _as_scalar(value: Any, kind: pa.DataType) -> pa.Scalar:
    """`value` (from the warehouse) as an Arrow scalar of the batch's cursor type."""
    value = _plain(value)
    if pa.types.is_timestamp(kind) and kind.tz is not None and isinstance(value, datetime):
        value = value.replace(tzinfo=timezone.utc)
    if pa.types.is_date(kind) and isinstance(value, datetime):
        value = value.date()
    return pa.scalar(value, kind)


def versions_not_in_raw(dsn: str, raw_table: str, table: DatabaseTable) -> Callable[[Any], Any]:
    """A map step dropping the rows of a batch whose (primary key, cursor) version is already in raw.<raw_table>.

    Only rows at or below the highest cursor in raw can be there (the lag's overlap); their versions are read
    from raw for that cursor interval, once per batch. Rows above it pass untouched. A batch left empty is
    dropped whole.
    """
    loaded_max: list[Any] = []  # [highest cursor in raw, or None], read once per run

    def highest_loaded() -> Any:
        if not loaded_max:
            with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cursor:
                cursor.execute("select to_regclass(%s)", (sql.Identifier(RAW_SCHEMA, raw_table).as_string(conn),))
                if cursor.fetchone()[0] is None:
                    loaded_max.append(None)
                else:
                    cursor.execute(
                        sql.SQL("select max({}) from {}").format(
                            sql.Identifier(table.cursor_column), sql.Identifier(RAW_SCHEMA, raw_table)
                        )
                    )
                    loaded_max.append(cursor.fetchone()[0])
        return loaded_max[0]

    def drop_loaded(batch: Any) -> Any:
        if not isinstance(batch, pa.Table) or not batch.num_rows:
            return batch
        highest = highest_loaded()
        if highest is None:
            return batch
        cursor_values = batch.column(table.cursor_column)
        overlap = pc.fill_null(pc.less_equal(cursor_values, _as_scalar(highest, cursor_values.type)), False)
        if not pc.any(overlap).as_py():
            return batch
        candidates = batch.filter(overlap)
        lowest = pc.min(candidates.column(table.cursor_column)).as_py()
        key_columns = (*table.primary_key, table.cursor_column)
        with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cursor:
            cursor.execute(
                sql.SQL("select {} from {} where {} between %s and %s").format(
                    sql.SQL(", ").join(map(sql.Identifier, key_columns)),
                    sql.Identifier(RAW_SCHEMA, raw_table),
                    sql.Identifier(table.cursor_column),
                ),
                (lowest, highest),
            )
            loaded = {tuple(map(_plain, row)) for row in cursor.fetchall()}
        versions = zip(*(candidates.column(name).to_pylist() for name in key_columns), strict=True)
        keep = pa.array([tuple(map(_plain, version)) not in loaded for version in versions], pa.bool_())
        rows = pa.concat_tables([batch.filter(pc.invert(overlap)), candidates.filter(keep)])
        # None drops the batch: a run that reads only the overlap writes no file, so no load and no rebuild follow.
        return rows if rows.num_rows else None

    return drop_loaded


def unloaded_versions(declaration: DatabaseSource, credentials: str, warehouse_dsn: str) -> str | None:
    """Rows of the source stamped after the highest cursor loaded of their table, in words; None when none.

    One count per table (nothing copied). Rows committed late with an older stamp are not counted: the next load
    reads them through its lag.
    """
    engine = source_engine(credentials)
    present = raw_tables_present(warehouse_dsn, declaration)
    if source_has_none_of(engine, declaration) and not present:
        return None
    reflect_tables(engine, declaration)
    waiting = {}
    with closing(psycopg2.connect(warehouse_dsn)) as conn, conn.cursor() as cursor:
        highest = {}
        for table in declaration.tables:
            raw_table = declaration.raw_table(table)
            if table.capture != "cursor" or raw_table not in present:
                highest[table.name] = None
                continue
            cursor.execute(
                sql.SQL("select max({}) from {}").format(
                    sql.Identifier(table.cursor_column), sql.Identifier(RAW_SCHEMA, raw_table)
                )
            )
            highest[table.name] = cursor.fetchone()[0]
    with engine.connect() as source:
        for table in declaration.tables:
            if table.capture != "cursor":
                continue
            counted = sa.select(sa.func.count()).select_from(sa.table(table.name, schema=declaration.schema))
            if highest[table.name] is not None:
                counted = counted.where(sa.column(table.cursor_column) > highest[table.name])
            rows = source.execute(counted).scalar_one()
            if rows:
                waiting[table.name] = rows
    if not waiting:
        return None
    listed = ", ".join(f"{name} {rows:,}" for name, rows in waiting.items())
    return f"the {declaration.name} source holds new or changed row(s) not loaded yet: {listed}"
