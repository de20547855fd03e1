"""`warehouse status`: the last runs, source freshness and failing tests; says whether anything needs attention."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg2
import psycopg2.extras

from warehouse.database import Connection
from warehouse.dbt_runner import stale_sources
from warehouse.errors import WarehouseError
from warehouse.run_lock import LOCK_KEY
from warehouse.run_log import last_runs, marts_behind_loads
from warehouse.settings import Settings


@dataclass
class Status:
    """The status screen's lines, and the reasons it needs attention (empty: all well)."""

    lines: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.attention


def failing_test_location(failure: str) -> str:
    """Where an analyst sees a failing test's rows: dbt stores them in schema test_failures, table = test name."""
    unique_id = failure.split(":", 1)[0]
    parts = unique_id.split(".")
    if parts[0] == "test" and len(parts) >= 3:
        # a hint, not run
        return f"{unique_id} - rows: select * from test_failures.{parts[2][:63]}"  # nosec B608
    return failure


def run_in_progress(connection: Connection) -> bool:
    """True while some process holds the warehouse's run lock."""
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_locks where locktype = 'advisory' and objid = %s and granted", (LOCK_KEY,)
        )
        return cursor.fetchone()[0] > 0


def last_ingest(connection: Connection) -> dict | None:
    """The newest run that ingested (ingest, run, refresh), also when later runs only built."""
    with (
        psycopg2.connect(connection.libpq_dsn()) as conn,
        conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor,
    ):
        cursor.execute("select to_regclass('ops.run_log') is not null as present")
        if not cursor.fetchone()["present"]:
            return None
        cursor.execute(
            "select run_id, command, ingest_notes from ops.run_log where command in ('ingest', 'run', 'refresh') "
            "order by started_at desc limit 1"
        )
        row = cursor.fetchone()
        return dict(row) if row else None


def not_read(note: str) -> bool:
    """A source's note (`<source>: <note>`) naming files in its landing folder that it will not read."""
    from ingest.sources import NOT_READ_NOTE

    return note.partition(": ")[2].startswith(NOT_READ_NOTE)


def sources_disagreeing(connection: Connection, settings: Settings) -> list[str]:
    """`<source>: <what it holds that the warehouse does not>` per source of the deployment's domains that can say,
    from the loaders' comparison.

    A source that cannot be compared (unreachable, misconfigured) is listed too: agreement is not known.
    """
    from ingest.sources import deployed_sources

    lines = []
    for source in deployed_sources(settings):
        if source.unloaded is None:
            continue
        try:
            difference = source.unloaded(connection, settings)
        except WarehouseError as error:
            difference = f"cannot be compared with the warehouse: {str(error).splitlines()[0]}"
        if difference:
            lines.append(f"{source.name}: {difference}")
    return lines


def collect_status(connection: Connection, settings: Settings, runs: int = 5) -> Status:
    """Read the run log, the loads and source freshness; every reason for attention goes to `attention`."""
    status = Status()
    history = last_runs(connection, runs)
    status.lines.append(f"last {len(history)} run(s):" if history else "no run logged yet (ops.run_log is empty)")
    for run in history:
        duration = f"{run['duration_seconds']:.1f} s" if run["duration_seconds"] is not None else "-"
        landed = sum((run["rows_landed"] or {}).values())
        status.lines.append(
            f"  {run['started_at']:%Y-%m-%d %H:%M:%S} {run['run_id']} {run['command']:<8} {run['trigger']:<8} "
            f"{run['status']:<8} {duration:>9}  rows landed {landed:,}"
            + (f"  error: {run['error'].splitlines()[0][:100]}" if run["error"] else "")
        )
    ingested = last_ingest(connection)
    if ingested and ingested["ingest_notes"]:
        status.lines.append(f"notes of the last ingest ({ingested['command']} {ingested['run_id']}):")
        status.lines += [f"  {note}" for note in ingested["ingest_notes"]]
        status.attention += [
            f"files the last ingest did not read: {note}" for note in ingested["ingest_notes"] if not_read(note)
        ]
    if not history:
        status.attention.append("the warehouse has never run: run `warehouse run`")
    elif history[0]["status"] == "failed":
        status.attention.append(f"the last run ({history[0]['run_id']}) failed: {history[0]['error'].splitlines()[0]}")
    elif history[0]["status"] == "running" and not run_in_progress(connection):
        status.attention.append(
            f"the last run ({history[0]['run_id']}) was interrupted: it never finished and no run is in progress; "
            "run `warehouse refresh` (or `warehouse run`)"
        )

    behind = marts_behind_loads(connection)
    # A failed or interrupted last run is flagged above already.
    if behind and not (history and history[0]["status"] != "success" and history[0]["run_id"] in behind):
        status.attention.append(f"{behind}; run `warehouse refresh`")

    disagreeing = sources_disagreeing(connection, settings)
    status.lines.append(
        "sources against the warehouse: " + ("all agree" if not disagreeing else f"{len(disagreeing)} disagree")
    )
    status.lines += [f"  {line}" for line in disagreeing]
    status.attention += [f"source {line}; run `warehouse refresh`" for line in disagreeing]

    stale = stale_sources(connection, settings)
    status.lines.append("source freshness: " + ("all sources fresh" if not stale else f"{len(stale)} stale"))
    status.lines += [f"  {line}" for line in stale]
    status.attention += [f"stale source {line}" for line in stale]

    built = next((run for run in history if run["failing_tests"] is not None), None)
    failing = (built or {}).get("failing_tests") or []
    if failing:
        status.lines.append(f"failing tests in run {built['run_id']}:")
        status.lines += [f"  {failing_test_location(failure)}" for failure in failing]
        status.attention.append(f"{len(failing)} failing test(s) in the last build")
    return status
