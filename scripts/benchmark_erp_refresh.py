"""Benchmark: the ERP's refresh against its full build at >= 1M sales orders, and the source-to-mart delay.

    .venv/bin/python scripts/benchmark_erp_refresh.py --erp-scale 400

On a throwaway state folder with its own embedded Postgres (your warehouse is not touched): the ERP sample at the
given scale (20 sales orders per working day and scale unit over 125 working days: scale 400 is 1,000,000 sales
orders) with the other sources at their smallest (`--scale 1 --tills-scale 1`), then, each command timed whole as a
user runs it (a new process, cold start included):

1. `warehouse run`: the first load and the full build;
2. `warehouse sample --day 2` (one working day of new and updated ERP rows) and `warehouse refresh`;
3. the delay: one UPDATE of a sales order and one of its payment in the ERP (stamped `last_updated` now, as the
   source does), then `warehouse refresh` while the marts are polled until fact_sales_order_current and
   fact_payment_current show both changes. Under a schedule every `--every` minutes a change waits for the next
   tick - anywhere from 0 to the whole interval, uniformly over the tick's phase - and then for the refresh: the
   worst case is interval + refresh, the mean interval / 2 + refresh.

For the two builds, the dbt build's own seconds (target/run_results.json) and the ERP nodes' seconds in it (the
models of staging/erp, intermediate/erp and marts/erp, and the tests on them), with the slowest ERP nodes, so a
model that does full work on every refresh shows. Prints the machine's cores and the load average by each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import connect, stop_embedded  # noqa: E402
from warehouse.sample.erp import HISTORY_WORKING_DAYS, SALES_PER_DAY  # noqa: E402
from warehouse.settings import ERP_DBNAME, load_settings  # noqa: E402

ERP_TABLES = (
    "address",
    "counterparty",
    "currency",
    "department",
    "design",
    "staff",
    "payment_type",
    "sales_order",
    "purchase_order",
    "transaction",
    "payment",
)
ERP_FOLDERS = ("models/staging/erp/", "models/intermediate/erp/", "models/marts/erp/")


@dataclass
class Step:
    """One timed command: its wall seconds, the load average before it, and its dbt build's figures."""

    label: str
    seconds: float
    load: float
    dbt_seconds: float = 0.0
    erp_model_seconds: float = 0.0
    erp_test_seconds: float = 0.0
    slowest: list[tuple[str, float]] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)


STEP_LINE = re.compile(r"^  (\S[\w ]*?) +([\d.]+) s$")


def warehouse(*args: str, steps: dict[str, float] | None = None) -> tuple[float, float]:
    """Run a warehouse command as a user does; its wall seconds and the 1-minute load average before it.

    `steps` receives the command's own time per step (its summary's "time per step" lines).
    """
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "warehouse.cli", *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`warehouse {' '.join(args)}` failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    if steps is not None:
        listed = done.stdout.split("time per step:", 1)[-1].splitlines()
        steps.update({m[1]: float(m[2]) for m in map(STEP_LINE.match, listed) if m and m[1] != "total"})
    return seconds, load


def erp_node(unique_id: str, nodes: dict) -> bool:
    """An ERP model, or a test on one (a test depends on the models it checks)."""
    node = nodes.get(unique_id, {})
    if unique_id.startswith("model."):
        return node.get("original_file_path", "").startswith(ERP_FOLDERS)
    if unique_id.startswith("test."):
        return any(erp_node(parent, nodes) for parent in node.get("depends_on", {}).get("nodes", []))
    return False


def dbt_figures(step: Step, target: Path, started: float) -> Step:
    """The build's seconds and its ERP nodes' seconds, from the run_results.json this step wrote."""
    results_path = target / "run_results.json"
    if results_path.stat().st_mtime < started:
        sys.exit(f"{step.label}: no dbt build wrote {results_path}")
    results = json.loads(results_path.read_text())
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    step.dbt_seconds = float(results["elapsed_time"])
    erp = [(r["unique_id"], float(r["execution_time"])) for r in results["results"] if erp_node(r["unique_id"], nodes)]
    step.erp_model_seconds = sum(seconds for uid, seconds in erp if uid.startswith("model."))
    step.erp_test_seconds = sum(seconds for uid, seconds in erp if uid.startswith("test."))
    step.slowest = sorted(erp, key=lambda pair: -pair[1])[:8]
    return step


def timed_step(label: str, target: Path, *args: str) -> Step:
    started = time.time()
    steps: dict[str, float] = {}
    seconds, load = warehouse(*args, steps=steps)
    return dbt_figures(Step(label, seconds, load, steps=steps), target, started)


def query(dsn: str, statement: str | sql.Composable, parameters: tuple = ()) -> list[tuple]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(statement, parameters)
        return cursor.fetchall()


def raw_counts(dsn: str) -> dict[str, int]:
    counted = sql.SQL("select count(*) from {}")
    return {table: query(dsn, counted.format(sql.Identifier("raw", f"erp_{table}")))[0][0] for table in ERP_TABLES}


def change_in_source(erp_dsn: str) -> tuple[int, int, int, str]:
    """UPDATE one sales order (one more unit) and its payment (the new amount, paid), stamped now as the ERP does.

    Returns the order, the payment, the new units and the new amount.
    """
    with psycopg2.connect(erp_dsn) as conn, conn.cursor() as cursor:
        cursor.execute("select max(sales_order_id) / 2 from sales_order")
        (order_id,) = cursor.fetchone()
        cursor.execute(
            "update sales_order set units_sold = units_sold + 1, last_updated = localtimestamp(3)"
            " where sales_order_id = %s returning units_sold, units_sold * unit_price",
            (order_id,),
        )
        units, amount = cursor.fetchone()
        cursor.execute(
            "update payment set payment_amount = %s, paid = true, last_updated = localtimestamp(3)"
            ' where transaction_id = (select transaction_id from "transaction" where sales_order_id = %s)'
            " returning payment_id",
            (amount, order_id),
        )
        (payment_id,) = cursor.fetchone()
    return order_id, payment_id, units, str(amount)


