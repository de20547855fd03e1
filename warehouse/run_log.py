"""The run log: one row per warehouse run in ops.run_log, written at the start and at the end of the run."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field

import psycopg2
import psycopg2.extras

from warehouse.database import Connection

TRIGGERS = ("manual", "schedule", "ci")

# A source's capture heartbeat: a load lands only when a source changed, so raw's load ids cannot tell a quiet source
# from one the warehouse stopped reading; this row moves on every successful read, new rows or none.
CAPTURES_DDL = """
create schema if not exists ops;
create table if not exists ops.source_captures (
    source_name text primary key,
    captured_at timestamptz not null
);
comment on table ops.source_captures is
    'Per source, the start of the last ingest that read it successfully (new rows or none): every change committed '
    'in the source before captured_at is in raw. The ERP''s freshness check times it (models/staging/erp).';
"""

DDL = (
    """
create schema if not exists ops;
create table if not exists ops.run_log (
    run_id text primary key,
    trigger text not null,
    command text not null,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    status text not null check (status in ('running', 'success', 'failed')),
    rows_landed jsonb not null default '{}'::jsonb,
    models_built integer,
    tests_passed integer,
    tests_warned integer,
    tests_failed integer,
    dbt_status_counts jsonb,
    stale_sources jsonb,
    failing_tests jsonb,
    duration_seconds numeric(10, 2),
    error text
);
comment on table ops.run_log is
    'One row per warehouse run (run, refresh, ingest, build): what it did and how it ended.';
alter table ops.run_log add column if not exists ingest_notes jsonb;
alter table ops.run_log add column if not exists last_load_built text;
comment on column ops.run_log.last_load_built is
    'The newest completed dlt load (raw._dlt_loads) when the build started: the marts hold every load up to it.';
"""
    + CAPTURES_DDL
)

# The commands that run `dbt build`.
BUILD_COMMANDS = ("run", "build", "refresh")


@dataclass
class RunRecord:
    """What a run did so far; written to ops.run_log when it finishes."""

    run_id: str
    trigger: str
    command: str
    rows_landed: dict[str, int] = field(default_factory=dict)
    models_built: int | None = None
    tests_passed: int | None = None
    tests_warned: int | None = None
    tests_failed: int | None = None
    dbt_status_counts: dict[str, int] | None = None
    stale_sources: list[str] | None = None
    failing_tests: list[str] | None = None
    # What the sources said while loading (re-delivered files skipped, files not read, ...), "<source>: <note>".
    ingest_notes: list[str] = field(default_factory=list)
    # The newest completed load when dbt build started (newest_load), None when nothing was loaded or no build ran.
    last_load_built: str | None = None


def current_trigger() -> str:
    """manual, schedule or ci: WAREHOUSE_TRIGGER when set (the workflows set it), else ci under CI, else manual."""
    configured = os.environ.get("WAREHOUSE_TRIGGER", "").strip().lower()
    if configured in TRIGGERS:
        return configured
    if configured == "workflow_dispatch":
        return "manual"
    return "ci" if os.environ.get("CI") else "manual"


def start_run(connection: Connection, command: str) -> RunRecord:
    """Create ops.run_log if needed and insert a 'running' row for a new run."""
    record = RunRecord(run_id=uuid.uuid4().hex[:12], trigger=current_trigger(), command=command)
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(DDL)
        cursor.execute(
            "insert into ops.run_log (run_id, trigger, command, status) values (%s, %s, %s, 'running')",
            (record.run_id, record.trigger, record.command),
        )
    return record


def database_now(connection: Connection) -> object:
    """The warehouse server's clock (what dbt's freshness compares with), as a timestamptz."""
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute("select clock_timestamp()")
        return cursor.fetchone()[0]


def record_captures(connection: Connection, sources: list[str], captured_at: object) -> None:
    """Note that `sources` were read successfully by an ingest that started at `captured_at`."""
    if not sources:
        return
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(CAPTURES_DDL)
        cursor.executemany(
            "insert into ops.source_captures (source_name, captured_at) values (%s, %s) "
            "on conflict (source_name) do update set captured_at = greatest(excluded.captured_at, "
            "ops.source_captures.captured_at)",
            [(source, captured_at) for source in sources],
        )


def finish_run(connection: Connection, record: RunRecord, status: str, error: str | None = None) -> None:
    """Close the run's row: status, finish time, duration and everything the run recorded."""
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(
            """
            update ops.run_log set
                finished_at = clock_timestamp(),
                status = %(status)s,
                rows_landed = %(rows_landed)s,
                models_built = %(models_built)s,
                tests_passed = %(tests_passed)s,
                tests_warned = %(tests_warned)s,
                tests_failed = %(tests_failed)s,
                dbt_status_counts = %(dbt_status_counts)s,
                stale_sources = %(stale_sources)s,
                failing_tests = %(failing_tests)s,
                ingest_notes = %(ingest_notes)s,
                last_load_built = %(last_load_built)s,
                duration_seconds = extract(epoch from clock_timestamp() - started_at),
                error = %(error)s
            where run_id = %(run_id)s
            """,
            {
                "status": status,
                "rows_landed": json.dumps(record.rows_landed),
                "models_built": record.models_built,
                "tests_passed": record.tests_passed,
                "tests_warned": record.tests_warned,
                "tests_failed": record.tests_failed,
                "dbt_status_counts": json.dumps(record.dbt_status_counts) if record.dbt_status_counts else None,
                "stale_sources": json.dumps(record.stale_sources) if record.stale_sources is not None else None,
                "failing_tests": json.dumps(record.failing_tests) if record.failing_tests is not None else None,
                "ingest_notes": json.dumps(record.ingest_notes) if record.ingest_notes else None,
                "last_load_built": record.last_load_built,
                "error": error,
                "run_id": record.run_id,
            },
        )


