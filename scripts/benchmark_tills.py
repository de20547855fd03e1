"""Benchmark: `warehouse ingest --source tills` against a plain COPY of the same till rows (issue 10's target: <= 3x).

    .venv/bin/python scripts/benchmark_tills.py --days 210 --repeat 3 --sample-dir /tmp/tills-sample

What it measures, and why: the till loader does more than copy bytes — it lists the landing folder, hashes each
file's content (SHA-256), tells the file's layout from line 1, parses it with Arrow, computes two keyed BLAKE2b
hashes per row (the order id and the card-holder pseudonym), drops the customer's name and card number, writes CSV
load files and has dlt COPY them. The question is what all that costs over the floor, a plain COPY of the same rows.

1. The sample: `--days` trading days of the till generator (about 5,000 order lines a day, 18 branches), written
   once into `--sample-dir` and reused by later runs with the same number of days (generation time is printed).
2. On a throwaway state folder with its own embedded Postgres (your warehouse is not touched), `--repeat` times:
   a. the user's command from a cold start: `warehouse ingest --source tills` as a subprocess, timed whole (Python
      start-up, dlt, parsing, hashing, COPY), on a freshly created warehouse database with no dlt state;
   b. a plain COPY of the same rows: the same files, as they are, into one table of seven text columns on the same
      server, with `COPY ... FROM STDIN (FORMAT csv)` per file (psycopg2 copy_expert; HEADER for the
      Excel-touched files, whose line 1 is a header), timed whole. Empty files (closed days) are skipped, and so
      are re-delivered files whose content equals an earlier file's, which the ingest also skips: both sides load
      exactly the same rows (checked against the sample's truth).
3. The ratio a/b, rows per second of each, the machine's cores and its load average before each step: the machine
   may be shared, and the figures only mean something next to how busy it was.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import Connection, connect, ensure_databases, stop_embedded  # noqa: E402
from warehouse.sample import generate_tills  # noqa: E402
from warehouse.sample.tills import EXCEL_HEADER  # noqa: E402
from warehouse.sample.tills_generator import read_manifest  # noqa: E402
from warehouse.settings import Settings, load_settings  # noqa: E402

TARGET_RATIO = 3.0
BASELINE_TABLE = "tills_copy_baseline"
TIMING_FILE = "generation.json"  # in the sample folder: how long the cached sample took to write
# The ingest reports its own duration per source, e.g. "[warehouse] tills: tills 1,063,785 (20.52 s)".
STEP_SECONDS = re.compile(r"tills: tills [\d,]+ \((?P<seconds>[\d.]+) s\)")


@dataclass
class Step:
    """One measured step's runs: wall seconds, rows, and the 1-minute load average just before each run."""

    name: str
    seconds: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    load_before: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> str:
        return f"{min(self.seconds):.2f}-{max(self.seconds):.2f}"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cached_sample(sample_dir: Path, days: int) -> tuple[Path, Path]:
    """The landing root and truth folder of a `days`-day till sample, generated only when not there already."""
    landing, truth = sample_dir / "landing", sample_dir / "truth"
    manifest = read_manifest(truth)
    timing = sample_dir / TIMING_FILE
    if manifest and manifest["scale"] == days and manifest["days_generated"] == 1 and timing.exists():
        seconds = json.loads(timing.read_text())["seconds"]
        print(f"sample: {days} trading days reused from {sample_dir} (generated earlier in {seconds:.1f} s)")
        return landing, truth
    print(f"sample: generating {days} trading days into {sample_dir} (load average {load_average()}) ...")
    started = time.perf_counter()
    generate_tills(tills_dir=landing / "tills", truth_dir=truth, scale=days)
    seconds = time.perf_counter() - started
    timing.write_text(json.dumps({"seconds": seconds}))
    print(f"sample: generated in {seconds:.1f} s")
    return landing, truth


def expected_rows(truth: Path) -> int:
    """Order lines the ingest should land: every line written, less those of re-delivered (duplicate) files."""
    orders = json.loads((truth / "tills" / "defects.json").read_text())["cumulative"]["orders"]
    return orders["lines"] - orders["rejected"]["duplicate_file"]


def files_to_copy(tills_dir: Path) -> list[tuple[Path, bool]]:
    """The files a plain COPY loads to get the ingest's rows, each with whether line 1 is a header.

    Like the ingest: empty files and files whose content equals an earlier one's (by modification time, then
    name) are left out. Decided before any timing.
    """
    chosen, seen = [], set()
    for path in sorted(tills_dir.glob("*.csv"), key=lambda p: (p.stat().st_mtime, p.name)):
        content = path.read_bytes()
        digest = hashlib.sha256(content).digest()
        if not content or digest in seen:
            continue
        seen.add(digest)
        first_line = content.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8-sig")
        chosen.append((path, first_line.lower() == EXCEL_HEADER))
    return chosen


