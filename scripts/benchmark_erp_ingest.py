"""Benchmark: how fast the ERP loader lands the 11 tables, first load and the incremental loads after it.

    .venv/bin/python scripts/benchmark_erp_ingest.py --erp-scale 100

On a throwaway state folder with its own embedded Postgres (your warehouse is not touched): the ERP sample day 1
at the given scale (scale 100 is about 1M rows), then `warehouse ingest --source erp` as a user runs it (a new
process: the command's cold start, dlt's import and the server check are in the time), then day 2 (one working day
of new and updated rows) and its incremental ingest, then an ingest with nothing changed (the lag's overlap read
again and dropped). Each prints rows landed, seconds and rows per second, with the machine's load average. Last,
the reference: the same tables (as they stand after day 2) moved by a bare COPY out of the ERP and COPY into the
warehouse, and the ratio of the first load to it.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg2
from psycopg2 import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import connect, stop_embedded  # noqa: E402
from warehouse.sample.erp_generator import generate_erp  # noqa: E402
from warehouse.settings import ERP_DBNAME, load_settings  # noqa: E402

LANDED = re.compile(r"erp: ((?:erp_\w+ [\d,]+(?:, )?)+|no new rows) \(([\d.]+) s\)")


def ingest_erp() -> tuple[float, int, float]:
    """Run `warehouse ingest --source erp`; its wall time, the rows it landed and the loader's own seconds."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "warehouse.cli", "ingest", "--source", "erp"],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_DIR,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"ingest failed:\n{result.stderr[-3000:]}")
    found = LANDED.search(result.stderr)
    if not found:
        return seconds, 0, seconds
    rows = sum(int(count.replace(",", "")) for count in re.findall(r"erp_\w+ ([\d,]+)", found.group(1)))
    return seconds, rows, float(found.group(2))


def plain_copy(source_dsn: str, warehouse_dsn: str) -> tuple[float, int]:
    """The reference: every row of the 11 tables moved by a bare COPY out and COPY in (no dlt, no Arrow).

    Into empty tables of schema `bench` shaped like the raw tables (`like raw.erp_<table>`, without the load id),
    through memory; the seconds and rows of the moves only.
    """
    from ingest.erp import ERP

    rows = 0
    seconds = 0.0
    with closing(psycopg2.connect(source_dsn)) as source, closing(psycopg2.connect(warehouse_dsn)) as warehouse:
        with warehouse, warehouse.cursor() as cursor:
            cursor.execute("drop schema if exists bench cascade; create schema bench")
            for raw_table in ERP.raw_tables:
                cursor.execute(
                    sql.SQL("create table {} (like {}); alter table {} drop column _dlt_load_id").format(
                        sql.Identifier("bench", raw_table),
                        sql.Identifier("raw", raw_table),
                        sql.Identifier("bench", raw_table),
                    )
                )
        for table, raw_table in zip(ERP.tables, ERP.raw_tables, strict=True):
            started = time.perf_counter()
            buffer = io.BytesIO()
            with source, source.cursor() as cursor:
                cursor.copy_expert(
                    sql.SQL("copy {} to stdout with (format csv)").format(sql.Identifier(table.name)).as_string(cursor),
                    buffer,
                )
            buffer.seek(0)
            with warehouse, warehouse.cursor() as cursor:
                cursor.copy_expert(
                    sql.SQL("copy {} from stdin with (format csv)")
                    .format(sql.Identifier("bench", raw_table))
                    .as_string(cursor),
                    buffer,
                )
                rows += cursor.rowcount
            seconds += time.perf_counter() - started
        with warehouse, warehouse.cursor() as cursor:
            cursor.execute("drop schema bench cascade")
    return seconds, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--erp-scale", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    workdir = use_throwaway_state("erp-ingest-benchmark-")
    settings = load_settings()
    connection = connect(settings, dbt_profile=False)
    dsn = connection.libpq_dsn(ERP_DBNAME)
    print(f"{os.cpu_count()} cores; state in {workdir}; ERP scale {args.erp_scale}")
    print(f"{'step':<28} {'rows':>10} {'command s':>10} {'rows/s':>9} {'loader s':>9} {'rows/s':>9} {'load':>5}")
    measured: list[tuple[int, float, float]] = []
    try:
        for day, label in ((1, "first load (day 1)"), (2, "day 2 changes"), (None, "nothing changed")):
            if day is not None:
                started = time.perf_counter()
                generate_erp(dsn=dsn, truth_dir=settings.truth_dir, scale=args.erp_scale, day=day, seed=args.seed)
                print(f"  (sample day {day} written in {time.perf_counter() - started:.1f} s)")
            load = os.getloadavg()[0]
            seconds, rows, loader_seconds = ingest_erp()
            measured.append((rows, seconds, loader_seconds))
            print(
                f"{label:<28} {rows:>10,} {seconds:>10.2f} {rows / seconds:>9,.0f} {loader_seconds:>9.2f} "
                f"{rows / loader_seconds:>9,.0f} {load:>5.2f}"
            )
        load = os.getloadavg()[0]
        seconds, rows = plain_copy(dsn, connection.libpq_dsn())
        label = "plain COPY (source now)"
        print(f"{label:<28} {rows:>10,} {seconds:>10.2f} {rows / seconds:>9,.0f} {'':>9} {'':>9} {load:>5.2f}")
        first_rows, first_seconds, first_loader = measured[0]
        copy_rate = rows / seconds
        print(
            f"ratio of rows/s, plain COPY / first load: whole command {copy_rate / (first_rows / first_seconds):.1f}, "
            f"loader {copy_rate / (first_rows / first_loader):.1f}"
        )
        print("command s: the whole `warehouse ingest --source erp` (cold start included); loader s: the source's")
        print("own time as the command prints it (reflect, extract, normalize, COPY into raw).")
    finally:
        stop_embedded(settings)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
