"""The source systems the warehouse loads: a new source is a new module plus one entry in SOURCES, and its
name in its domain (warehouse/domains.py: a deployment loads only the sources of its domains).

A CSV source is a declaration (ingest/csv_source.py: its folder, file patterns, layouts, required and dropped
columns; e.g. ingest/crm_customers.py) listed as `csv_source(<declaration>)`; the CSV machinery loads it. A database
source is a declaration too (ingest/database_source.py: its tables, each with its key and cursor column; e.g.
ingest/erp.py) listed as `database_source(<declaration>, <its credentials>)`; ingest/database_tables.py loads it.

The sources are independent dlt pipelines, so they load at the same time, each in a process of its own: dlt's
configuration and pipeline context are per process (not made for two pipelines running in threads of one), and
the work of each (Arrow parsing, COPY) gets a core. The processes come from a fork server (multiprocessing's
`forkserver`): one clean single-threaded process that imports dlt, Arrow and the loaders once (LOADER_MODULES) and
forks a child per source, so the import is paid once a command instead of once a source (a `warehouse ingest` with
nothing new: 9.0 s of CPU in all with four spawned processes). Each child takes the command's environment and
folder, which may have changed since the server started. This module stays light (no dlt import) so that the
command starts the sources without waiting for dlt to import.
"""

from __future__ import annotations

import multiprocessing
import os

# Only for pickle.PicklingError: results cross the process boundary through multiprocessing's own pickling.
import pickle  # nosec B403
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache, partial
from multiprocessing.connection import Connection as Pipe
from typing import TYPE_CHECKING

from ingest.crm_customers import CRM_CUSTOMERS
from ingest.csv_source import CsvSource
from ingest.database_source import DatabaseSource
from ingest.erp import ERP, ERP_SECTION
from ingest.shop import SHOP, TRANSACTIONS_SECTION
from ingest.tills import TILLS
from warehouse.database import Connection
from warehouse.domains import domain_of_source, enabled_sources
from warehouse.errors import WarehouseError
from warehouse.settings import ERP_DBNAME, ERP_READER, SOURCE_DBNAME, Settings

if TYPE_CHECKING:
    from ingest.range_capture import KeyRange

# The dlt sections of the database sources' credentials (sources.<section>.credentials), TRANSACTIONS_SECTION and
# ERP_SECTION, are imported above from their declarations.
RAW_SCHEMA = "raw"

# How a source's note about files it will not read begins; `warehouse status` flags such notes for attention.
NOT_READ_NOTE = "not read in"

# A step a source runs on the warehouse around its load; returns a note for the user, or None.
WarehouseStep = Callable[[Connection], "str | None"]


@dataclass
class SourceResult:
    """What one source's ingest did: rows per raw table, time taken, and the error if it failed."""

    source: str
    rows_by_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: WarehouseError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Source:
    """A source system: its name (also the dlt pipeline's), how to build its dlt resource, and its steps.

    `make_resource` gets the run's list of notes for the user, to which the resource may add.
    """

    name: str
    raw_tables: tuple[str, ...]
    make_resource: Callable[[Connection, Settings, list[str]], object]
    before_load: WarehouseStep | None = None
    after_load: WarehouseStep | None = None
    # What the source holds that the warehouse has not loaded, in words (None: they agree); for `warehouse status`.
    unloaded: Callable[[Connection, Settings], str | None] | None = None


def source_setting(section: str, name: str, settings: Settings) -> str | None:
    """A source's secret setting `name` as dlt resolves it, or None when it is not configured.

    dlt's providers in dlt's order: the env var SOURCES__<SECTION>__<NAME>, then `<name>` under
    `[sources.<section>]` in the project's .dlt/secrets.toml (settings.dlt_settings_dir, whatever the current
    directory). A TOML table of fields (drivername, username, password, host, port, database, query) becomes a
    URL through dlt's ConnectionStringCredentials. The only place that reads source secrets.
    """
    from dlt.common.configuration.providers import EnvironProvider, SecretsTomlProvider
    from dlt.common.typing import TSecretValue

    for provider in (EnvironProvider(), SecretsTomlProvider(str(settings.dlt_settings_dir))):
        value, _ = provider.get_value(name, TSecretValue, None, "sources", section)
        if isinstance(value, Mapping):
            from dlt.common.configuration.specs import ConnectionStringCredentials

            return ConnectionStringCredentials(dict(value)).to_native_representation()
        if value:
            return str(value)
    return None


