"""Runs one dlt pipeline per source system into the `raw` schema, finishing or aborting leftovers first.

Since dlt 1.30 a load package that failed stays pending, and a plain `pipeline.run()` then only finishes that
package and extracts nothing new. Here a pending package is always handled explicitly before new data is
extracted: it is loaded again, and if that fails too it is aborted (its partial rows deleted, the local state
reset to what the warehouse holds) so the next extract reads the same data again. Nothing is skipped silently.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import dlt
import psycopg2
from dlt.pipeline.exceptions import PipelineStepFailed
from psycopg2 import sql

from ingest.sources import RAW_SCHEMA, SourceResult, WarehouseStep
from warehouse.database import Connection
from warehouse.errors import WarehouseError, file_error
from warehouse.settings import Settings

log = logging.getLogger(__name__)

# dlt's own tables in the raw dataset; until all exist, the dataset is new (see new_dataset_lock).
DLT_SYSTEM_TABLES = ("_dlt_version", "_dlt_loads", "_dlt_pipeline_state")
# Key of the Postgres advisory lock that sources take while they create the raw dataset: any fixed number.
NEW_DATASET_LOCK_KEY = 7_310_225


@contextmanager
def new_dataset_lock(connection: Connection) -> Iterator[None]:
    """While the raw dataset is new, let one source load at a time; once it exists, do not wait at all.

    The sources load in parallel processes, and the first load of each creates schema `raw` and dlt's tables in it
    if they are missing. Two first loads at once race on that, and one fails ("schema "raw" already exists"). So
    until dlt's tables exist, a source holds an advisory lock for its whole load; a process that dies frees it.
    """
    try:
        conn = psycopg2.connect(connection.libpq_dsn())
    except psycopg2.Error as error:
        raise WarehouseError(
            f"cannot connect to the warehouse database {connection.dbname}: {str(error).strip()}",
            hint="check that the warehouse is up (`warehouse db status`) and run the ingest again.",
        ) from error
    with closing(conn):
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(
                "select count(*) from information_schema.tables where table_schema = %s and table_name = any(%s)",
                (RAW_SCHEMA, list(DLT_SYSTEM_TABLES)),
            )
            if cursor.fetchone()[0] == len(DLT_SYSTEM_TABLES):
                yield
                return
            cursor.execute("select pg_advisory_lock(%s)", (NEW_DATASET_LOCK_KEY,))
            try:
                yield
            finally:
                cursor.execute("select pg_advisory_unlock(%s)", (NEW_DATASET_LOCK_KEY,))


def make_pipeline(source: str, connection: Connection, settings: Settings) -> dlt.Pipeline:
    """The dlt pipeline for one source system; its state lives in the state folder, one per warehouse database."""
    pipelines_dir = settings.dlt_dir / connection.dbname
    pipelines_dir.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=f"{source}_to_raw",
        destination=dlt.destinations.postgres(credentials=connection.dlt_url()),
        dataset_name=RAW_SCHEMA,
        pipelines_dir=str(pipelines_dir),
    )


def state_lost_by_the_warehouse(pipeline: dlt.Pipeline, connection: Connection) -> str | None:
    """What the warehouse lost of the loads the local state records (None: nothing, the state may be used).

    The warehouse database was lost, recreated or restored from an older copy while the state folder survived. dlt
    itself resets the local state only when schema `raw` is missing altogether, and prefers the local state when it
    is newer than the warehouse's: the local cursor (or list of loaded files) would then skip what the warehouse no
    longer holds, for good. The local state counts only when it records loaded data; with a package still pending,
    only a warehouse without any state of this pipeline is a loss (the pending package carries the newer state).
    """
    local = pipeline.state
    if not local.get("sources"):  # a new pipeline, or one whose first load never got that far
        return None
    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn.cursor() as cursor:
        states = sql.Identifier(RAW_SCHEMA, "_dlt_pipeline_state")
        loads = sql.Identifier(RAW_SCHEMA, "_dlt_loads")
        cursor.execute(
            "select to_regclass(%s) is not null and to_regclass(%s) is not null",
            (states.as_string(conn), loads.as_string(conn)),
        )
        remote = None
        if cursor.fetchone()[0]:
            # The rows dlt restores its state from: states of completed loads.
            cursor.execute(
                sql.SQL(
                    "select max(state.version) from {} state join {} loads "
                    "on loads.load_id = state._dlt_load_id and loads.status = 0 where state.pipeline_name = %s"
                ).format(states, loads),
                (pipeline.pipeline_name,),
            )
            remote = cursor.fetchone()[0]
    if remote is None:
        return "the warehouse holds none of the loads this state folder records"
    if remote < local["_state_version"] and not pipeline.has_pending_data:
        return (
            f"the warehouse holds an older state of this source (version {remote}, the state folder's is "
            f"{local['_state_version']})"
        )
    return None


def forget_local_state(pipeline: dlt.Pipeline, connection: Connection, loss: str) -> list[str]:
    """Delete the local pipeline folder (state, schemas, pending packages): dlt starts from the warehouse's state."""
    pending = list(pipeline.list_extracted_load_packages()) + list(pipeline.list_normalized_load_packages())
    why = "the first load never finished, or the warehouse database was" if pending else "the warehouse database was"
    notes = [
        f"{loss} ({pipeline.working_dir}): {why} lost, recreated or restored from an older copy; the local state is "
        "forgotten and the source loads again what the warehouse does not hold"
    ]
    if pending and pipeline.default_schema_name:
        # Their rows may have partly landed in the warehouse that is there now: remove them before reading again.
        notes.append(f"found unfinished load package(s) {', '.join(pending)} from an earlier run; aborting them")
        tables = [name for name in pipeline.default_schema.data_table_names() if not name.startswith("_dlt")]
        delete_rows_of_loads(connection, tables, pending)
        notes.append("aborted; their rows were removed and the next extract reads that data again")
    pipeline.drop()
    return notes


