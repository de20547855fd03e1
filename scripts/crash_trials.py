"""Crash trials: kill -9 a warehouse command at a random moment, run it again, and check nothing was lost or doubled.

    .venv/bin/python scripts/crash_trials.py                     # scale 20, 20 trials, seed 1
    .venv/bin/python scripts/crash_trials.py --scale 5 --trials 6 --seed 7 --keep

Works in a throwaway state folder (its own embedded Postgres, landing, truth, dbt target and logs), so your
warehouse is not touched. First the clean references: day 1 of the sample loaded and built without interruption,
then day 2 (new and changed customers, new transactions) as a clean `warehouse refresh`; each reference command is
timed, and those times calibrate the kill moments. Then each trial

1. puts the warehouse back in the trial's starting state (empty, day 1 built, or day 2 ingested: a copy of the
   database made with CREATE DATABASE ... TEMPLATE, plus dlt's local pipeline folder);
2. starts `warehouse ingest|build|run|refresh` in its own process group and sends SIGKILL to the whole group (the
   command, dbt, dlt's workers) at a moment drawn uniformly from 5-95 % of that command's clean duration, while
   a second connection keeps counting marts.dim_customers;
3. runs the recovery at once (`warehouse run`, or `warehouse refresh` for a killed refresh; if the run lock
   refuses it, again with `--wait 30`), then `warehouse status`;
4. checks raw against the sources, the marts and snapshot against the reference, dlt's leftovers and the run log.

One line per trial; the last line is "N/N trials recovered", and the exit code is 0 only if every trial recovered.
Every command has a timeout and the whole script a time budget (--max-minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import point_state_at, use_throwaway_state  # noqa: E402

from warehouse.database import Connection, connect, stop_embedded  # noqa: E402
from warehouse.settings import SOURCE_DBNAME, Settings, load_settings  # noqa: E402

PIPELINES = ("crm_to_raw", "shop_to_raw")
KILL_RANGE = (0.05, 0.95)  # kill moments, as fractions of the command's clean duration
LOCK_WAIT_SECONDS = 30
# pgserver rewrites this file (truncate, then write) when a process starts and exits; see docs/crash_recovery.md.
PGSERVER_PID_FILE = ".handle_pids.json"
MAX_ATTEMPTS = 4  # a command that finishes before its kill moment is started again with a new moment
# Columns that hold load times or load ids differ between two loads of the same data: not in the checksums.
LOAD_TIME_COLUMNS = {"first_loaded_at", "loaded_at", "load_id"}
CHECKSUMMED = {"dim_customers": "customer_id", "fct_transactions": "transaction_id"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DBT_PROGRESS = re.compile(r"(\d+ of \d+ (?:START|OK|PASS|WARN|ERROR|FAIL|SKIP)\S* .*?)(?:\s\.{2,}|\s*\[|$)")


@dataclass(frozen=True)
class Scenario:
    """What a trial kills, from which state, and how it recovers."""

    day: int
    start: str  # empty | built1 | ingested2
    command: str
    recovery: str


DAY1_SCENARIOS = (
    Scenario(1, "empty", "ingest", "run"),
    Scenario(1, "built1", "build", "run"),
    Scenario(1, "empty", "run", "run"),
)
DAY2_SCENARIOS = (
    Scenario(2, "built1", "refresh", "refresh"),
    Scenario(2, "built1", "ingest", "run"),
    Scenario(2, "built1", "refresh", "refresh"),
    Scenario(2, "ingested2", "build", "run"),
)


@dataclass
class Finished:
    """A command that ran (to its end, or until killed or timed out)."""

    seconds: float
    returncode: int | None
    output: str
    killed_at: float | None = None
    timed_out: bool = False


@dataclass
class Facts:
    """What the warehouse holds after a run: compared with the clean reference."""

    raw_customers: int = 0
    raw_transactions: int = 0
    mart_counts: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    snapshot_versions: int = 0
    snapshot_current: int = 0
    problems: list[str] = field(default_factory=list)  # broken invariants that need no reference


class Workspace:
    """The throwaway state folder, its embedded server and how to run `warehouse` in it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        point_state_at(workdir)
        os.environ.pop("WAREHOUSE_ALERT_URLS", None)
        os.environ.pop("WAREHOUSE_ALERT_SUCCESS_URLS", None)
        self.settings: Settings = load_settings()
        # Started here, by this process: the server is not in the process group of the commands we kill.
        self.connection: Connection = connect(self.settings)
        self.saved = workdir / "saved"
        self.log_number = 0
        self.current: subprocess.Popen | None = None

    @property
    def pipelines_dir(self) -> Path:
        return self.settings.dlt_dir / self.connection.dbname

    @property
    def spool_dir(self) -> Path:
        return self.settings.dlt_dir / "spool"

    def dsn(self, dbname: str | None = None) -> str:
        return self.connection.libpq_dsn(dbname)

    def _log_path(self, args: tuple[str, ...]) -> Path:
        self.log_number += 1
        folder = self.workdir / "command_logs"
        folder.mkdir(exist_ok=True)
        return folder / f"{self.log_number:03d}_{'_'.join(args)[:40]}.log"

    def start(self, *args: str) -> tuple[subprocess.Popen, Path, object]:
        """Start `warehouse <args>` in a new session (its own process group), output to a log file."""
        log_path = self._log_path(args)
        sink = log_path.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "warehouse.cli", *args],
            cwd=PROJECT_DIR,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.current = process
        return process, log_path, sink

    def run(self, *args: str, timeout: float) -> Finished:
        """Run `warehouse <args>` to its end (killed with its group after `timeout` seconds)."""
        started = time.perf_counter()
        process, log_path, sink = self.start(*args)
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            timed_out = True
        finally:
            sink.close()
        return Finished(time.perf_counter() - started, process.returncode, read_log(log_path), timed_out=timed_out)

    def run_and_kill(self, *args: str, kill_at: float, timeout: float) -> Finished:
        """Start `warehouse <args>` and SIGKILL its whole process group `kill_at` seconds later."""
        started = time.perf_counter()
        process, log_path, sink = self.start(*args)
        killed_at = None
        try:
            process.wait(timeout=kill_at)
        except subprocess.TimeoutExpired:
            killed_at = time.perf_counter() - started
            kill_group(process)
        finally:
            sink.close()
        if killed_at is None:  # it finished first; wait is over anyway
            process.wait(timeout=timeout)
        return Finished(time.perf_counter() - started, process.returncode, read_log(log_path), killed_at=killed_at)

    # --- saving and restoring the warehouse's state (database + dlt's local pipeline folder)

    def _admin(self):
        conn = psycopg2.connect(self.dsn("postgres"), connect_timeout=10)
        conn.autocommit = True
        return conn

    def _terminate(self, cursor, dbname: str) -> None:
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (dbname,),
        )

    def save_state(self, name: str) -> None:
        """Keep a copy of the warehouse database and of dlt's pipeline folder under `name`."""
        template = f"crash_trials_{name}"
        conn = self._admin()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(template)))
                self._terminate(cursor, self.connection.dbname)
                cursor.execute(
                    sql.SQL("create database {} template {}").format(
                        sql.Identifier(template), sql.Identifier(self.connection.dbname)
                    )
                )
        finally:
            conn.close()
        shutil.rmtree(self.saved / name, ignore_errors=True)
        shutil.copytree(self.pipelines_dir, self.saved / name, symlinks=True)

    def restore_state(self, name: str) -> None:
        """Put the warehouse back in a saved state; `empty` means no warehouse database and no dlt state."""
        conn = self._admin()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(self.connection.dbname))
                )
                if name != "empty":
                    cursor.execute(
                        sql.SQL("create database {} template {}").format(
                            sql.Identifier(self.connection.dbname), sql.Identifier(f"crash_trials_{name}")
                        )
                    )
        finally:
            conn.close()
        shutil.rmtree(self.pipelines_dir, ignore_errors=True)
        shutil.rmtree(self.spool_dir, ignore_errors=True)
        if name != "empty":
            shutil.copytree(self.saved / name, self.pipelines_dir, symlinks=True)

    # --- what is left behind

    def dlt_leftovers(self) -> dict[str, list[str]]:
        """Per pipeline: pending packages (extracted, being normalized, normalized) and stray extract folders."""
        found: dict[str, list[str]] = {}
        for pipeline in PIPELINES:
            root = self.pipelines_dir / pipeline
            items = []
            for kind, folder in (
                ("extracted", "normalize/extracted"),
                ("normalizing", "load/new"),
                ("normalized", "load/normalized"),
            ):
                path = root / folder
                if path.is_dir():
                    items += [f"{kind} {package.name}" for package in path.iterdir() if package.is_dir()]
            normalize = root / "normalize"
            if normalize.is_dir():
                items += [
                    f"extract folder {folder.name}"
                    for folder in normalize.iterdir()
                    if folder.is_dir() and folder.name != "extracted" and any(folder.rglob("*"))
                ]
            if items:
                found[pipeline] = items
        return found

    def pid_file_broken(self) -> bool:
        """pgserver's list of client pids (pgdata/.handle_pids.json) is not valid JSON."""
        path = self.settings.pgdata_dir / PGSERVER_PID_FILE
        try:
            json.loads(path.read_text()) if path.exists() else None
        except ValueError:
            return True
        return False

    def repair_pid_file(self) -> None:
        (self.settings.pgdata_dir / PGSERVER_PID_FILE).write_text("[]")

    def spool_files(self) -> list[Path]:
        return sorted(self.spool_dir.glob("*")) if self.spool_dir.is_dir() else []


