"""The warehouse's jobs: sample sources, ingest, dbt build, and the main run that chains them."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from warehouse.database import Connection, connect
from warehouse.dbt_runner import DbtResult, run_dbt
from warehouse.errors import WarehouseError
from warehouse.settings import SOURCE_DBNAME, Settings


def say(message: str) -> None:
    """One progress line on stderr (stdout stays clean for summaries and `db env`)."""
    print(f"[warehouse] {message}", file=sys.stderr, flush=True)


@dataclass
class RunReport:
    """What the main job did, for the one-screen summary."""

    step_seconds: dict[str, float] = field(default_factory=dict)
    rows_landed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dbt: DbtResult | None = None


def timed(report: RunReport, step: str, action: Callable[[], object]) -> object:
    """Run one step, record how long it took."""
    say(f"{step} ...")
    started = time.perf_counter()
    try:
        return action()
    finally:
        report.step_seconds[step] = time.perf_counter() - started


def source_libpq_dsn(connection: Connection) -> str:
    """Where the sample `transactions` table is written: the configured source database or the embedded `shop`."""
    configured = os.environ.get("SOURCES__TRANSACTIONS__CREDENTIALS")
    if not configured:
        if not connection.embedded:
            raise WarehouseError(
                "no source database for the sample transactions",
                hint="set SOURCES__TRANSACTIONS__CREDENTIALS to a SQLAlchemy URL of a database you may write to.",
            )
        return connection.libpq_dsn(SOURCE_DBNAME)
    import sqlalchemy as sa

    url = sa.engine.make_url(configured)
    parts = url.translate_connect_args(username="user", database="dbname")
    parts.update({key: value for key, value in url.query.items() if isinstance(value, str)})
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value not in (None, ""))


def generate_sample_sources(
    connection: Connection, settings: Settings, scale: int = 1, day: int = 1, seed: int = 42
) -> object:
    """Write the sample CRM export and shop transactions (see docs/sample_data.md)."""
    from warehouse.sample import generate_sample

    summary = generate_sample(
        customers_dir=settings.customers_landing_dir,
        source_dsn=source_libpq_dsn(connection),
        truth_dir=settings.truth_dir,
        scale=scale,
        day=day,
        seed=seed,
        progress=say,
    )
    say(
        f"sample day {day} at scale {scale}: {summary.customer_rows:,} customer rows in {summary.customers_file}, "
        f"{summary.transaction_rows:,} transactions; ground truth in {settings.truth_dir}"
    )
    return summary


def ingest(connection: Connection, settings: Settings, only: list[str] | None = None) -> dict[str, int]:
    """Load every source into raw; raise one error naming every source that failed (the others still load)."""
    from ingest.sources import run_ingest  # dlt is slow to import: only when ingesting

    results = run_ingest(connection, settings, only)
    landed: dict[str, int] = {}
    for result in results:
        for note in result.notes:
            say(f"{result.source}: {note}")
        if result.ok:
            rows = ", ".join(f"{table} {count:,}" for table, count in result.rows_by_table.items()) or "no new rows"
            say(f"{result.source}: {rows} ({result.seconds:.2f} s)")
            landed.update(result.rows_by_table)
    failed = [result for result in results if not result.ok]
    if len(failed) == 1:
        raise failed[0].error
    if failed:
        raise WarehouseError("\n".join(f"source {result.source}: {result.error}" for result in failed))
    return landed


def landing_is_empty(settings: Settings) -> bool:
    """True when no CRM export has been dropped into the landing folder yet."""
    folder = settings.customers_landing_dir
    return not folder.exists() or not any(folder.glob("*.csv"))


def run_main_job(settings: Settings, dbt_args: list[str] | None = None) -> RunReport:
    """db up → sample data if the landing folder is empty → ingest → dbt build; returns the report."""
    report = RunReport()
    connection = timed(report, "database", lambda: connect(settings))
    if landing_is_empty(settings):
        if os.environ.get("SOURCES__TRANSACTIONS__CREDENTIALS"):
            say(f"landing folder {settings.customers_landing_dir} is empty and a real source is configured: no sample")
        else:
            say(f"landing folder {settings.customers_landing_dir} is empty: generating the sample sources")
            timed(report, "sample", lambda: generate_sample_sources(connection, settings))
    report.rows_landed = timed(report, "ingest", lambda: ingest(connection, settings))
    report.dbt = timed(report, "dbt build", lambda: run_dbt(["build", *(dbt_args or [])], connection, settings))
    return report