def last_runs(connection: Connection, limit: int = 10) -> list[dict]:
    """The latest runs, newest first (empty when no run was ever logged)."""
    with (
        psycopg2.connect(connection.libpq_dsn()) as conn,
        conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor,
    ):
        cursor.execute("select to_regclass('ops.run_log') is not null as present")
        if not cursor.fetchone()["present"]:
            return []
        cursor.execute("select * from ops.run_log order by started_at desc limit %s", (limit,))
        return [dict(row) for row in cursor.fetchall()]


def newest_load(connection: Connection) -> dict | None:
    """The newest completed dlt load of any source (raw._dlt_loads): load_id, schema_name, inserted_at; or None."""
    with (
        psycopg2.connect(connection.libpq_dsn()) as conn,
        conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor,
    ):
        cursor.execute("select to_regclass('raw._dlt_loads') is not null as present")
        if not cursor.fetchone()["present"]:
            return None
        cursor.execute(
            "select load_id, schema_name, inserted_at from raw._dlt_loads where status = 0 "
            "order by inserted_at desc, load_id desc limit 1"
        )
        row = cursor.fetchone()
        return dict(row) if row else None


def marts_behind_loads(connection: Connection, ignore_run: str | None = None) -> str | None:
    """Why the marts may not hold every load (None: the last build succeeded and read the newest load).

    The rule is "the last build succeeded after the last load", not "the last command succeeded": a manual
    `warehouse ingest` after the last build leaves the marts behind even though it succeeded. A build that failed
    or never finished (killed) after the last good one leaves them uncertain. `ignore_run` is the caller's own run.
    """
    load = newest_load(connection)
    with (
        psycopg2.connect(connection.libpq_dsn()) as conn,
        conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor,
    ):
        cursor.execute("select to_regclass('ops.run_log') is not null as present")
        builds = []
        if cursor.fetchone()["present"]:
            # A build ran unless the run succeeded without building (a refresh that found nothing to rebuild).
            cursor.execute(
                "select run_id, command, status, started_at, finished_at, last_load_built from ops.run_log "
                "where command = any(%s) and run_id is distinct from %s "
                "and (status <> 'success' or models_built is not null) "
                "order by started_at desc limit 1",
                (list(BUILD_COMMANDS), ignore_run),
            )
            builds = cursor.fetchall()
    if not builds:
        return "the marts were never built (no `warehouse run`, `build` or `refresh` logged)" if load else None
    build = builds[0]
    if build["status"] != "success":
        how = "failed" if build["status"] == "failed" else "never finished"
        return f"the last build ({build['command']} {build['run_id']}) {how}: the marts may be incomplete"
    if load is None:
        return None
    if build["last_load_built"] is not None:
        current = build["last_load_built"] == load["load_id"]
    else:  # logged before runs recorded the load they built: by time
        current = build["started_at"] >= load["inserted_at"]
    if current:
        return None
    return (
        f"the marts are older than the last load: the last build ({build['command']} {build['run_id']}) finished "
        f"{build['finished_at']:%Y-%m-%d %H:%M:%S %Z}, source {load['schema_name'].removesuffix('_to_raw')} loaded "
        f"{load['load_id']} at {load['inserted_at']:%Y-%m-%d %H:%M:%S %Z}"
    )