def source_credentials(section: str, settings: Settings) -> str | None:
    """A source database's credentials (SOURCES__<SECTION>__CREDENTIALS), or None when they are not configured."""
    return source_setting(section, "credentials", settings)


def transactions_credentials(connection: Connection, settings: Settings) -> str:
    """The shop database's SQLAlchemy URL: configured (source_credentials), else the embedded `shop` database."""
    configured = source_credentials(TRANSACTIONS_SECTION, settings)
    if configured:
        return configured
    if not connection.embedded:
        raise WarehouseError(
            "no transactions source configured for an external warehouse",
            hint="set SOURCES__TRANSACTIONS__CREDENTIALS (or `credentials` under [sources.transactions] in "
            f"{settings.dlt_settings_dir / 'secrets.toml'}) to a SQLAlchemy URL of the shop database.",
        )
    return connection.sqlalchemy_url(SOURCE_DBNAME)


def erp_credentials(connection: Connection, settings: Settings) -> str:
    """The URL the ERP loader reads with: configured (source_credentials), else the embedded `erp` database as the
    read-only login ERP_READER (warehouse.database.ensure_erp_reader); the sample writes with erp_sample_dsn."""
    configured = source_credentials(ERP_SECTION, settings)
    if configured:
        return configured
    if not connection.embedded:
        raise WarehouseError(
            "no ERP source configured for an external warehouse",
            hint="set SOURCES__ERP__CREDENTIALS (or `credentials` under [sources.erp] in "
            f"{settings.dlt_settings_dir / 'secrets.toml'}) to a SQLAlchemy URL of the ERP database.",
        )
    return connection.sqlalchemy_url(ERP_DBNAME, user=ERP_READER)


# Each source module is imported only when that source runs (their libraries are slow to import).


def csv_files_resource(declaration: CsvSource, connection: Connection, settings: Settings, notes: list[str]) -> object:
    """A CSV source's new files in <landing root>/<its folder>; the loaded files read back from raw if dlt lost them."""
    from ingest.csv_landing import csv_resource, files_in_raw
    from ingest.pseudonyms import pseudonym_key

    landing_dir = settings.landing_dir / declaration.folder
    return csv_resource(
        declaration,
        landing_dir,
        settings.dlt_dir / "spool",
        notes,
        lambda: files_in_raw(connection, declaration.table, landing_dir),
        cache(partial(pseudonym_key, declaration.name, connection, settings)),
    )


def create_csv_raw_table(declaration: CsvSource, connection: Connection) -> str | None:
    """After each load: the source's raw table, created empty if no file has landed yet (csv_landing)."""
    from ingest.csv_landing import create_raw_table_if_missing

    return create_raw_table_if_missing(declaration, connection)


def csv_source(declaration: CsvSource) -> Source:
    """The source that loads a declared CSV landing folder; its raw table exists (empty) before its first file."""
    return Source(
        declaration.name,
        (declaration.table,),
        partial(csv_files_resource, declaration),
        after_load=partial(create_csv_raw_table, declaration),
    )


def database_resource(
    declaration: DatabaseSource,
    credentials: Callable[[Connection, Settings], str],
    connection: Connection,
    settings: Settings,
    notes: list[str],
) -> object:
    """A database source's tables, each read from its last cursor (minus the lag) and appended to raw."""
    from ingest.database_tables import database_resources

    return database_resources(
        declaration, credentials(connection, settings), connection.libpq_dsn(), settings.dlt_dir / "spool", notes
    )