def handle_pending_packages(pipeline: dlt.Pipeline, connection: Connection) -> list[str]:
    """Finish a load package an earlier run left behind, or abort it; return notes saying which."""
    if not pipeline.has_pending_data:
        return []
    pending = list(pipeline.list_extracted_load_packages()) + list(pipeline.list_normalized_load_packages())
    notes = [f"found unfinished load package(s) {', '.join(pending)} from an earlier run; loading them now"]
    try:
        pipeline.normalize()
        pipeline.load()
        notes.append("finished the earlier package(s)")
        return notes
    except PipelineStepFailed as error:
        notes.append(f"the earlier package(s) failed again ({root_cause(error)}); aborting them")
    tables = [name for name in pipeline.default_schema.data_table_names() if not name.startswith("_dlt")]
    delete_rows_of_loads(connection, tables, pending)
    # abort_packages also restores the local state (cursors) to where the aborted package started.
    pipeline.abort_packages()
    if pipeline.has_pending_data:
        pipeline.load()  # completes the abort record
    notes.append("aborted; their rows were removed and the next extract reads that data again")
    return notes


def delete_rows_of_loads(connection: Connection, tables: list[str], load_ids: list[str]) -> None:
    """Remove rows that a partially loaded package left in raw tables."""
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        for table in tables:
            cursor.execute("select to_regclass(%s)", (f"{RAW_SCHEMA}.{table}",))
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(
                sql.SQL("delete from {} where _dlt_load_id = any(%s)").format(sql.Identifier(RAW_SCHEMA, table)),
                (load_ids,),
            )


def root_cause(error: BaseException) -> BaseException:
    """The innermost exception of a dlt step failure (dlt wraps the error raised in a resource)."""
    seen = error
    while True:
        inner = getattr(seen, "exception", None) or seen.__cause__ or seen.__context__
        # A generator's end (dlt's resource loop) is the context an error was raised in, not its cause.
        if inner is None or inner is seen or isinstance(inner, StopIteration):
            return seen
        if isinstance(inner, WarehouseError):
            return inner
        seen = inner