def fresh_warehouse(connection: Connection, settings: Settings) -> None:
    """Drop the warehouse database and the dlt pipeline state, then create the database again (empty)."""
    admin = psycopg2.connect(connection.libpq_dsn("postgres"))
    admin.autocommit = True  # DROP DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(connection.dbname)))
    finally:
        admin.close()
    shutil.rmtree(settings.dlt_dir, ignore_errors=True)
    ensure_databases(connection)


def count_rows(connection: Connection, table: str) -> int:
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(*table.split("."))))
        rows = cursor.fetchone()[0]
    conn.close()
    return rows


def run_ingest(connection: Connection, reported: list[float]) -> tuple[float, int]:
    """a. `warehouse ingest --source tills` as a user runs it: wall seconds of the whole command, rows landed.

    The ingest's own figure for the source (dlt pipeline, without Python and library start-up) goes to `reported`.
    """
    command = [sys.executable, "-m", "warehouse.cli", "ingest", "--source", "tills"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the ingest failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    reported.append(float(STEP_SECONDS.search(done.stdout + done.stderr)["seconds"]))
    return seconds, count_rows(connection, "raw.tills")


def run_copy(connection: Connection, files: list[tuple[Path, bool]]) -> tuple[float, int]:
    """b. A plain COPY of the same files into seven text columns, one COPY per file, timed whole."""
    columns = ", ".join(f"{name} text" for name in EXCEL_HEADER.split(","))
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(f"drop table if exists {BASELINE_TABLE}; create table {BASELINE_TABLE} ({columns})")
    conn.close()
    plain = f"copy {BASELINE_TABLE} from stdin (format csv)"
    with_header = f"copy {BASELINE_TABLE} from stdin (format csv, header)"
    started = time.perf_counter()
    with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        for path, header in files:
            with path.open("rb") as data:
                cursor.copy_expert(with_header if header else plain, data)
    conn.close()
    seconds = time.perf_counter() - started
    return seconds, count_rows(connection, BASELINE_TABLE)


def measure(step: Step, run: Callable[[], tuple[float, int]], repetition: int) -> None:
    load = os.getloadavg()[0]
    seconds, rows = run()
    step.seconds.append(seconds)
    step.rows.append(rows)
    step.load_before.append(load)
    print(f"  run {repetition}: {step.name}: {seconds:.2f} s, {rows:,} rows (load average before {load:.2f})")


def print_table(ingest: Step, copy: Step, reported: list[float]) -> None:
    rows = ingest.rows[0]
    ratio = ingest.median / copy.median
    itself = statistics.median(reported)
    print()
    print(f"| {rows:,} till order lines, {len(ingest.seconds)} runs | median s | spread s | rows/s | load before |")
    print("|---|---|---|---|---|")
    for step in (ingest, copy):
        loads = ", ".join(f"{load:.1f}" for load in step.load_before)
        print(f"| {step.name} | {step.median:.2f} | {step.spread} | {rows / step.median:,.0f} | {loads} |")
    spread = f"{min(reported):.2f}-{max(reported):.2f}"
    print(
        f"| ingest itself, as the command reports it (no start-up) | {itself:.2f} | {spread} | {rows / itself:,.0f} | |"
    )
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    print(f"| ratio whole command / COPY | **{ratio:.2f}** | | | target <= {TARGET_RATIO:.0f}: {verdict} |")
    print(f"| ratio ingest itself / COPY | {itself / copy.median:.2f} | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=210, help="trading days of till files (210 = about 1.05M lines)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sample-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "warehouse-tills-sample",
        help="where the sample is cached",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary state folder")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_average()}"
    )
    landing, truth = cached_sample(args.sample_dir.resolve(), args.days)
    expected = expected_rows(truth)
    files = files_to_copy(landing / "tills")

    workdir = use_throwaway_state("warehouse-tills-bench-")
    os.environ["WAREHOUSE_LANDING_DIR"] = str(landing)  # the ingest only reads the cached sample
    settings = load_settings()
    connection = connect(settings)
    ingest = Step("`warehouse ingest --source tills` (whole command)")
    copy = Step("plain COPY of the same rows (7 text columns)")
    reported: list[float] = []
    try:
        print(f"rows to load: {expected:,} order lines in {len(files)} files (empty and re-delivered files left out)")
        for repetition in range(1, args.repeat + 1):
            fresh_warehouse(connection, settings)
            measure(ingest, lambda: run_ingest(connection, reported), repetition)
            measure(copy, lambda: run_copy(connection, files), repetition)
            for step in (ingest, copy):
                if step.rows[-1] != expected:
                    sys.exit(f"{step.name} loaded {step.rows[-1]:,} rows, expected {expected:,}")
        print_table(ingest, copy, reported)
        print(f"load average at the end: {load_average()}")
    finally:
        stop_embedded(settings)
        if args.keep:
            print(f"state kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
