"""The ERP loader: every version of every row of the 11 tables lands in raw.erp_*, once, with its load id.

The ERP sample at scale 1 (warehouse/sample/erp_generator.py: day 1, then day 2's inserts and updates) in the
workspace's own ERP database on the real embedded server, loaded by the pipeline code `warehouse ingest` runs
(real dlt, no mocks). The source's expected rows are read from the source database itself.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg2
import pytest
import sqlalchemy as sa
from conftest import Workspace
from psycopg2 import sql
from test_erp_sample import EXPECTED_COLUMNS

from ingest.database_source import DatabaseSource, DatabaseTable
from ingest.database_tables import database_resources
from ingest.erp import ERP, LAG_SECONDS
from ingest.pipeline import run_source
from ingest.shop import SHOP
from ingest.sources import SOURCES, SourceResult, erp_credentials, load_source
from warehouse.database import libpq_dsn_from_url
from warehouse.errors import WarehouseError
from warehouse.job import erp_sample_dsn
from warehouse.sample import erp_schema
from warehouse.sample.erp_generator import generate_erp
from warehouse.settings import ERP_DBNAME, ERP_READER

TABLES = [table.name for table in ERP.tables]
UNREACHABLE = "postgresql://erp:hunter2@127.0.0.1:1/totesys"  # pragma: allowlist secret


def sample(space: Workspace, day: int) -> None:
    generate_erp(dsn=erp_dsn(space), truth_dir=space.settings.truth_dir, scale=1, day=day, seed=42)


def erp_dsn(space: Workspace) -> str:
    return space.server.libpq_dsn(space.erp_dbname)


def in_source(space: Workspace, statement: str | sql.Composable, args: tuple = ()) -> list[tuple]:
    with psycopg2.connect(erp_dsn(space)) as conn, conn.cursor() as cursor:
        cursor.execute(statement, args)
        result = cursor.fetchall() if cursor.description else []
    conn.close()
    return result


def in_raw(space: Workspace, statement: str | sql.Composable, args: tuple = ()) -> list[tuple]:
    with psycopg2.connect(space.server.libpq_dsn(space.dbname)) as conn, conn.cursor() as cursor:
        cursor.execute(statement, args)
        result = cursor.fetchall() if cursor.description else []
    conn.close()
    return result


def load(space: Workspace, reader: str = "copy") -> SourceResult:
    """One ingest of the ERP, through the pipeline code `warehouse ingest` runs; it must succeed.

    `reader` "sql_table" takes the path of a source that is not Postgres (dlt's sql_table, pyarrow backend) on the
    same database, through the same pipeline code.
    """
    if reader == "copy":
        result = load_source(ERP.name, space.connection, space.settings)
    else:
        settings, connection = space.settings, space.connection
        registered = next(source for source in SOURCES if source.name == ERP.name)
        result = run_source(
            ERP.name,
            lambda notes: database_resources(
                ERP,
                erp_credentials(connection, settings),
                connection.libpq_dsn(),
                settings.dlt_dir / "spool",
                notes,
                copy_fast_path=False,
            ),
            connection,
            settings,
            registered.before_load,
            registered.after_load,
        )
    assert result.ok, result.error
    return result


def source_rows(space: Workspace, table: str) -> set[tuple]:
    """Every row of the source table, all columns in the source's order."""
    return set(in_source(space, sql.SQL("select * from {}").format(sql.Identifier(table))))


def source_columns(space: Workspace, table: str) -> list[str]:
    return [
        row[0]
        for row in in_source(
            space,
            "select column_name from information_schema.columns where table_schema = 'public' and table_name = %s "
            "order by ordinal_position",
            (table,),
        )
    ]


def raw_rows(space: Workspace, table: str, columns: list[str], load_id: str | None = None) -> list[tuple]:
    """The rows of raw.erp_<table> (those of one load, if given), the source's columns in its order."""
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier("raw", f"erp_{table}")
    )
    if load_id is None:
        return in_raw(space, query)
    return in_raw(space, query + sql.SQL(" where _dlt_load_id = %s"), (load_id,))


