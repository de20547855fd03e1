"""Benchmark: `warehouse ingest` of the shop transactions against a plain COPY of the same rows.

    .venv/bin/python scripts/benchmark_ingest.py --scale 100 --repeat 3

Works in a throwaway state folder (its own embedded Postgres), so your warehouse is not touched. Each repetition
starts from an empty raw schema. Both sides are timed as whole commands, as a user would run them:
`warehouse ingest --source shop` and `psql -c "\\copy ... from file"` of the same rows exported to CSV
beforehand. Two ratios are printed: the whole command (including about a second of Python and library start-up
that does not grow with the data) and the ingest itself as the command reports it (dlt pipeline from reading the
source to the committed load). Also the ingest's peak memory (RSS of the command and its children; the Postgres
server's own memory is not included).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import Connection, connect, psql_executable, stop_embedded  # noqa: E402
from warehouse.sample import generate_sample  # noqa: E402
from warehouse.settings import load_settings  # noqa: E402

MEASURE_CHILD = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
    "sys.stderr.write(done.stderr); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
)
# The ingest reports its own duration per source, e.g. "[warehouse] shop: transactions 1,050,000 (1.52 s)".
STEP_SECONDS = re.compile(r"shop: transactions [\d,]+ \((?P<seconds>[\d.]+) s\)")


def execute(connection: Connection, statement: str, dbname: str | None = None) -> list[tuple]:
    with psycopg2.connect(connection.libpq_dsn(dbname)) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall() if cursor.description else []


def timed_command(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KiB and stderr of a command (measured by a small parent process of its own)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE_CHILD, *command], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(command)}\n{completed.stderr}")
    return seconds, int(completed.stdout.strip().splitlines()[-1]), completed.stderr


def reset_raw(connection: Connection, settings_dlt_dir: Path) -> None:
    execute(connection, "drop schema if exists raw cascade")
    shutil.rmtree(settings_dlt_dir / connection.dbname, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="100 = 1.05M transactions")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary state folder")
    args = parser.parse_args()

    workdir = use_throwaway_state("warehouse-bench-")
    settings = load_settings()
    connection = connect(settings)
    env = dict(os.environ)
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        started = time.perf_counter()
        summary = generate_sample(
            customers_dir=settings.customers_landing_dir,
            source_dsn=connection.libpq_dsn("shop"),
            truth_dir=settings.truth_dir,
            scale=args.scale,
        )
        rows = summary.transaction_rows
        print(f"sample at scale {args.scale}: {rows:,} transactions ({time.perf_counter() - started:.1f} s)")

        export = workdir / "transactions.csv"
        with psycopg2.connect(connection.libpq_dsn("shop")) as conn, conn.cursor() as cursor, export.open("wb") as f:
            cursor.copy_expert("copy transactions to stdout with (format csv)", f)
        execute(
            connection,
            "create table copy_baseline (transaction_id bigint not null, customer_id varchar, amount varchar,"
            " transaction_date varchar)",
        )
        psql = [psql_executable(), connection.libpq_dsn(), "-q", "-c"]

        ingest_seconds, step_seconds, copy_seconds, peaks = [], [], [], []
        ingest = [sys.executable, "-m", "warehouse.cli", "ingest", "--source", "shop"]
        for repetition in range(1, args.repeat + 1):
            reset_raw(connection, settings.dlt_dir)
            seconds, peak_kib, stderr = timed_command(ingest, env)
            step_seconds.append(float(STEP_SECONDS.search(stderr)["seconds"]))
            landed = execute(connection, "select count(*) from raw.transactions")[0][0]
            if landed != rows:
                sys.exit(f"ingest landed {landed:,} rows, expected {rows:,}")
            ingest_seconds.append(seconds)
            peaks.append(peak_kib)

            execute(connection, "truncate copy_baseline")
            seconds, _, _ = timed_command([*psql, f"\\copy copy_baseline from '{export}' with (format csv)"], env)
            copy_seconds.append(seconds)
            print(
                f"  run {repetition}: warehouse ingest command {ingest_seconds[-1]:.2f} s "
                f"(ingest itself {step_seconds[-1]:.2f} s), COPY command {seconds:.2f} s"
            )

        command, step = statistics.median(ingest_seconds), statistics.median(step_seconds)
        copy = statistics.median(copy_seconds)
        print(f"rows:                                {rows:,}")
        print(f"plain COPY command (median):         {copy:.2f} s  ({rows / copy:,.0f} rows/s)")
        print(f"warehouse ingest command (median):   {command:.2f} s  ratio to COPY {command / copy:.2f}")
        print(f"ingest itself, as reported (median): {step:.2f} s  ratio to COPY {step / copy:.2f}")
        print(f"ingest peak memory:                  {max(peaks) / 1024:.0f} MiB (command and its children)")

        # The CRM exports of the same scale, through the Arrow CSV path, once.
        seconds, peak_kib, _ = timed_command([*ingest[:-1], "crm"], env)
        customers = execute(connection, "select count(*) from raw.customers")[0][0]
        print(
            f"crm ingest of the customer exports:  {customers:,} rows in {seconds:.2f} s (whole command), "
            f"peak memory {peak_kib / 1024:.0f} MiB"
        )
    finally:
        stop_embedded(settings)
        if args.keep:
            print(f"state kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