def database_unloaded(
    declaration: DatabaseSource,
    credentials: Callable[[Connection, Settings], str],
    connection: Connection,
    settings: Settings,
) -> str | None:
    """A database source's rows stamped after the highest cursor loaded of their table (nothing copied)."""
    from ingest.database_tables import unloaded_versions

    return unloaded_versions(declaration, credentials(connection, settings), connection.libpq_dsn())


def index_raw_cursors(declaration: DatabaseSource, connection: Connection) -> str | None:
    """After each load: a btree index on the cursor column of each of the source's raw tables that exists.

    Each run reads the highest cursor loaded and the versions in the lag's overlap from every raw table; without
    the index each is a scan of a table that only grows (every version is kept). Built once, after the table's
    first load; from then on a no-op (`if not exists`).
    """
    import psycopg2
    from psycopg2 import sql

    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn, conn.cursor() as cursor:
        for table in declaration.tables:
            raw_table = declaration.raw_table(table)
            cursor.execute("select to_regclass(%s)", (sql.Identifier(RAW_SCHEMA, raw_table).as_string(conn),))
            if table.capture != "cursor" or cursor.fetchone()[0] is None:
                continue
            cursor.execute(
                sql.SQL("create index if not exists {} on {} ({})").format(
                    sql.Identifier(f"{raw_table}_{table.cursor_column}_idx"),
                    sql.Identifier(RAW_SCHEMA, raw_table),
                    sql.Identifier(table.cursor_column),
                )
            )
    return None


def database_source(declaration: DatabaseSource, credentials: Callable[[Connection, Settings], str]) -> Source:
    """The source that loads a declared database's tables by cursor; `credentials` gives the database's URL."""
    return Source(
        declaration.name,
        declaration.raw_tables,
        partial(database_resource, declaration, credentials),
        after_load=partial(index_raw_cursors, declaration),
        unloaded=partial(database_unloaded, declaration, credentials),
    )


def shop_resource(connection: Connection, settings: Settings, notes: list[str]) -> object:
    from ingest.shop_transactions import transactions_resource

    return transactions_resource(
        transactions_credentials(connection, settings),
        settings.dlt_dir / "spool",
        lambda: captured_ranges_in_raw(connection, "transactions_captures"),
        notes,
    )


def shop_unloaded(connection: Connection, settings: Settings) -> str | None:
    """The shop's changes and new rows not in the warehouse yet (the loader's comparison, nothing copied)."""
    from ingest.shop_transactions import unloaded_changes

    return unloaded_changes(
        transactions_credentials(connection, settings), captured_ranges_in_raw(connection, "transactions_captures")
    )


def captured_ranges_in_raw(connection: Connection, captures_table: str) -> list[KeyRange]:
    """The latest completed capture of each key range in raw.<captures_table>, in key order; [] before the first.

    Read from the warehouse, not from dlt's state folder: the record goes exactly when the captured rows go.
    """
    import psycopg2
    from psycopg2 import sql

    from ingest.range_capture import KeyRange

    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn, conn.cursor() as cursor:
        cursor.execute("select to_regclass(%s)", (sql.Identifier(RAW_SCHEMA, captures_table).as_string(conn),))
        if cursor.fetchone()[0] is None:
            return []
        # Only captures of completed loads: dlt commits a package's files one by one and records the load (status
        # 0) when all are in, so a capture whose rows may be missing is not trusted; its ranges are compared
        # against the capture before it, differ, and are captured again.
        cursor.execute(
            sql.SQL(
                "select distinct on (range_low_id) range_low_id, range_high_id, source_rows, source_fingerprint "
                "from {} where _dlt_load_id in (select load_id from {} where status = 0) "
                "order by range_low_id, _dlt_load_id desc"
            ).format(sql.Identifier(RAW_SCHEMA, captures_table), sql.Identifier(RAW_SCHEMA, "_dlt_loads"))
        )
        return [KeyRange(*row) for row in cursor.fetchall()]