def load_ids(space: Workspace) -> list[str]:
    return [row[0] for row in in_raw(space, "select load_id from raw._dlt_loads where status = 0 order by load_id")]


def test_the_declaration_names_every_table_of_the_sample_once_and_the_shop_is_declared_too() -> None:
    assert sorted(TABLES) == sorted(EXPECTED_COLUMNS)  # the reference's 11 tables, written out in that test
    for table in ERP.tables:
        assert set(table.contract_columns) <= {column for column, *_ in EXPECTED_COLUMNS[table.name]}, table.name
    assert ERP.raw_tables == tuple(f"erp_{table}" for table in TABLES)
    assert next(source for source in SOURCES if source.name == "erp").raw_tables == ERP.raw_tables
    assert all(table.cursor_column == "last_updated" and table.capture == "cursor" for table in ERP.tables)
    assert ERP.lag_seconds == LAG_SECONDS > 0
    [shop] = SHOP.tables
    assert (shop.name, shop.cursor_column, shop.capture) == ("transactions", "transaction_id", "range")
    with pytest.raises(ValueError, match="needs its primary key"):
        DatabaseSource("x", "x", (DatabaseTable("t", (), "last_updated"),))
    with pytest.raises(ValueError, match="declares a table twice"):
        DatabaseSource("x", "x", (DatabaseTable("t", ("id",), "c"), DatabaseTable("t", ("id",), "c")))


@pytest.mark.parametrize("reader", ["copy", "sql_table"])
def test_the_first_load_lands_every_row_of_every_table_and_a_rerun_lands_nothing(
    workspace: Workspace, reader: str
) -> None:
    sample(workspace, 1)

    result = load(workspace, reader)

    [first] = load_ids(workspace)
    for table in TABLES:
        expected = source_rows(workspace, table)
        landed = raw_rows(workspace, table, source_columns(workspace, table))
        assert len(landed) == len(expected) > 0, table
        assert set(landed) == expected, table  # every value as the source holds it (enums as their text)
        assert result.rows_by_table[f"erp_{table}"] == len(expected)
    assert in_raw(workspace, "select distinct _dlt_load_id from raw.erp_payment") == [(first,)]
    # Each run reads the highest last_updated and the overlap's versions from every raw table: an index on it.
    indexed = in_raw(
        workspace,
        "select tablename from pg_indexes where schemaname = 'raw' and indexdef like '%%btree (last_updated)'",
    )
    assert sorted(row[0] for row in indexed) == sorted(ERP.raw_tables)

    again = load(workspace, reader)  # nothing changed: the lag's overlap is read again and dropped

    assert again.rows_by_table == {}
    assert load_ids(workspace) == [first]  # no load at all: `warehouse refresh` sees nothing new and builds nothing
    for table in TABLES:
        assert len(raw_rows(workspace, table, ["last_updated"])) == len(source_rows(workspace, table)), table


@pytest.mark.parametrize("reader", ["copy", "sql_table"])
def test_a_later_day_lands_each_changed_row_as_a_new_version_and_nothing_else(
    workspace: Workspace, reader: str
) -> None:
    sample(workspace, 1)
    load(workspace, reader)
    status_hook = next(source for source in SOURCES if source.name == "erp").unloaded
    assert status_hook(workspace.connection, workspace.settings) is None
    before = {table: source_rows(workspace, table) for table in TABLES}
    sample(workspace, 2)
    after = {table: source_rows(workspace, table) for table in TABLES}
    waiting = status_hook(workspace.connection, workspace.settings)
    assert waiting is not None and f"payment {len(after['payment'] - before['payment']):,}" in waiting

    result = load(workspace, reader)

    second = load_ids(workspace)[-1]
    for table in TABLES:
        columns = source_columns(workspace, table)
        new_versions = after[table] - before[table]
        assert set(raw_rows(workspace, table, columns, second)) == new_versions, table  # no row of day 1 again
        assert result.rows_by_table.get(f"erp_{table}", 0) == len(new_versions), table
        # History survives: every version ever seen is in raw, once, and the latest of each key is the source's.
        everything = raw_rows(workspace, table, columns)
        assert len(everything) == len(set(everything)) == len(before[table] | after[table]), table
        latest = {}
        for row in sorted(everything, key=lambda row: row[columns.index("last_updated")]):
            latest[row[0]] = row
        assert set(latest.values()) == after[table], table
    # Day 2 is what the sample says: new orders, and payments paid (their earlier, unpaid version kept).
    flipped = in_raw(
        workspace,
        "select count(distinct payment_id) from raw.erp_payment p where paid and _dlt_load_id = %s "
        "and exists (select from raw.erp_payment q where q.payment_id = p.payment_id and not q.paid)",
        (second,),
    )[0][0]
    assert flipped > 0
    assert status_hook(workspace.connection, workspace.settings) is None


