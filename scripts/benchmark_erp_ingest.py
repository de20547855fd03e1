"""Benchmark: how fast the ERP loader lands the 11 tables, first load and the incremental loads after it.

    .venv/bin/python scripts/benchmark_erp_ingest.py --erp-scale 100

On a throwaway state folder with its own embedded Postgres (your warehouse is not touched): the ERP sample day 1
at the given scale (scale 100 is about 1M rows), then `warehouse ingest --source erp` as a user runs it (a new
process: the command's cold start, dlt's import and the server check are in the time), then day 2 (one working day
of new and updated rows) and its incremental ingest, then an ingest with nothing changed (the lag's overlap read
again and dropped). Each prints rows landed, seconds and rows per second, with the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import connect, stop_embedded  # noqa: E402
from warehouse.sample.erp_generator import generate_erp  # noqa: E402
from warehouse.settings import ERP_DBNAME, load_settings  # noqa: E402

LANDED = re.compile(r"erp: ((?:erp_\w+ [\d,]+(?:, )?)+) \(([\d.]+) s\)")


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
    try:
        for day, label in ((1, "first load (day 1)"), (2, "day 2 changes"), (None, "nothing changed")):
            if day is not None:
                started = time.perf_counter()
                generate_erp(dsn=dsn, truth_dir=settings.truth_dir, scale=args.erp_scale, day=day, seed=args.seed)
                print(f"  (sample day {day} written in {time.perf_counter() - started:.1f} s)")
            load = os.getloadavg()[0]
            seconds, rows, loader_seconds = ingest_erp()
            print(
                f"{label:<28} {rows:>10,} {seconds:>10.2f} {rows / seconds:>9,.0f} {loader_seconds:>9.2f} "
                f"{rows / loader_seconds:>9,.0f} {load:>5.2f}"
            )
        print("command s: the whole `warehouse ingest --source erp` (cold start included); loader s: the source's")
        print("own time as the command prints it (reflect, extract, normalize, COPY into raw).")
    finally:
        stop_embedded(settings)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
