"""Benchmark: a refresh with one day's delta against a full build, at a given scale.

    .venv/bin/python scripts/benchmark_refresh.py --scale 100

In a throwaway state folder (its own embedded Postgres): sample day 1, ingest, then time a full build
(`warehouse build -- --full-refresh`); write day 2 (new and changed customers, new transactions) and time
`warehouse refresh` (ingest the delta, incremental build, tests); time a refresh with nothing new; finally change
rows the shop had already (UPDATEs and DELETEs spread over the table, back-filled ids below the lowest) and time
the refresh that captures them. Prints the delta's size, each time, and the refresh / full-build ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import connect, stop_embedded  # noqa: E402
from warehouse.settings import SOURCE_DBNAME, load_settings  # noqa: E402


def warehouse(*args: str) -> float:
    """Run a warehouse command; return its wall seconds (exit on failure, showing its output)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "warehouse.cli", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"`warehouse {' '.join(args)}` failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def count(dsn: str, statement: str) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()[0]


def change_the_shop(source_dsn: str, changes: int) -> None:
    """UPDATE and DELETE `changes` rows each, spread over the table, and back-fill two ids below the lowest."""
    with psycopg2.connect(source_dsn) as conn, conn.cursor() as cursor:
        cursor.execute("select min(transaction_id), max(transaction_id) from transactions")
        lowest, highest = cursor.fetchone()
        step = (highest - lowest) // (2 * changes + 1)
        ids = [lowest + step * (number + 1) for number in range(2 * changes)]
        cursor.execute("update transactions set amount = '1.25' where transaction_id = any(%s)", (ids[::2],))
        cursor.execute("delete from transactions where transaction_id = any(%s)", (ids[1::2],))
        cursor.execute(
            "insert into transactions select %s - number, customer_id, '3.75', '2024-01-05'"
            " from transactions, generate_series(1, 2) as number where transaction_id = %s",
            (lowest, ids[0]),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--changes", type=int, default=10, help="rows updated and rows deleted in the shop")
    args = parser.parse_args()

    workdir = use_throwaway_state("warehouse-refresh-bench-")
    settings = load_settings()
    dsn = connect(settings).libpq_dsn()
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        # The customer domain at scale; the tills at one trading day (+ one a day), as in benchmark_pipeline.py.
        warehouse("sample", "--scale", str(args.scale), "--tills-scale", "1")
        warehouse("ingest")
        customers_before = count(dsn, "select count(*) from raw.customers")
        transactions_before = count(dsn, "select count(*) from raw.transactions")
        full = warehouse("build", "--", "--full-refresh")
        print(f"scale {args.scale}: {customers_before:,} customer rows, {transactions_before:,} transactions")
        print(f"full build (dbt build --full-refresh):      {full:7.1f} s")

        warehouse("sample", "--scale", str(args.scale), "--tills-scale", "1", "--day", "2")
        refresh = warehouse("refresh")
        new_customers = count(dsn, "select count(*) from raw.customers") - customers_before
        new_transactions = count(dsn, "select count(*) from raw.transactions") - transactions_before
        print(
            f"day-2 delta: {new_customers:,} customer rows ({new_customers / customers_before:.1%}), "
            f"{new_transactions:,} transactions ({new_transactions / transactions_before:.1%})"
        )
        print(f"refresh with the delta (ingest+build+test):  {refresh:7.1f} s")
        nothing = warehouse("refresh")
        print(f"refresh with nothing new:                    {nothing:7.1f} s")
        print(f"ratio refresh / full build:                  {refresh / full:7.2f}")

        change_the_shop(connect(settings).libpq_dsn(SOURCE_DBNAME), args.changes)
        captures = count(dsn, "select count(*) from raw.transactions_captures")
        changed = warehouse("refresh")
        recaptured = count(dsn, "select count(*) from raw.transactions_captures") - captures
        print(
            f"shop changes: {args.changes} updates, {args.changes} deletes, 2 back-filled ids "
            f"-> {recaptured} id range(s) captured again"
        )
        print(f"refresh with those changes:                  {changed:7.1f} s")
        print(f"ratio changes refresh / full build:          {changed / full:7.2f}")
    finally:
        stop_embedded(settings)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