def is_package(item: str) -> bool:
    return not item.startswith("extract folder")


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group led by `process` and wait until every member is gone (bounded)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def read_log(path: Path) -> str:
    return ANSI.sub("", path.read_text(errors="replace"))


def last_step(output: str) -> str:
    """Where a killed command was: its last progress line, and dbt's last node line if that came later."""
    where, dbt = "starting up", ""
    for line in output.splitlines():
        if line.startswith("[warehouse]"):
            where, dbt = line.removeprefix("[warehouse] ").strip(), ""
        elif match := DBT_PROGRESS.search(line):
            dbt = match.group(1).strip()
    return (f"{where} / {dbt[:70]}" if dbt else where)[:120]


# --- facts about the warehouse


def query(dsn: str, statement: str | sql.Composable, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(dsn, connect_timeout=10) as conn, conn.cursor() as cursor:
        cursor.execute("set statement_timeout = '120s'")
        cursor.execute(statement, params)
        rows = cursor.fetchall() if cursor.description else []
    conn.close()
    return rows


def landing_rows(landing_dir: Path) -> int:
    """Data records in every CRM export (quoted newlines allowed), header excluded."""
    total = 0
    for path in sorted((landing_dir / "customers").glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


def checksum(dsn: str, table: str, key: str) -> str:
    """md5 over the table's rows in key order, load-time columns left out."""
    columns = [
        name
        for (name,) in query(
            dsn,
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = %s "
            "order by ordinal_position",
            (table,),
        )
        if name not in LOAD_TIME_COLUMNS
    ]
    statement = sql.SQL("select md5(string_agg(md5(row({})::text), '' order by {})) from {}").format(
        sql.SQL(", ").join(sql.Identifier(column) for column in columns),
        sql.Identifier(key),
        sql.Identifier("marts", table),
    )
    return query(dsn, statement)[0][0] or ""


def collect_facts(ws: Workspace) -> Facts:
    """Raw against the sources, mart counts and checksums, snapshot, run log and dlt leftovers."""
    dsn = ws.dsn()
    facts = Facts()
    problems = facts.problems

    expected_customers = landing_rows(ws.settings.landing_dir)
    facts.raw_customers = query(dsn, "select count(*) from raw.customers")[0][0]
    if facts.raw_customers != expected_customers:
        problems.append(f"raw.customers has {facts.raw_customers:,} rows, the landing files {expected_customers:,}")
    doubled_lines = query(
        dsn,
        "select count(*) from (select 1 from raw.customers group by _source_file, _line_number having count(*) > 1) d",
    )[0][0]
    if doubled_lines:
        problems.append(f"{doubled_lines:,} (file, line) pairs appear more than once in raw.customers")

    source = Counter(dict(query(ws.dsn(SOURCE_DBNAME), "select transaction_id, count(*) from transactions group by 1")))
    landed = Counter(dict(query(dsn, "select transaction_id, count(*) from raw.transactions group by 1")))
    facts.raw_transactions = sum(landed.values())
    if landed != source:
        extra, missing = landed - source, source - landed
        problems.append(
            f"raw.transactions differs from the source per transaction_id: {sum(extra.values()):,} extra rows "
            f"({len(extra):,} ids), {sum(missing.values()):,} missing rows ({len(missing):,} ids)"
        )

    for table in ("customers", "transactions"):
        orphans = query(
            dsn,
            sql.SQL(
                "select count(distinct _dlt_load_id) from {} where _dlt_load_id not in "
                "(select load_id from raw._dlt_loads where status = 0)"
            ).format(sql.Identifier("raw", table)),
        )[0][0]
        if orphans:
            problems.append(f"raw.{table} holds rows of {orphans} load(s) that dlt never completed")

    for (table,) in query(
        dsn, "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ):
        # table names come from information_schema of our own warehouse
        facts.mart_counts[table] = query(dsn, f'select count(*) from marts."{table}"')[0][0]  # nosec B608
    for table, key in CHECKSUMMED.items():
        facts.checksums[table] = checksum(dsn, table, key)

    versions, current, current_customers = query(
        dsn,
        "select count(*), count(*) filter (where valid_to is null), "
        "count(distinct customer_id) filter (where valid_to is null) from intermediate.int_customers_history",
    )[0]
    facts.snapshot_versions, facts.snapshot_current = versions, current
    if current != current_customers:
        problems.append(f"snapshot: {current:,} current versions for {current_customers:,} customers")

    dangling = query(
        dsn,
        "select run_id || ' (' || command || ')' from ops.run_log as r where status = 'running' and not exists "
        "(select 1 from ops.run_log as s where s.status = 'success' and s.started_at > r.started_at)",
    )
    if dangling:
        problems.append(f"ops.run_log: 'running' without a later successful run: {', '.join(r[0] for r in dangling)}")

    pending = {name: items for name, items in ws.dlt_leftovers().items() if any(is_package(i) for i in items)}
    if pending:
        problems.append(f"dlt load packages still pending after the recovery: {pending}")
    return facts


def compare(facts: Facts, reference: Facts) -> list[str]:
    """Differences from the clean reference (plus the facts' own problems)."""
    differences = list(facts.problems)
    if facts.mart_counts != reference.mart_counts:
        changed = {
            table: (reference.mart_counts.get(table), count)
            for table, count in facts.mart_counts.items() | reference.mart_counts.items()
            if facts.mart_counts.get(table) != reference.mart_counts.get(table)
        }
        differences.append(f"mart row counts differ (reference, now): {dict(changed)}")
    for table, value in reference.checksums.items():
        if facts.checksums.get(table) != value:
            differences.append(f"checksum of marts.{table} differs from the reference")
    if (facts.snapshot_versions, facts.snapshot_current) != (reference.snapshot_versions, reference.snapshot_current):
        differences.append(
            f"snapshot has {facts.snapshot_versions:,} versions ({facts.snapshot_current:,} current), the reference "
            f"{reference.snapshot_versions:,} ({reference.snapshot_current:,})"
        )
    return differences


class MartsProbe(threading.Thread):
    """Counts marts.dim_customers over and over on its own connection while a command runs (and is killed)."""

    def __init__(self, dsn: str) -> None:
        super().__init__(daemon=True)
        self.dsn = dsn
        self.stop = threading.Event()
        self.counts: Counter[int] = Counter()
        self.errors: list[str] = []

    def read_once(self, cursor) -> None:
        try:
            cursor.execute("select count(*) from marts.dim_customers")
            self.counts[cursor.fetchone()[0]] += 1
        except psycopg2.Error as error:
            self.errors.append(str(error).strip().splitlines()[0])

    def run(self) -> None:
        try:
            conn = psycopg2.connect(self.dsn, connect_timeout=10, application_name="crash_trials probe")
        except psycopg2.Error as error:
            self.errors.append(f"cannot connect: {error}")
            return
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("set statement_timeout = '60s'")
                while not self.stop.is_set():
                    self.read_once(cursor)
                    self.stop.wait(0.25)
                self.read_once(cursor)  # once more, after the kill
        finally:
            conn.close()


# --- the trials


@dataclass
class Calibration:
    seconds: dict[tuple[int, str, str], float] = field(default_factory=dict)  # (day, start, command) -> seconds
    references: dict[int, Facts] = field(default_factory=dict)


def must_succeed(ws: Workspace, *args: str, timeout: float) -> float:
    done = ws.run(*args, timeout=timeout)
    if done.returncode != 0:
        tail = "\n".join(done.output.splitlines()[-30:])
        sys.exit(f"`warehouse {' '.join(args)}` failed during calibration (exit {done.returncode}):\n{tail}")
    return done.seconds


def calibrate_day1(ws: Workspace, calibration: Calibration, timeout: float) -> None:
    ws.restore_state("empty")
    calibration.seconds[(1, "empty", "ingest")] = must_succeed(ws, "ingest", timeout=timeout)
    ws.restore_state("empty")
    calibration.seconds[(1, "empty", "run")] = must_succeed(ws, "run", timeout=timeout)
    reference = collect_facts(ws)
    if reference.problems:
        sys.exit(f"the clean day-1 run is already wrong (no crash involved): {reference.problems}")
    calibration.references[1] = reference
    ws.save_state("built1")
    calibration.seconds[(1, "built1", "build")] = must_succeed(ws, "build", timeout=timeout)
    again = compare(collect_facts(ws), reference)
    if again:
        sys.exit(f"a second clean build of day 1 differs from the first (no crash involved): {again}")


def calibrate_day2(ws: Workspace, calibration: Calibration, scale: int, timeout: float) -> None:
    must_succeed(ws, "sample", "--scale", str(scale), "--day", "2", timeout=timeout)
    ws.restore_state("built1")
    calibration.seconds[(2, "built1", "ingest")] = must_succeed(ws, "ingest", timeout=timeout)
    ws.save_state("ingested2")
    calibration.seconds[(2, "ingested2", "build")] = must_succeed(ws, "build", timeout=timeout)
    by_ingest_and_build = collect_facts(ws)
    ws.restore_state("built1")
    calibration.seconds[(2, "built1", "refresh")] = must_succeed(ws, "refresh", timeout=timeout)
    reference = collect_facts(ws)
    if reference.problems:
        sys.exit(f"the clean day-2 refresh is already wrong (no crash involved): {reference.problems}")
    differences = compare(by_ingest_and_build, reference)
    if differences:
        sys.exit(f"day 2 by ingest + build differs from day 2 by refresh (no crash involved): {differences}")
    calibration.references[2] = reference


def recover(ws: Workspace, command: str, timeout: float) -> tuple[Finished, bool]:
    """Run the recovery right after the kill; retry with --wait when the run lock refuses it."""
    done = ws.run(command, timeout=timeout)
    refused = done.returncode != 0 and "another run is in progress" in done.output
    if refused:
        done = ws.run(command, "--wait", str(LOCK_WAIT_SECONDS), timeout=timeout + LOCK_WAIT_SECONDS)
    return done, refused


def recovery_notes(output: str) -> str:
    """What the recovery said about the earlier run's load packages."""
    notes = []
    for line in output.splitlines():
        line = line.removeprefix("[warehouse] ")
        if "unfinished load package" in line:
            notes.append(line.split(":", 1)[0] + " found pending")
        elif "finished the earlier package" in line:
            notes.append(line.split(":", 1)[0] + " finished it")
        elif "aborting them" in line or line.endswith("the next extract reads that data again"):
            notes.append(line.split(":", 1)[0] + " aborted it")
    return ", ".join(dict.fromkeys(notes))


def trial(
    ws: Workspace, number: int, total: int, scenario: Scenario, calibration: Calibration, rng: random.Random
) -> bool:
    key = (scenario.day, scenario.start, scenario.command)
    reference = calibration.references[scenario.day]
    allowed = {calibration.references[1].mart_counts["dim_customers"], reference.mart_counts["dim_customers"]}
    early: list[str] = []
    for _attempt in range(MAX_ATTEMPTS):
        clean = calibration.seconds[key]
        kill_at = rng.uniform(*KILL_RANGE) * clean
        timeout = max(180.0, 6 * clean)
        ws.restore_state(scenario.start)
        probe = MartsProbe(ws.dsn()) if scenario.start != "empty" else None
        if probe:
            probe.start()
        killed = ws.run_and_kill(scenario.command, kill_at=kill_at, timeout=timeout)
        if probe:
            probe.stop.set()
            probe.join(timeout=90)
        if killed.killed_at is not None or killed.returncode != 0:
            break
        # The machine was faster than at calibration: learn the shorter duration and draw again.
        early.append(f"{killed.seconds:.1f} s < {kill_at:.1f} s")
        calibration.seconds[key] = min(clean, killed.seconds)
    left = ws.dlt_leftovers()
    spool_after_kill = len(ws.spool_files())
    pid_file_broken = ws.pid_file_broken()

    recovery, refused = recover(ws, scenario.recovery, timeout)
    problems: list[str] = []
    if recovery.returncode != 0 or recovery.timed_out:
        tail = " | ".join(recovery.output.splitlines()[-3:])
        problems.append(f"recovery `warehouse {scenario.recovery}` failed (exit {recovery.returncode}): {tail}")
    else:
        problems += compare(collect_facts(ws), reference)
    notes = recovery_notes(recovery.output)
    if not notes and any(is_package(item) for items in left.values() for item in items):
        problems.append(f"the kill left pending packages {left} but the recovery did not say it handled them")

    status = ws.run("status", timeout=timeout)
    if status.returncode not in (0, 1) or "Traceback" in status.output or "status failed" in status.output:
        problems.append(f"`warehouse status` crashed (exit {status.returncode}): {status.output.splitlines()[-1:]}")

    if pid_file_broken:
        problems.append(
            f"the kill left pgserver's {ws.settings.pgdata_dir / PGSERVER_PID_FILE} empty: every `warehouse` "
            "command fails with a JSONDecodeError until it is removed (repaired here so the next trials run)"
        )
        ws.repair_pid_file()
    if probe:
        if probe.errors:
            problems.append(f"marts.dim_customers unreadable during the kill: {probe.errors[:2]}")
        if set(probe.counts) - allowed:
            problems.append(f"marts.dim_customers counts during the kill {dict(probe.counts)}, expected {allowed}")

    if killed.killed_at is None and killed.returncode != 0:
        what = f"`warehouse {scenario.command}` failed by itself (exit {killed.returncode}) before the kill"
        problems.append(f"the command failed without a kill: {last_step(killed.output)}")
    elif killed.killed_at is None:
        what = f"`warehouse {scenario.command}` finished before the kill every time ({', '.join(early)})"
        problems.append("no kill happened (the command kept finishing before the kill moment)")
    else:
        where = last_step(killed.output)
        what = f"killed `warehouse {scenario.command}` at {killed.killed_at:5.1f} s of ~{clean:.0f} s [{where}]"
    found = [f"redrawn after {len(early)} early finish(es)"] if early and killed.killed_at is not None else []
    if left:
        found.append("left " + "; ".join(f"{name}: {', '.join(items)}" for name, items in left.items()))
    if spool_after_kill:
        found.append(f"{spool_after_kill} spool file(s) left")
    if refused:
        found.append("run lock refused the first recovery")
    found.append(f"recovery `{scenario.recovery}` {recovery.seconds:.0f} s" + (f" ({notes})" if notes else ""))
    if probe:
        reads = sum(probe.counts.values())
        found.append(
            f"{reads} mart reads ok" if not probe.errors and not set(probe.counts) - allowed else "mart reads BAD"
        )
    verdict = "recovered" if not problems else "NOT RECOVERED: " + "; ".join(problems)
    print(f"trial {number:2d}/{total} day {scenario.day} | {what} | {'; '.join(found)} | {verdict}", flush=True)
    return not problems


def plan(trials: int) -> list[Scenario]:
    """About 60 % of the trials on day 1, the rest on day 2 (a refresh with new data in flight)."""
    day2 = trials * 2 // 5
    day1 = trials - day2
    return [DAY1_SCENARIOS[i % len(DAY1_SCENARIOS)] for i in range(day1)] + [
        DAY2_SCENARIOS[i % len(DAY2_SCENARIOS)] for i in range(day2)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="sample scale (20 = 104k customers, 210k transactions)")
    parser.add_argument("--trials", type=int, default=20, help="number of kills (at least 2: one per day)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random kill moments")
    parser.add_argument("--max-minutes", type=float, default=120, help="stop starting trials after this long")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder (command logs in it)")
    args = parser.parse_args()
    if args.trials < 2:
        parser.error("--trials must be at least 2")

    started = time.perf_counter()
    # random kill moments, reproducible by seed; not security
    rng = random.Random(args.seed)  # nosec B311
    workdir = use_throwaway_state("warehouse-crash-")
    ws = Workspace(workdir)
    scenarios = plan(args.trials)
    recovered = ran = 0
    try:
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"scale {args.scale}, {args.trials} trials, seed {args.seed}; state in {workdir}",
            flush=True,
        )
        setup_timeout = 900.0
        must_succeed(ws, "sample", "--scale", str(args.scale), timeout=setup_timeout)
        calibration = Calibration()
        calibrate_day1(ws, calibration, setup_timeout)
        ref = calibration.references[1]
        print(
            f"day-1 reference: raw.customers {ref.raw_customers:,}, raw.transactions {ref.raw_transactions:,}, "
            f"dim_customers {ref.mart_counts['dim_customers']:,}, fct_transactions "
            f"{ref.mart_counts['fct_transactions']:,}; clean seconds: "
            + ", ".join(f"{c} from {s} {t:.1f}" for (d, s, c), t in calibration.seconds.items() if d == 1),
            flush=True,
        )
        for number, scenario in enumerate(scenarios, 1):
            if time.perf_counter() - started > args.max_minutes * 60:
                print(f"time budget of {args.max_minutes:.0f} min used up: stopping before trial {number}")
                break
            if scenario.day == 2 and 2 not in calibration.references:
                calibrate_day2(ws, calibration, args.scale, setup_timeout)
                ref = calibration.references[2]
                print(
                    f"day-2 reference: raw.customers {ref.raw_customers:,}, raw.transactions "
                    f"{ref.raw_transactions:,}, dim_customers {ref.mart_counts['dim_customers']:,}, "
                    f"fct_transactions {ref.mart_counts['fct_transactions']:,}; clean seconds: "
                    + ", ".join(f"{c} from {s} {t:.1f}" for (d, s, c), t in calibration.seconds.items() if d == 2),
                    flush=True,
                )
            ran += 1
            recovered += trial(ws, number, args.trials, scenario, calibration, rng)
    finally:
        if ws.current is not None and ws.current.poll() is None:
            kill_group(ws.current)  # interrupted (Ctrl-C): the running command goes too
        if ws.pid_file_broken():
            ws.repair_pid_file()  # or pgserver's exit hook in this process fails too
        stop_embedded(ws.settings)
        if args.keep:
            print(f"state and command logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    print(f"{recovered}/{args.trials} trials recovered ({ran} run, {minutes:.1f} min)")
    return 0 if recovered == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