def add_row_ids_to_earlier_rows(connection: Connection) -> str | None:
    """Give rows loaded before raw.transactions had `_dlt_id` one, so dlt can add the column as NOT NULL.

    Runs once, on a warehouse loaded by an earlier version; `<load id>.earlier.<n>` cannot clash with the ids of
    new loads (`<load id>.<file>.<n>`, each load id new). Afterwards this is one catalog lookup.
    """
    import psycopg2
    from psycopg2 import sql

    transactions = sql.Identifier(RAW_SCHEMA, "transactions")
    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn, conn.cursor() as cursor:
        cursor.execute(
            "select count(*) filter (where column_name = '_dlt_id'), count(*) from information_schema.columns "
            "where table_schema = %s and table_name = 'transactions'",
            (RAW_SCHEMA,),
        )
        has_row_id, columns = cursor.fetchone()
        if has_row_id or not columns:
            return None
        cursor.execute(sql.SQL("alter table {} add column _dlt_id varchar").format(transactions))
        cursor.execute("create temporary sequence earlier_row_numbers")
        cursor.execute(
            sql.SQL("update {} set _dlt_id = _dlt_load_id || '.earlier.' || nextval('earlier_row_numbers')").format(
                transactions
            )
        )
        rows = cursor.rowcount
        cursor.execute(sql.SQL("alter table {} alter column _dlt_id set not null").format(transactions))
    return f"gave the {rows:,} rows loaded before raw.transactions had a _dlt_id column a row id"


def prepare_raw_transactions(connection: Connection) -> str | None:
    """Give raw.transactions its btree index on transaction_id, and make sure dbt finds what the captures add.

    The index: dbt's transaction models read in that order. Built once, after the first load (faster than growing
    it row by row during the COPY); from then on Postgres keeps it up to date, and this is a no-op (`if not
    exists`). A source that is not Postgres loads without range captures, so their table and the rows' range
    column are created empty here for the models that read them (dlt adds to a table that exists).
    """
    import psycopg2
    from psycopg2 import sql

    transactions = sql.Identifier(RAW_SCHEMA, "transactions")
    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn, conn.cursor() as cursor:
        cursor.execute("select to_regclass(%s)", (transactions.as_string(conn),))
        if cursor.fetchone()[0] is None:  # no table before the first row has landed
            return None
        cursor.execute(
            sql.SQL("create index if not exists transactions_transaction_id_idx on {} (transaction_id)").format(
                transactions
            )
        )
        cursor.execute(sql.SQL("alter table {} add column if not exists _range_low_id bigint").format(transactions))
        cursor.execute(
            sql.SQL(
                "create table if not exists {} (range_low_id bigint not null, range_high_id bigint not null, "
                "source_rows bigint not null, source_fingerprint varchar not null, _dlt_load_id varchar not null, "
                "_dlt_id varchar not null)"
            ).format(sql.Identifier(RAW_SCHEMA, "transactions_captures"))
        )
    return None


SOURCES = (
    csv_source(CRM_CUSTOMERS),
    Source(
        SHOP.name,
        SHOP.raw_tables,
        shop_resource,
        before_load=add_row_ids_to_earlier_rows,
        after_load=prepare_raw_transactions,
        unloaded=shop_unloaded,
    ),
    csv_source(TILLS),
    database_source(ERP, erp_credentials),
)


def deployed_sources(settings: Settings) -> list[Source]:
    """The sources of the deployment's domains (settings.domains, WAREHOUSE_DOMAINS), in SOURCES order."""
    names = enabled_sources(settings.domains)
    return [source for source in SOURCES if source.name in names]