def rows_loaded(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Data rows per raw table in the last run (dlt's own tables left out), from dlt's extract metrics.

    Extract metrics count imported files too (normalize metrics do not), and the run only gets here when
    the load of those rows succeeded.
    """
    trace = pipeline.last_trace
    counts: dict[str, int] = {}
    if trace is None or trace.last_extract_info is None:
        return counts
    for step_metrics in trace.last_extract_info.metrics.values():
        for metrics in step_metrics:
            for table, table_metrics in metrics["table_metrics"].items():
                if not table.startswith("_dlt"):
                    counts[table] = counts.get(table, 0) + table_metrics.items_count
    return counts


def run_source(
    source: str,
    make_resource: Callable[[list[str]], object],
    connection: Connection,
    settings: Settings,
    before_load: WarehouseStep | None = None,
    after_load: WarehouseStep | None = None,
) -> SourceResult:
    """Extract, normalize and load one source; a failure is returned, not raised, so others still run.

    `before_load` runs before anything is loaded (also an unfinished package), `after_load` after every successful
    load, also one that found no new rows.
    """
    result = SourceResult(source)
    started = time.perf_counter()
    try:
        if before_load is not None:
            result.notes += run_step(source, before_load, connection)
        pipeline = make_pipeline(source, connection, settings)
        with new_dataset_lock(connection):
            loss = state_lost_by_the_warehouse(pipeline, connection)
            if loss:
                result.notes += forget_local_state(pipeline, connection, loss)
                pipeline = make_pipeline(source, connection, settings)
            result.notes += handle_pending_packages(pipeline, connection)
            resource = make_resource(result.notes)
            try:
                pipeline.run(resource, loader_file_format="csv")
            except PipelineStepFailed as error:
                cause = root_cause(error)
                # A failed extract must not leave half a package behind; a failed load is handled (finished or
                # aborted) at the start of the next run.
                if error.step == "extract" and pipeline.has_pending_data:
                    pipeline.abort_packages()
                if isinstance(cause, WarehouseError):
                    raise cause from error
                if isinstance(cause, OSError):  # dlt's state, schemas and load files are in the state folder
                    raise source_file_error(cause, source, settings, error.step) from error
                raise WarehouseError(
                    f"loading source '{source}' failed in dlt's {error.step} step: {cause}",
                    hint="fix the cause above and run the ingest again; an unfinished package is retried or "
                    "aborted at the start of the next run.",
                ) from error
        result.rows_by_table = rows_loaded(pipeline)
        if after_load is not None:
            result.notes += run_step(source, after_load, connection)
    except WarehouseError as error:
        result.error = error
    except OSError as error:
        result.error = source_file_error(error, source, settings)
    result.seconds = time.perf_counter() - started
    return result


def source_file_error(error: OSError, source: str, settings: Settings, step: str | None = None) -> WarehouseError:
    """A full disk, a read-only state folder (dlt's state, schemas, load files) or a file without permission while
    loading a source, as the project's clear error."""
    where = f" in dlt's {step} step" if step else ""
    state_dir = settings.state_dir.resolve()
    if error.filename and Path(os.fsdecode(error.filename)).resolve().is_relative_to(state_dir):
        return file_error(error, f"write the state folder for source '{source}'{where}", "WAREHOUSE_STATE_DIR")
    return file_error(error, f"read or write a file for source '{source}'{where}")


def run_step(source: str, step: WarehouseStep, connection: Connection) -> list[str]:
    """Run a source's step on the warehouse; its note, if any; a database error becomes a WarehouseError."""
    try:
        note = step(connection)
    except psycopg2.Error as error:
        name = getattr(step, "func", step).__name__  # a declared source's step is a functools.partial
        raise WarehouseError(
            f"source '{source}': step {name} in the warehouse database failed: {str(error).strip()}",
            hint="fix the cause above and run the ingest again; rows already loaded are not loaded again.",
        ) from error
    return [note] if note else []
