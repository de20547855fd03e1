"""Benchmark: how long the ERP ("totesys") sample takes to write, day 1 and one later day, per scale.

    .venv/bin/python scripts/benchmark_erp_sample.py --scales 1 10 100

On a throwaway state folder with its own embedded Postgres (your warehouse is not touched), for each scale:
generate_erp day 1 (the history: re-create the 11 tables, COPY every row, add the keys, write the truth) and day 2
(replay the plan, insert one working day, update the older rows it changed, rewrite the truth), each timed whole,
with the rows written and the process's peak RSS. Figures only mean something next to how busy the machine was, so
the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import connect, stop_embedded  # noqa: E402
from warehouse.sample.erp_generator import generate_erp  # noqa: E402
from warehouse.settings import ERP_DBNAME, load_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    workdir = use_throwaway_state("erp-benchmark-")
    settings = load_settings()
    connection = connect(settings, dbt_profile=False)
    dsn = connection.libpq_dsn(ERP_DBNAME)
    print(f"{os.cpu_count()} cores; state in {workdir}")
    print(f"{'scale':>6} {'day':>4} {'seconds':>8} {'inserted':>10} {'updated':>8} {'peak RSS':>9} {'load':>5}")
    try:
        for scale in args.scales:
            for day in (1, 2):
                load = os.getloadavg()[0]
                started = time.perf_counter()
                summary = generate_erp(
                    dsn=dsn, truth_dir=settings.truth_dir / str(scale), scale=scale, day=day, seed=args.seed
                )
                seconds = time.perf_counter() - started
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
                print(
                    f"{scale:>6} {day:>4} {seconds:>8.2f} {sum(summary.inserted.values()):>10,} "
                    f"{sum(summary.updated.values()):>8,} {rss:>6} MB {load:>5.2f}"
                )
    finally:
        stop_embedded(settings)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