def run_ingest(connection: Connection, settings: Settings, only: list[str] | None = None) -> list[SourceResult]:
    """Load every source of the deployment's domains (or those named in `only`), at the same time; each source's
    failure is in its result."""
    unknown = set(only or []) - {source.name for source in SOURCES}
    if unknown:
        raise WarehouseError(
            f"unknown source(s) {', '.join(sorted(unknown))}",
            hint=f"choose from {', '.join(source.name for source in SOURCES)}.",
        )
    deployed = [source.name for source in deployed_sources(settings)]
    off = sorted(set(only or []) - set(deployed))
    if off:
        domains = sorted({domain_of_source(name).name for name in off})
        raise WarehouseError(
            f"source(s) {', '.join(off)} of domain(s) {', '.join(domains)}, which this deployment does not have "
            f"(WAREHOUSE_DOMAINS={','.join(settings.domains)})",
            hint=f"choose from {', '.join(deployed)}, or add the domain to WAREHOUSE_DOMAINS.",
        )
    chosen = [name for name in deployed if not only or name in only]
    if len(chosen) == 1:
        return [load_source(chosen[0], connection, settings)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(LOADER_MODULES))
    started = []
    for name in chosen:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=load_source_in_process,
            args=(name, connection, settings, sender, CommandContext.of_this_process()),
            name=f"ingest {name}",
        )
        process.start()
        sender.close()  # the child holds the sending end now: its exit ends the pipe
        started.append((name, process, receiver))
    results = []
    for name, process, receiver in started:
        with receiver:
            try:
                results.append(receiver.recv())
            except EOFError:  # the process died without a word (killed, out of memory)
                process.join()
                results.append(
                    SourceResult(
                        name,
                        error=WarehouseError(
                            f"loading source '{name}' stopped: its process ended with exit code {process.exitcode}",
                            hint="run the ingest again; an unfinished load package is finished or aborted at the "
                            "start of the next run.",
                        ),
                    )
                )
        process.join()
    return results


def load_source(name: str, connection: Connection, settings: Settings) -> SourceResult:
    """Run one source's pipeline in this process."""
    from ingest.pipeline import run_source

    source = next(source for source in SOURCES if source.name == name)
    return run_source(
        name,
        lambda notes: source.make_resource(connection, settings, notes),
        connection,
        settings,
        source.before_load,
        source.after_load,
    )


# What the fork server imports once for all sources' processes: dlt, Arrow and SQLAlchemy come with them.
LOADER_MODULES = ("ingest.pipeline", "ingest.csv_landing", "ingest.shop_transactions", "ingest.database_tables")


@dataclass(frozen=True)
class CommandContext:
    """What a source's process takes from the command that started it: its pid, environment and folder."""

    pid: int
    environment: dict[str, str]
    folder: str

    @classmethod
    def of_this_process(cls) -> CommandContext:
        return cls(os.getpid(), dict(os.environ), os.getcwd())

    def enter(self) -> None:
        """Make this process's environment and folder the command's (the fork server kept those of its start)."""
        os.environ.clear()
        os.environ.update(self.environment)
        os.chdir(self.folder)


def load_source_in_process(
    name: str, connection: Connection, settings: Settings, results: Pipe, command: CommandContext
) -> None:
    """A source's process: load it and send back its result (errors included; they pickle)."""
    command.enter()
    threading.Thread(target=exit_without_parent, args=(command.pid,), daemon=True).start()
    try:
        result = load_source(name, connection, settings)
    except Exception as error:  # a bug rather than a source problem: show where, and still report the source
        traceback.print_exc()
        result = SourceResult(
            name,
            error=WarehouseError(
                f"loading source '{name}' failed unexpectedly: {type(error).__name__}: {error}",
                hint="the traceback above shows where; run the ingest again, and report it if it persists.",
            ),
        )
    try:
        results.send(result)
    except (pickle.PicklingError, TypeError, AttributeError):  # an error object that does not pickle: its text
        result.error = WarehouseError(str(result.error))
        results.send(result)
    results.close()


def exit_without_parent(command: int) -> None:
    """End this process once the command that started it is gone: the run lock went with it, so a new run may start.

    The command is not this process's parent (the fork server is), so it is looked up by its pid.
    """
    while command_alive(command):
        time.sleep(1)
    os._exit(1)


def command_alive(pid: int) -> bool:
    """Whether process `pid` still exists (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True