def test_a_row_committed_late_with_an_older_stamp_is_captured_inside_the_lag(workspace: Workspace) -> None:
    """A writer stamps `last_updated` when its transaction starts and commits after the load has run."""
    sample(workspace, 1)
    load(workspace)
    [(newest,)] = in_source(workspace, "select max(last_updated) from sales_order")
    inside, outside = newest - timedelta(seconds=LAG_SECONDS / 6), newest - timedelta(seconds=LAG_SECONDS * 2)
    in_source(
        workspace,
        "update sales_order set units_sold = units_sold + 1, last_updated = %s where sales_order_id = 1",
        (inside,),
    )
    in_source(
        workspace,
        "update sales_order set units_sold = units_sold + 1, last_updated = %s where sales_order_id = 2",
        (outside,),
    )

    result = load(workspace)

    assert result.rows_by_table["erp_sales_order"] == 1
    versions = in_raw(
        workspace, "select sales_order_id, last_updated from raw.erp_sales_order where sales_order_id in (1, 2)"
    )
    assert (1, inside) in versions and len([v for v in versions if v[0] == 1]) == 2
    # Beyond the lag the change is not seen (docs/data_rules.md says so): a limit, not a wish.
    assert (2, outside) not in versions


def test_a_new_column_in_the_source_lands_as_a_new_raw_column(workspace: Workspace) -> None:
    sample(workspace, 1)
    load(workspace)
    in_source(workspace, "alter table design add column colour text")
    in_source(workspace, "update design set colour = 'teal', last_updated = now() where design_id = 1")

    result = load(workspace)

    assert result.rows_by_table["erp_design"] == 1
    assert in_raw(workspace, "select colour, count(*) from raw.erp_design group by 1 order by 1") == [
        ("teal", 1),
        (None, len(source_rows(workspace, "design"))),
    ]


def test_a_dropped_table_or_cursor_stops_the_source_with_a_clear_error_and_loads_nothing(
    workspace: Workspace,
) -> None:
    sample(workspace, 1)
    load(workspace)
    in_source(workspace, "update currency set last_updated = now() where currency_id = 1")
    in_source(workspace, 'alter table "transaction" rename to transactions')

    failed = load_source(ERP.name, workspace.connection, workspace.settings)

    assert isinstance(failed.error, WarehouseError)
    assert "public.transaction do not exist in the source database" in str(failed.error)
    assert "dropped or renamed" in failed.error.hint and "SOURCES__ERP__CREDENTIALS" in failed.error.hint
    assert "Nothing from this run of the source was loaded" in failed.error.hint
    assert len(load_ids(workspace)) == 1  # the currency's change did not land either

    in_source(workspace, 'alter table transactions rename to "transaction"')
    in_source(workspace, "alter table currency rename column last_updated to updated_at")

    failed = load_source(ERP.name, workspace.connection, workspace.settings)

    assert isinstance(failed.error, WarehouseError)
    assert "table public.currency in the erp source database" in str(failed.error)
    assert "has no column(s) last_updated" in str(failed.error) and "cursor last_updated" in failed.error.hint
    assert len(load_ids(workspace)) == 1


