"""The warehouse's jobs: sample sources, ingest, dbt build, and the main run that chains them."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from warehouse.database import Connection, connect, libpq_dsn_from_url, write_dbt_profile
from warehouse.dbt_runner import DbtFailed, DbtResult, run_dbt, stale_sources
from warehouse.domains import ALL_DOMAINS
from warehouse.errors import WarehouseError, file_error, is_file_error
from warehouse.run_lock import exclusive_run
from warehouse.run_log import (
    RunRecord,
    database_now,
    finish_run,
    marts_behind_loads,
    newest_load,
    record_captures,
    start_run,
)
from warehouse.settings import ERP_DBNAME, SOURCE_DBNAME, Settings


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
    run_id: str | None = None
    report_path: Path | None = None


def timed(report: RunReport, step: str, action: Callable[[], object]) -> object:
    """Run one step, record how long it took."""
    say(f"{step} ...")
    started = time.perf_counter()
    try:
        return action()
    finally:
        report.step_seconds[step] = time.perf_counter() - started


def source_libpq_dsn(connection: Connection, settings: Settings) -> str:
    """Where the sample `transactions` table is written: the configured source database or the embedded `shop`."""
    from ingest.sources import TRANSACTIONS_SECTION, source_credentials

    configured = source_credentials(TRANSACTIONS_SECTION, settings)
    if configured:
        return libpq_dsn_from_url(configured)
    if not connection.embedded:
        raise WarehouseError(
            "no source database for the sample transactions",
            hint="set SOURCES__TRANSACTIONS__CREDENTIALS to a SQLAlchemy URL of a database you may write to.",
        )
    return connection.libpq_dsn(SOURCE_DBNAME)


def erp_sample_dsn(connection: Connection, settings: Settings) -> str:
    """Where the sample ERP is written: the configured ERP database, else the embedded `erp` as its owner (the
    server's superuser; the loader reads it as the read-only ERP_READER)."""
    from ingest.sources import ERP_SECTION, source_credentials

    configured = source_credentials(ERP_SECTION, settings)
    if configured:
        return libpq_dsn_from_url(configured)
    if not connection.embedded:
        raise WarehouseError(
            "no ERP database for the sample ERP on an external warehouse",
            hint="set SOURCES__ERP__CREDENTIALS (or `credentials` under [sources.erp] in "
            f"{settings.dlt_settings_dir / 'secrets.toml'}) to a SQLAlchemy URL of a database you may write to.",
        )
    return connection.libpq_dsn(ERP_DBNAME)


def real_source_configured(settings: Settings) -> bool:
    """True when the shop or (in a deployment with the ERP) the ERP is a database of its own (env or
    .dlt/secrets.toml): `run` writes no sample."""
    from ingest.sources import ERP_SECTION, TRANSACTIONS_SECTION, source_credentials

    sections = (TRANSACTIONS_SECTION, ERP_SECTION) if "erp" in settings.domains else (TRANSACTIONS_SECTION,)
    return any(source_credentials(section, settings) is not None for section in sections)


def generate_sample_sources(
    connection: Connection,
    settings: Settings,
    scale: int = 1,
    day: int = 1,
    seed: int = 42,
    tills_scale: int | None = None,
    erp_scale: int = 1,
) -> object:
    """Write the sample sources of the deployment's domains (see docs/sample_data.md): the CRM export and shop
    transactions, and the branch till files and the ERP if the deployment has them (settings.domains).

    The tills' scale (trading days on day 1) is `scale` unless `tills_scale` is given; the ERP's is `erp_scale`
    (not `scale`: the customer benchmarks use large scales).
    """
    from warehouse.sample import erp_generator, generate_sample, generate_tills
    from warehouse.sample.tills_generator import check_day

    with_tills, with_erp = "tills" in settings.domains, "erp" in settings.domains
    tills_scale = scale if tills_scale is None else tills_scale
    # Before anything of day `day` is written: the tills and the ERP can follow the days they hold.
    if with_tills:
        check_day(settings.truth_dir, scale=tills_scale, day=day, seed=seed)
    if with_erp:
        erp_generator.check_day(settings.truth_dir, scale=erp_scale, day=day, seed=seed)
    erp_dsn = erp_sample_dsn(connection, settings) if with_erp else None
    summary = generate_sample(
        customers_dir=settings.customers_landing_dir,
        source_dsn=source_libpq_dsn(connection, settings),
        truth_dir=settings.truth_dir,
        scale=scale,
        day=day,
        seed=seed,
        progress=say,
    )
    written = [f"{summary.customer_rows:,} customer rows in {summary.customers_file}"]
    written.append(f"{summary.transaction_rows:,} transactions")
    if with_tills:
        tills = generate_tills(
            tills_dir=settings.tills_landing_dir,
            truth_dir=settings.truth_dir,
            scale=tills_scale,
            day=day,
            seed=seed,
            progress=say,
        )
        written.append(f"{tills.files_written} till files ({tills.order_lines:,} order lines) in {tills.tills_dir}")
    if with_erp:
        erp = erp_generator.generate_erp(
            dsn=erp_dsn, truth_dir=settings.truth_dir, scale=erp_scale, day=day, seed=seed, progress=say
        )
        written.append(
            f"ERP at scale {erp_scale} up to {erp.working_date} ({sum(erp.inserted.values()):,} rows inserted, "
            f"{sum(erp.updated.values()):,} updated)"
        )
    off = [name for name in ALL_DOMAINS if name not in settings.domains]
    say(
        f"sample day {day} at scale {scale}: {', '.join(written)}; ground truth in {settings.truth_dir}"
        + (f" (domains not in this deployment, not sampled: {', '.join(off)})" if off else "")
    )
    return summary


def ingest(
    connection: Connection, settings: Settings, only: list[str] | None = None, notes: list[str] | None = None
) -> dict[str, int]:
    """Load every source into raw; raise one error naming every source that failed (the others still load).

    The sources' notes (files skipped or not read, packages finished) are printed and added to `notes`.
    """
    from ingest.sources import run_ingest  # dlt is slow to import: only when ingesting

    started = database_now(connection)  # each source's read starts after it: a conservative capture time
    results = run_ingest(connection, settings, only)
    record_captures(connection, [result.source for result in results if result.ok], started)
    landed: dict[str, int] = {}
    for result in results:
        for note in result.notes:
            say(f"{result.source}: {note}")
            if notes is not None:
                notes.append(f"{result.source}: {note}")
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


@contextmanager
def logged_run(settings: Settings, command: str, wait_seconds: float = 0) -> Iterator[tuple[Connection, RunRecord]]:
    """Hold the run lock, log the run in ops.run_log from start to end, and alert on how it ended.

    A run that cannot start (no database, the run lock refused) alerts too: the refresh workflow relies on the
    warehouse alerting for every failure of its commands, and adds no alert of its own for them.
    """
    record: RunRecord | None = None
    started = time.perf_counter()
    try:
        connection = connect(settings, dbt_profile=False)
        with exclusive_run(connection, f"warehouse {command}", wait_seconds):
            record = start_run(connection, command)
            started = time.perf_counter()
            say(f"run {record.run_id} ({record.trigger}) started")
            try:
                write_dbt_profile(settings)  # in the state folder: a read-only one fails a logged run
                yield connection, record
            except BaseException as error:
                clear = file_error(error) if is_file_error(error) else error
                message = str(clear) or type(error).__name__
                finish_run(connection, record, "failed", message)
                notify(record, "failed", message, time.perf_counter() - started)
                if clear is not error:
                    raise clear from error
                raise
            finish_run(connection, record, "success")
            notify(record, "success", None, time.perf_counter() - started)
    except Exception as error:
        if is_file_error(error):  # before the run started (e.g. the embedded server's folder): the clear error
            clear = file_error(error)
            if record is None:
                notify(None, "failed", str(clear), time.perf_counter() - started, command)
            raise clear from error
        if record is None:
            notify(None, "failed", str(error) or type(error).__name__, time.perf_counter() - started, command)
        raise


def notify(
    record: RunRecord | None, status: str, error: str | None, seconds: float, command: str | None = None
) -> None:
    """Send the alerts this run calls for to the configured channels; an alerting fault never fails the run."""
    try:
        from warehouse.alerts import alerts_for_run, send_alerts

        send_alerts(alerts_for_run(record=record, status=status, error=error, seconds=seconds, command=command))
    except Exception as fault:  # an alert problem must not mask the run's own outcome
        say(f"could not send alerts: {type(fault).__name__}: {fault}")


def record_dbt(record: RunRecord, result: DbtResult) -> None:
    record.models_built = result.models_built
    record.tests_passed = result.tests_passed
    record.tests_warned = result.tests_warned
    record.tests_failed = result.tests_failed
    record.dbt_status_counts = result.status_counts
    record.failing_tests = result.failures


# dbt's unit tests check model code on fixed rows, so their answer changes only with the code: CI runs them
# (`make test`, `make test-fast`), and the job's builds on data (`run`, `refresh`) leave them out, as dbt advises.
# They were a quarter of a sample-scale build's work. `warehouse build` (a developer's dbt build) keeps them.
WITHOUT_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def build(connection: Connection, settings: Settings, record: RunRecord, dbt_args: list[str]) -> DbtResult:
    """dbt build, with its results kept in the run record even when it fails.

    The newest completed load is noted first: a build that succeeds holds every load up to it (marts_behind_loads).
    """
    load = newest_load(connection)
    record.last_load_built = load["load_id"] if load else None
    try:
        result = run_dbt(["build", *dbt_args], connection, settings)
    except DbtFailed as failure:
        record_dbt(record, failure.result)
        raise
    record_dbt(record, result)
    return result


def finish_with_checks(connection: Connection, settings: Settings, record: RunRecord, report: RunReport) -> None:
    """After a build: source freshness into the run record, and the HTML report."""
    record.stale_sources = timed(report, "freshness", lambda: stale_sources(connection, settings))
    for line in record.stale_sources:
        say(f"stale source: {line}")
    report.report_path = timed(report, "report", lambda: write_html_report(connection, settings))


def write_html_report(connection: Connection, settings: Settings) -> Path:
    from warehouse.report import write_report

    return write_report(connection, settings.report_path, settings.domains)


def run_main_job(settings: Settings, dbt_args: list[str] | None = None, wait_seconds: float = 0) -> RunReport:
    """db up → sample data if the landing folder is empty → ingest → dbt build → freshness → report."""
    report = RunReport()
    started = time.perf_counter()
    with logged_run(settings, "run", wait_seconds) as (connection, record):
        report.run_id = record.run_id
        report.step_seconds["database"] = time.perf_counter() - started
        if landing_is_empty(settings):
            if real_source_configured(settings):
                say(f"landing folder {settings.customers_landing_dir} is empty; a real source is configured: no sample")
            else:
                say(f"landing folder {settings.customers_landing_dir} is empty: generating the sample sources")
                timed(report, "sample", lambda: generate_sample_sources(connection, settings))
        record.rows_landed = report.rows_landed = timed(
            report, "ingest", lambda: ingest(connection, settings, notes=record.ingest_notes)
        )
        report.notes += record.ingest_notes
        report.dbt = timed(
            report, "dbt build", lambda: build(connection, settings, record, [*WITHOUT_UNIT_TESTS, *(dbt_args or [])])
        )
        finish_with_checks(connection, settings, record, report)
    return report


# The time zone whose day comes first: whatever the shop's time zone (dbt var source_timezone), a date that is not
# after today there may have come in the shop too; a build that finds it still future costs a build, nothing else.
EARLIEST_DAY_ZONE = "Etc/GMT-14"


def future_dates_due(connection: Connection) -> int:
    """Rejected future_date transactions whose day may have come since the last build (0 before any build)."""
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute("select to_regclass('intermediate.int_transactions_rejected') is not null")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(
            "select count(*) from intermediate.int_transactions_rejected where reject_reason = 'future_date' "
            "and transaction_date <= cast(now() at time zone %s as date)",
            (EARLIEST_DAY_ZONE,),
        )
        return cursor.fetchone()[0]


def refresh(settings: Settings, wait_seconds: float = 0) -> RunReport:
    """Ingest what is new, then build incrementally (incremental models, the customer history) and test.

    Nothing is rebuilt when the last build succeeded after the last load (whatever ran since: a manual `ingest`
    leaves the marts behind, a failed or killed build leaves them uncertain): the marts stay exactly as they were -
    unless a transaction rejected as future_date may have reached its day (future_dates_due).
    """
    report = RunReport()
    with logged_run(settings, "refresh", wait_seconds) as (connection, record):
        report.run_id = record.run_id
        record.rows_landed = report.rows_landed = timed(
            report, "ingest", lambda: ingest(connection, settings, notes=record.ingest_notes)
        )
        report.notes += record.ingest_notes
        behind = marts_behind_loads(connection, ignore_run=record.run_id)
        if behind is None:
            due = future_dates_due(connection)
            if not due:
                say("no new data and the last build succeeded after the last load: nothing to rebuild, marts unchanged")
                report.notes.append("no new data: marts unchanged")
                return report
            say(f"no new data, but {due:,} transaction(s) rejected as future_date may have reached their day: building")
        elif not sum(report.rows_landed.values()):
            say(f"no new data, but {behind}: building")
        report.dbt = timed(report, "dbt build", lambda: build(connection, settings, record, WITHOUT_UNIT_TESTS))
        finish_with_checks(connection, settings, record, report)
    return report