def visible(dsn: str, order_id: int, payment_id: int, units: int, amount: str) -> bool:
    """Both changes in the current-state views (False while a view or its table is being rebuilt)."""
    try:
        rows = query(
            dsn,
            "select"
            " (select units_sold from erp.fact_sales_order_current where sales_order_id = %s),"
            " (select payment_amount::text || ' ' || paid::text from erp.fact_payment_current where payment_id = %s)",
            (order_id, payment_id),
        )
    except psycopg2.Error:
        return False
    return rows[0] == (units, f"{amount} true")


def refresh_until_visible(dsn: str, change: tuple[int, int, int, str]) -> tuple[float, float | None, float]:
    """`warehouse refresh`, polling the views every second: the command's seconds, when both changes showed, load."""
    seen: list[float] = []
    done = threading.Event()
    started = time.perf_counter()

    def poll() -> None:
        while not done.is_set():
            if visible(dsn, *change):
                seen.append(time.perf_counter() - started)
                return
            done.wait(1.0)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    seconds, load = warehouse("refresh")
    done.set()
    poller.join()
    if not visible(dsn, *change):
        sys.exit("after the refresh the marts do not show the UPDATEs of the sales order and the payment")
    return seconds, (seen[0] if seen else None), load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--erp-scale", type=int, default=400)
    parser.add_argument("--every", type=float, default=15.0, help="the schedule's interval in minutes")
    args = parser.parse_args()
    sales_orders = SALES_PER_DAY * HISTORY_WORKING_DAYS * args.erp_scale
    workdir = use_throwaway_state("erp-refresh-benchmark-")
    settings = load_settings()
    target = workdir / "target"
    connection = connect(settings, dbt_profile=False)
    dsn, erp_dsn = connection.libpq_dsn(), connection.libpq_dsn(ERP_DBNAME)
    sample = ("sample", "--scale", "1", "--tills-scale", "1", "--erp-scale", str(args.erp_scale))
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; state in {workdir}")
    print(f"ERP scale {args.erp_scale}: {sales_orders:,} sales orders on day 1; other sources at scale 1")
    try:
        seconds, load = warehouse(*sample)
        print(f"sample day 1 written in {seconds:.1f} s (load {load:.2f})")
        first = timed_step("first run (`warehouse run`)", target, "run")
        day1 = raw_counts(dsn)
        seconds, load = warehouse(*sample, "--day", "2")
        print(f"sample day 2 written in {seconds:.1f} s (load {load:.2f})")
        refresh = timed_step("day-2 refresh (`warehouse refresh`)", target, "refresh")
        day2 = raw_counts(dsn)

        print(f"\n{'raw table':<22} {'day 1 rows':>12} {'day 2 adds':>11}")
        for table in ERP_TABLES:
            print(f"erp_{table:<18} {day1[table]:>12,} {day2[table] - day1[table]:>11,}")
        print(f"{'all 11':<22} {sum(day1.values()):>12,} {sum(day2.values()) - sum(day1.values()):>11,}")

        heads = f"{'wall s':>8} {'dbt build s':>12} {'ERP models s':>13} {'ERP tests s':>12} {'load':>6}"
        print(f"\n{'command':<38} {heads}")
        for step in (first, refresh):
            print(
                f"{step.label:<38} {step.seconds:>8.1f} {step.dbt_seconds:>12.1f} {step.erp_model_seconds:>13.1f} "
                f"{step.erp_test_seconds:>12.1f} {step.load:>6.2f}"
            )
        print(
            f"ratio refresh / first run: whole command {refresh.seconds / first.seconds:.2f}, dbt build "
            f"{refresh.dbt_seconds / first.dbt_seconds:.2f}, ERP models "
            f"{refresh.erp_model_seconds / first.erp_model_seconds:.2f}, ERP tests "
            f"{refresh.erp_test_seconds / first.erp_test_seconds:.2f}"
        )
        print("ERP models s / tests s: node seconds summed (dbt runs 4 threads on the cores)")
        for step in (first, refresh):
            print(f"{step.label}: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in step.steps.items()))
        for step in (first, refresh):
            print(f"\nslowest ERP nodes, {step.label}:")
            for unique_id, seconds in step.slowest:
                print(f"  {seconds:7.1f} s  {unique_id.split('.', 2)[-1]}")

        change = change_in_source(erp_dsn)
        seconds, seen, load = refresh_until_visible(dsn, change)
        interval = args.every * 60
        print(
            f"\nsource UPDATEs (sales order {change[0]}, payment {change[1]}) -> `warehouse refresh`: {seconds:.1f} s"
            f" (load {load:.2f}); both visible in fact_sales_order_current / fact_payment_current after "
            + (f"{seen:.1f} s" if seen is not None else "the command (not seen while it ran)")
        )
        for label, refresh_seconds in (("this refresh", seconds), ("a refresh as slow as day 2's", refresh.seconds)):
            worst, mean = interval + refresh_seconds, interval / 2 + refresh_seconds
            print(
                f"delay source -> mart, every {args.every:g} min, {label}: worst {worst / 60:.1f} min, "
                f"mean {mean / 60:.1f} min (requirement < 30 min: {'met' if worst < 1800 else 'MISSED'})"
            )
        print(f"load average now: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    finally:
        stop_embedded(settings)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