def test_an_erp_database_never_filled_loads_nothing_and_says_so_one_unreachable_fails_clearly(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = load(workspace)

    assert result.rows_by_table == {}
    assert any("holds none of the 11 tables of source 'erp'" in note for note in result.notes)
    assert in_raw(workspace, "select count(*) from information_schema.tables where table_name like 'erp\\_%%'") == [
        (0,)
    ]

    monkeypatch.setenv("SOURCES__ERP__CREDENTIALS", UNREACHABLE)
    failed = load_source(ERP.name, workspace.connection, workspace.settings)

    assert isinstance(failed.error, WarehouseError), failed.error
    assert "cannot reach the erp source database" in str(failed.error) and "hunter2" not in str(failed.error)
    assert "SOURCES__ERP__CREDENTIALS" in failed.error.hint


# Each a write of its own kind; the reader must be refused every one with a permission error (SQLSTATE 42501).
WRITES = (
    "insert into currency (currency_code, last_updated) values ('XXX', now())",
    "update payment set paid = true",
    "delete from sales_order",
    "truncate design",
    "alter table staff add column note text",
    "create table notes (note text)",
    "create temporary table notes (note text)",
    "select nextval(pg_get_serial_sequence('sales_order', 'sales_order_id'))",
)


def test_the_default_erp_login_loads_by_both_readers_and_cannot_write(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SOURCES__ERP__CREDENTIALS the loader reads the embedded `erp` as ERP_READER: the COPY and sql_table
    readers and the status check work with it, every write is refused. A warehouse made before the role existed
    gets it on its next command, and day 1 re-creating the tables after the grants leaves them readable."""
    monkeypatch.delenv("SOURCES__ERP__CREDENTIALS")
    server = workspace.server
    with psycopg2.connect(server.libpq_dsn(ERP_DBNAME)) as conn, conn.cursor() as cursor:  # as before the role
        cursor.execute("select 1 from pg_roles where rolname = %s", (ERP_READER,))
        if cursor.fetchone():
            cursor.execute(sql.SQL("drop owned by {0}; drop role {0}").format(sql.Identifier(ERP_READER)))
        cursor.execute(sql.SQL("grant connect, temporary on database {} to public").format(sql.Identifier(ERP_DBNAME)))
    conn.close()
    connection, settings = workspace.connection, workspace.settings  # what every command starts with
    url = sa.engine.make_url(erp_credentials(connection, settings))
    assert (url.username, url.database, url.password) == (ERP_READER, ERP_DBNAME, None)
    try:
        day_1 = generate_erp(dsn=erp_sample_dsn(connection, settings), truth_dir=settings.truth_dir, day=1)

        first = load(workspace, "copy")

        assert first.rows_by_table == {f"erp_{table}": rows for table, rows in day_1.inserted.items()}
        day_2 = generate_erp(dsn=erp_sample_dsn(connection, settings), truth_dir=settings.truth_dir, day=2)
        second = load(workspace, "sql_table")
        assert second.rows_by_table == {
            f"erp_{table}": rows + day_2.updated.get(table, 0)
            for table, rows in day_2.inserted.items()
            if rows + day_2.updated.get(table, 0)
        }
        status_hook = next(source for source in SOURCES if source.name == ERP.name).unloaded
        assert status_hook(connection, settings) is None

        reader = psycopg2.connect(libpq_dsn_from_url(str(url)))
        try:
            with reader.cursor() as cursor:
                cursor.execute("select current_user, rolsuper from pg_roles where rolname = current_user")
                assert cursor.fetchone() == (ERP_READER, False)
            reader.rollback()
            for statement in WRITES:
                with pytest.raises(psycopg2.errors.InsufficientPrivilege), reader.cursor() as cursor:
                    cursor.execute(statement)
                reader.rollback()
        finally:
            reader.close()
        # Nobody else may connect to the source (PUBLIC lost CONNECT): e.g. the analysts' demo login.
        with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
            psycopg2.connect(server.libpq_dsn(ERP_DBNAME, user="analyst_demo")).close()
    finally:  # the session's `erp` database left as never filled, for the tests after this one
        with psycopg2.connect(server.libpq_dsn(ERP_DBNAME)) as conn:
            erp_schema.drop_tables(conn)
        conn.close()
