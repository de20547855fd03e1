"""Benchmark: the whole pipeline at scale — end to end, per stage, memory, load baselines and analyst queries.

    .venv/bin/python scripts/benchmark_pipeline.py --scale 1000                       # 5.2M customer rows, 10.5M txns
    .venv/bin/python scripts/benchmark_pipeline.py --scale 1000 --baseline-scale 100  # slow baselines on fewer rows
    .venv/bin/python scripts/benchmark_pipeline.py --scale 10                         # a quick check

Works in a throwaway state folder (its own embedded Postgres), so your warehouse is not touched. In order:

1. `warehouse sample --scale N` (timed, not part of end to end), then the whole `warehouse run` command timed as
   one, with its per-step times (from its summary), the per-source ingest times (from its progress lines) and the
   dbt node times (from run_results.json).
2. Peak memory, sampled every 0.2 s during that run: the RSS of the command and all its descendants (the
   pipeline's own memory), and separately the PSS of the Postgres server's processes (PSS, so shared_buffers is
   not counted once per backend).
3. Analyst queries on the marts: EXPLAIN (ANALYZE, BUFFERS), median "Execution Time" of 5 runs after a warm-up.
4. Load baselines on the same rows, each into a fresh schema of the same server and timed as a whole command:
   psql `\\copy`, pandas `read_csv` + `to_sql`, and dlt with its default settings (filesystem + read_csv).
   `--baseline-scale M` runs them (and our `warehouse ingest`, for the ratios) on a separate sample at scale M.

Ends with one Markdown table (stage | seconds | ratio or note) for the README, and the target lines. `--keep`
keeps the folder: warehouse_run.log (the run's whole output), query_plans.txt, dbt's target/. At scale 1000 it
grows to roughly 20-30 GB (warehouse, shop database, baseline copies, WAL), in the system's temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg2
from psycopg2 import sql

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")  # pgserver's platformdirs, as in the CLI

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from throwaway_state import use_throwaway_state  # noqa: E402

from warehouse.database import Connection, connect, psql_executable, stop_embedded  # noqa: E402
from warehouse.settings import Settings, load_settings  # noqa: E402

END_TO_END_TARGET_SECONDS = 180
PIPELINE_MEMORY_TARGET_BYTES = 1024**3
QUERY_TARGET_MS = 100
QUERY_RUNS = 5
SAMPLE_EVERY_SECONDS = 0.2
MIB = 1024**2

# The values the analyst queries ask about, chosen from the marts before timing: the best high-value customer,
# the country with the most high-value customers, and the last full month of transactions.
QUERY_PARAMETERS = {
    "customer_id": "select customer_id from marts.rpt_high_value_customers order by total_spent desc limit 1",
    "country_code": (
        "select country_code from marts.rpt_high_value_customers_by_country order by high_value_customers desc limit 1"
    ),
    "month_start": (
        "select cast(date_trunc('month', max(transaction_date)) - interval '1 month' as date) "
        "from marts.fct_transactions"
    ),
}

# What an analyst of this business asks of the marts (README: who spent what, high-value customers, their age
# and country profile, data quality). Parameters are filled in from QUERY_PARAMETERS.
ANALYST_QUERIES = [
    (
        "one customer's profile",
        """
        select customer_id, age, age_band, country_name, is_active, transaction_count, total_spent,
            avg_transaction_value, first_transaction_date, last_transaction_date, is_high_value
        from marts.dim_customers
        where customer_id = %(customer_id)s
        """,
    ),
    (
        "one customer's transactions",
        """
        select transaction_id, amount, transaction_date
        from marts.fct_transactions
        where customer_id = %(customer_id)s
        order by transaction_date desc, transaction_id desc
        """,
    ),
    (
        "top 20 customers by total spent",
        """
        select customer_id, country_name, age_band, transaction_count, total_spent, last_transaction_date
        from marts.rpt_customer_spending
        order by total_spent desc
        limit 20
        """,
    ),
    (
        "high-value customers of one country",
        """
        select customer_id, age, age_band, transaction_count, total_spent, avg_transaction_value
        from marts.rpt_high_value_customers
        where country_code = %(country_code)s
        order by total_spent desc
        """,
    ),
    (
        "high-value customers per age band",
        """
        select age_band, active_customers, high_value_customers, share_of_high_value_customers, high_value_rate,
            avg_spent_per_customer
        from marts.rpt_high_value_customers_by_age_band
        order by age_band_order
        """,
    ),
    (
        "high-value customers per country",
        """
        select country_code, country_name, active_customers, high_value_customers, high_value_rate, avg_age,
            avg_spent_per_customer
        from marts.rpt_high_value_customers_by_country
        order by high_value_customers desc, country_code
        """,
    ),
    (
        "data quality of the latest loads",
        """
        select distinct on (source_name)
            source_name, loaded_at, rows_in, clean_rows, rejected_rows, exact_duplicates_removed,
            stale_versions_replaced, completeness, consistency, integrity, error_rate, is_reconciled
        from marts.rpt_data_quality
        order by source_name, loaded_at desc
        """,
    ),
    (
        "spending of one month",
        """
        select transaction_count, buying_customers, total_spent, avg_transaction_value
        from marts.rpt_monthly_spending
        where month_start = %(month_start)s
        """,
    ),
]

# The hand-rolled load teams start with: every column as text, DataFrame.to_sql with its defaults.
PANDAS_LOAD = textwrap.dedent(
    """
    import sys
    import pandas as pd
    import sqlalchemy as sa

    url, schema, *files_and_tables = sys.argv[1:]
    engine = sa.create_engine(url)
    for path, table in zip(files_and_tables[::2], files_and_tables[1::2]):
        pd.read_csv(path, dtype=str).to_sql(table, engine, schema=schema, if_exists="replace")
    """
)
# dlt as its documentation shows it, with no tuning: filesystem + its default CSV reader (pandas chunks as
# records), the postgres destination's default file format. Pipeline state goes in the temporary folder.
DLT_DEFAULTS_LOAD = textwrap.dedent(
    """
    import sys
    import dlt
    from dlt.sources.filesystem import filesystem, read_csv

    pipelines_dir, dataset, *files_and_tables = sys.argv[1:]
    resources = []
    for path, table in zip(files_and_tables[::2], files_and_tables[1::2]):
        folder, name = path.rsplit("/", 1)
        files = filesystem(bucket_url=folder, file_glob=name).with_name(f"{table}_files")
        resources.append((files | read_csv()).with_name(table))
    pipeline = dlt.pipeline(
        "baseline_dlt_defaults", destination="postgres", dataset_name=dataset, pipelines_dir=pipelines_dir
    )
    pipeline.run(resources)
    """
)

# `warehouse sample` reports what it wrote: "sample day 1 at scale 10: 52,000 customer rows in ..., 105,000
# transactions; ..."; the ingest reports each source: "[warehouse] crm: customers 5,200,000 (26.80 s)".
SAMPLE_LINE = re.compile(r"at scale \d+: (?P<customers>[\d,]+) customer rows in .*?, (?P<transactions>[\d,]+) trans")
SOURCE_LINE = re.compile(r"^\[warehouse\] (?P<source>[\w-]+): (?P<landed>.+) \((?P<seconds>[\d.]+) s\)$", re.M)
# The run summary's "time per step:" block: "  dbt build       41.2 s", ending with "  total ...".
STEP_LINE = re.compile(r"^  (?P<step>\S.*?)\s+(?P<seconds>\d+\.\d) s$")
EXECUTION_TIME = re.compile(r"Execution Time: (?P<ms>[\d.]+) ms")


@dataclass
class Measured:
    """A command's wall seconds, output and sampled peak memory."""

    seconds: float
    stdout: str
    stderr: str
    peak_rss: int = 0
    peak_rss_top: list[tuple[int, str]] = field(default_factory=list)
    peak_server_pss: int | None = None


@dataclass
class Report:
    """The rows of the final Markdown table and the target lines, gathered as the benchmark goes."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)

    def row(self, stage: str, seconds: float | str | None, note: str = "") -> None:
        self.rows.append((stage, f"{seconds:.1f}" if isinstance(seconds, float) else seconds or "", note))

    def target(self, what: str, met: bool, measured: str) -> str:
        """Record a target line; return the verdict, "met" or "MISSED"."""
        verdict = "met" if met else "MISSED"
        self.targets.append(f"target {what}: {measured} — {verdict}")
        return verdict


class MemorySampler(threading.Thread):
    """Samples, every SAMPLE_EVERY_SECONDS, the summed RSS of a process tree and the summed PSS of another."""

    def __init__(self, pid: int, server_pid: int | None) -> None:
        super().__init__(daemon=True)
        self.pid, self.server_pid = pid, server_pid
        self.stopped = threading.Event()
        self.peak_rss, self.peak_rss_top = 0, []
        self.peak_server_pss: int | None = 0 if server_pid else None

    def run(self) -> None:
        while True:
            self.sample()
            if self.stopped.wait(SAMPLE_EVERY_SECONDS):
                return

    def sample(self) -> None:
        sizes = tree_memory(self.pid, "rss")
        if sum(size for size, _ in sizes) > self.peak_rss:
            self.peak_rss = sum(size for size, _ in sizes)
            self.peak_rss_top = sorted(sizes, reverse=True)[:3]
        if self.server_pid and self.peak_server_pss is not None:
            try:
                pss = sum(size for size, _ in tree_memory(self.server_pid, "pss"))
            except psutil.AccessDenied:
                self.peak_server_pss = None  # the server runs as a user whose memory maps we may not read
                return
            self.peak_server_pss = max(self.peak_server_pss, pss)

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def tree_memory(pid: int, kind: str) -> list[tuple[int, str]]:
    """(bytes, process name) of a process and its descendants: RSS, or PSS (kind "pss"; AccessDenied raised)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    sizes = []
    for process in processes:
        try:
            size = process.memory_full_info().pss if kind == "pss" else process.memory_info().rss
            sizes.append((size, short_name(process)))
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return sizes


def short_name(process: psutil.Process) -> str:
    """A process's command line, cut short: "python -m warehouse.cli run", "dbt build", "postgres: ..."."""
    try:
        words = process.cmdline() or [process.name()]
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return "?"
    if any("spawn_main" in word for word in words):
        return "python (multiprocessing child: a source's ingest)"
    return " ".join([Path(words[0]).name, *words[1:]])[:60]


def run_measured(
    command: list[str], env: dict[str, str], cwd: Path = PROJECT_DIR, server_pid: int | None = None
) -> Measured:
    """Run a command to the end, sampling its memory; exit with its output when it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = MemorySampler(process.pid, server_pid)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop()
    if process.returncode != 0:
        shown = " ".join(Path(word).name if word == sys.executable else word for word in command)[:200]
        sys.exit(f"benchmark command failed (exit {process.returncode}): {shown}\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return Measured(seconds, stdout, stderr, sampler.peak_rss, sampler.peak_rss_top, sampler.peak_server_pss)


def warehouse_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "warehouse.cli", *args]


def execute(dsn: str, statement: str | sql.Composable, parameters: dict | None = None) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


def mib(size: int) -> str:
    return f"{size / MIB:,.0f} MiB"


def source_seconds(stderr: str) -> dict[str, tuple[float, str]]:
    """Per source: (seconds, what landed) from the ingest's own progress lines."""
    return {match["source"]: (float(match["seconds"]), match["landed"]) for match in SOURCE_LINE.finditer(stderr)}


def summary_steps(stdout: str) -> dict[str, float]:
    """The run summary's "time per step" lines, without the total."""
    steps: dict[str, float] = {}
    lines = iter(stdout.splitlines())
    for line in lines:
        if line.strip() == "time per step:":
            break
    for line in lines:
        match = STEP_LINE.match(line)
        if match is None or match["step"] == "total":
            break
        steps[match["step"]] = float(match["seconds"])
    return steps


def dbt_node_times(path: Path) -> tuple[dict[str, float], dict[str, int], list[tuple[float, str]], float]:
    """From run_results.json: summed execution time and count per resource type, the 5 slowest nodes, and the
    seconds dbt spent running nodes (its elapsed_time: no start-up or parsing)."""
    results = json.loads(path.read_text())
    if results.get("args", {}).get("which") not in (None, "build"):
        print(f"  note: {path} is from `dbt {results['args']['which']}`, not from the build")
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    nodes = []
    for node in results.get("results", []):
        kind = node["unique_id"].split(".", 1)[0]
        seconds[kind] = seconds.get(kind, 0.0) + float(node.get("execution_time") or 0.0)
        counts[kind] = counts.get(kind, 0) + 1
        nodes.append((float(node.get("execution_time") or 0.0), node["unique_id"]))
    return seconds, counts, sorted(nodes, reverse=True)[:5], float(results.get("elapsed_time", 0.0))


def machine_lines(connection: Connection) -> list[str]:
    """Cores, RAM, Python and Postgres versions, and how busy the machine is."""
    version, buffers = execute(
        connection.libpq_dsn(), "select current_setting('server_version'), current_setting('shared_buffers')"
    )[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 1024**3:.1f} GiB "
        f"RAM, Python {platform.python_version()}, PostgreSQL {version} (embedded, shared_buffers {buffers})",
        f"load average before the run: {load} (a busy machine slows every figure below)",
    ]


def server_pid(settings: Settings) -> int | None:
    """The embedded server's postmaster."""
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(settings.pgdata_dir)
    return info.pid if info is not None else None


def sample(env: dict[str, str], scale: int) -> tuple[Measured, int, int]:
    """`warehouse sample --scale N --tills-scale 1`: the command's time, customer rows and transactions written.

    The benchmark measures the customer domain at scale; the tills come at scale 1 (one trading day, ~5,000 order
    lines): their own benchmark is scripts/benchmark_tills.py.
    """
    measured = run_measured(warehouse_command("sample", "--scale", str(scale), "--tills-scale", "1"), env)
    match = SAMPLE_LINE.search(measured.stderr)
    if match is None:
        sys.exit(f"could not read what `warehouse sample` wrote from its output:\n{measured.stderr[-2000:]}")
    return measured, int(match["customers"].replace(",", "")), int(match["transactions"].replace(",", ""))


def benchmark_pipeline(
    args: argparse.Namespace, env: dict[str, str], settings: Settings, workdir: Path, report: Report
) -> float:
    """Sample, then the whole `warehouse run` with its stages and memory. Returns the ingest stage's seconds."""
    print(f"\n== 1. the pipeline at scale {args.scale} ==")
    measured, customers, transactions = sample(env, args.scale)
    print(
        f"warehouse sample --scale {args.scale}: {customers:,} customer rows + {transactions:,} transactions "
        f"in {measured.seconds:.1f} s (not part of end to end)"
    )
    report.row(
        f"`warehouse sample --scale {args.scale}` (not part of end to end)",
        measured.seconds,
        f"{customers:,} customer CSV rows, {transactions:,} shop transactions",
    )

    run = run_measured(warehouse_command("run"), env, server_pid=server_pid(settings))
    (workdir / "warehouse_run.log").write_text(f"{run.stdout}\n--- stderr ---\n{run.stderr}")
    steps, sources = summary_steps(run.stdout), source_seconds(run.stderr)
    if "ingest" not in steps or "dbt build" not in steps:
        sys.exit(f"could not read the step times from the run summary:\n{run.stdout[-3000:]}")
    verdict = report.target(
        f"end to end <= {END_TO_END_TARGET_SECONDS} s", run.seconds <= END_TO_END_TARGET_SECONDS, f"{run.seconds:.1f} s"
    )
    print(f"warehouse run, end to end (whole command): {run.seconds:.1f} s  (target <= 180 s: {verdict})")
    report.row(f"`warehouse run`, end to end (scale {args.scale})", run.seconds, f"target <= 180 s: {verdict}")

    node_seconds, node_counts, slowest, dbt_elapsed = dbt_node_times(Path(env["DBT_TARGET_PATH"]) / "run_results.json")
    slowest_source = max((seconds for seconds, _ in sources.values()), default=0.0)
    cold_parse = "Unable to do partial parsing" in run.stdout
    notes = {
        "database": "server already running (started by the benchmark)",
        "ingest": ", ".join(f"{source} {seconds:.1f} s" for source, (seconds, _) in sources.items())
        + f" in parallel; +{steps['ingest'] - slowest_source:.1f} s spawning their processes, importing dlt",
        "dbt build": f"nodes {dbt_elapsed:.1f} s + start-up and "
        + ("full parse (fresh target folder)" if cold_parse else "parse")
        + f" {steps['dbt build'] - dbt_elapsed:.1f} s",
        "freshness": "`dbt source freshness` (dbt start-up and parse included)",
        "report": "the HTML report",
    }
    print("  per step (from the run's summary):")
    for step, seconds in steps.items():
        print(f"    {step:<12} {seconds:7.1f} s  {notes.get(step, '')}")
        report.row(f"step: {step}", seconds, notes.get(step, ""))
    rest = run.seconds - sum(steps.values())
    print(f"    {'(the rest)':<12} {rest:7.1f} s  Python start-up, imports, connecting, the summary")
    for source, (seconds, landed) in sources.items():
        print(f"    ingest {source:<5} {seconds:7.1f} s  {landed} (as the source reports it)")
    print(f"  dbt build, from run_results.json ({dbt_elapsed:.1f} s of nodes; per resource type, node times summed):")
    for kind in sorted(node_seconds, key=node_seconds.get, reverse=True):
        print(f"    {kind:<12} {node_seconds[kind]:7.1f} s  ({node_counts[kind]} nodes)")
    print("    5 slowest nodes:")
    for seconds, unique_id in slowest:
        print(f"      {seconds:7.1f} s  {unique_id}")
    tests = node_seconds.get("test", 0.0) + node_seconds.get("unit_test", 0.0)
    report.row(
        "dbt node times, summed (4 threads run them in parallel)",
        None,
        f"models {node_seconds.get('model', 0.0):.1f} s, tests {tests:.1f} s; slowest: "
        + ", ".join(f"{unique_id.rsplit('.', 1)[-1]} {seconds:.1f} s" for seconds, unique_id in slowest[:3]),
    )

    print(f"\n== 2. peak memory during `warehouse run` (sampled every {SAMPLE_EVERY_SECONDS} s) ==")
    verdict = report.target(
        "pipeline peak memory < 1 GiB", run.peak_rss < PIPELINE_MEMORY_TARGET_BYTES, mib(run.peak_rss)
    )
    print(
        f"the pipeline: {mib(run.peak_rss)}, summed RSS of the command and all its descendants "
        f"(target < 1 GiB: {verdict})"
    )
    print("  largest processes at that moment: " + "; ".join(f"{name} {mib(size)}" for size, name in run.peak_rss_top))
    report.row(
        "peak memory: the pipeline (RSS, command + descendants)",
        None,
        f"{mib(run.peak_rss)}; target < 1 GiB: {verdict}",
    )
    if run.peak_server_pss is None:
        server = "not measured (no access to the server processes' memory maps)"
    else:
        server = f"{mib(run.peak_server_pss)}, summed PSS of the postmaster and its children (not in the 1 GiB target)"
    print(f"the Postgres server, separately: {server}")
    report.row("peak memory: the Postgres server (PSS, postmaster + children)", None, server)
    return steps["ingest"]


def benchmark_queries(connection: Connection, workdir: Path, report: Report) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each analyst query: median Execution Time of QUERY_RUNS after a warm-up."""
    print(f"\n== 3. analyst queries on the marts (EXPLAIN ANALYZE, median of {QUERY_RUNS} after a warm-up) ==")
    dsn = connection.libpq_dsn()
    parameters = {name: execute(dsn, statement)[0][0] for name, statement in QUERY_PARAMETERS.items()}
    print("asked about: " + ", ".join(f"{name} = {value}" for name, value in parameters.items()))
    plans = []
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for name, statement in ANALYST_QUERIES:
                timings = []
                for _ in range(1 + QUERY_RUNS):
                    cursor.execute(f"explain (analyze, buffers) {textwrap.dedent(statement)}", parameters)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    timings.append(float(EXECUTION_TIME.search(plan)["ms"]))
                median = statistics.median(timings[1:])
                verdict = report.target(
                    f"query '{name}' < {QUERY_TARGET_MS} ms", median < QUERY_TARGET_MS, f"{median:.2f} ms"
                )
                print(
                    f"  {name:<36} {median:9.2f} ms  (runs {min(timings[1:]):.2f}-{max(timings[1:]):.2f} ms)  {verdict}"
                )
                if median >= QUERY_TARGET_MS:
                    print(textwrap.indent(plan, "      "))
                seconds = f"{median / 1000:.3f}" if median >= 0.5 else "< 0.001"
                report.row(f"query: {name}", seconds, f"{median:.2f} ms; target < 100 ms: {verdict}")
                plans.append(f"-- {name}\n{textwrap.dedent(statement).strip()}\n{plan}\n")
    finally:
        conn.close()
    (workdir / "query_plans.txt").write_text("\n".join(plans))


def baseline_files(connection: Connection, shop_dbname: str, customers_dir: Path, folder: Path) -> list[Path]:
    """The customers CSV from the landing folder and the shop transactions exported to CSV (untimed)."""
    exports = sorted(customers_dir.glob("*.csv"))
    if len(exports) != 1:
        sys.exit(f"expected one customers export in {customers_dir}, found {len(exports)}")
    folder.mkdir(parents=True, exist_ok=True)
    transactions = folder / "transactions.csv"
    export = (
        "copy (select transaction_id, customer_id, amount, transaction_date from transactions) "
        "to stdout with (format csv, header true)"
    )
    with (
        psycopg2.connect(connection.libpq_dsn(shop_dbname)) as conn,
        conn.cursor() as cursor,
        transactions.open("wb") as file,
    ):
        cursor.copy_expert(export, file)
    return [exports[0], transactions]


def count_rows(dsn: str, schema: str, tables: list[str]) -> int:
    count = sql.SQL("select count(*) from {}.{}")
    return sum(execute(dsn, count.format(sql.Identifier(schema), sql.Identifier(table)))[0][0] for table in tables)


def baseline_env() -> dict[str, str]:
    """The environment without any dlt configuration (no `SECTION__KEY` variables, no DLT_*)."""
    return {name: value for name, value in os.environ.items() if "__" not in name and not name.startswith("DLT_")}


def benchmark_baselines(
    args: argparse.Namespace,
    connection: Connection,
    settings: Settings,
    our_ingest: float,
    workdir: Path,
    report: Report,
) -> None:
    """COPY, pandas and dlt-default loads of the same rows, each into a fresh schema, compared with our ingest."""
    scale = args.baseline_scale or args.scale
    print(f"\n== 4. load baselines at scale {scale}, each into a fresh schema of the same server ==")
    dsn = connection.libpq_dsn()
    env = dict(os.environ)
    if scale == args.scale:
        shop_dbname, customers_dir = "shop", settings.customers_landing_dir
        ours = f"ingest stage of `warehouse run` at scale {scale}"
        print(f"our ingest: {our_ingest:.1f} s, the {ours} (crm + shop in parallel)")
    else:
        # A separate sample at the baseline scale: its own landing folder, shop database and warehouse database.
        shop_dbname, customers_dir = "shop_baseline", workdir / "baseline" / "landing" / "customers"
        execute(connection.libpq_dsn("postgres"), f"create database {shop_dbname}")
        env.update(
            WAREHOUSE_LANDING_DIR=str(customers_dir.parent),
            WAREHOUSE_TRUTH_DIR=str(workdir / "baseline" / "truth"),
            WAREHOUSE_DBNAME="warehouse_baseline",
            SOURCES__TRANSACTIONS__CREDENTIALS=connection.sqlalchemy_url(shop_dbname),
        )
        measured, customers, transactions = sample(env, scale)
        print(
            f"warehouse sample --scale {scale} (separate landing folder and shop database): {customers:,} customer "
            f"rows + {transactions:,} transactions in {measured.seconds:.1f} s"
        )
        ingest = run_measured(warehouse_command("ingest"), env)
        sources = source_seconds(ingest.stderr)
        our_ingest = ingest.seconds
        ours = f"whole `warehouse ingest` command at scale {scale}, start-up included"
        print(
            f"our ingest: {our_ingest:.1f} s, the {ours} ("
            + ", ".join(f"{source} {seconds:.1f} s" for source, (seconds, _) in sources.items())
            + f" in parallel), peak {mib(ingest.peak_rss)}"
        )
        report.row(f"our ingest, `warehouse ingest` (scale {scale})", our_ingest, "whole command, start-up included")
    files = baseline_files(connection, shop_dbname, customers_dir, workdir / "baseline_files")
    tables = ["customers", "transactions"]

    # (a) plain COPY with psql \copy into text tables.
    execute(dsn, "drop schema if exists baseline_copy cascade; create schema baseline_copy")
    for path, table in zip(files, tables, strict=True):
        columns = ", ".join(f'"{name}" text' for name in csv_header(path))
        execute(dsn, f"create table baseline_copy.{table} ({columns})")
    command = [psql_executable(), dsn, "-q", "-v", "ON_ERROR_STOP=1"]
    for path, table in zip(files, tables, strict=True):
        command += ["-c", f"\\copy baseline_copy.{table} from '{path}' with (format csv, header true, encoding 'UTF8')"]
    copy = run_measured(command, env)
    rows = count_rows(dsn, "baseline_copy", tables)
    print(f"rows: {rows:,} (customers file {files[0].name} and the exported transactions)")
    copy_ratio = our_ingest / copy.seconds
    print(f"(a) plain COPY (psql \\copy):         {copy.seconds:8.1f} s   our ingest / COPY = {copy_ratio:.2f}")
    report.row(
        f"baseline: plain COPY, psql `\\copy` (scale {scale})", copy.seconds, f"our ingest / COPY = {copy_ratio:.2f}"
    )

    # (b) pandas read_csv(dtype=str) + to_sql with defaults.
    execute(dsn, "drop schema if exists baseline_pandas cascade; create schema baseline_pandas")
    pandas_args = [connection.sqlalchemy_url(), "baseline_pandas"]
    for path, table in zip(files, tables, strict=True):
        pandas_args += [str(path), table]
    pandas = run_measured([sys.executable, "-c", PANDAS_LOAD, *pandas_args], env)
    check_rows(dsn, "baseline_pandas", tables, rows)
    print(
        f"(b) pandas read_csv + to_sql:         {pandas.seconds:8.1f} s   = {pandas.seconds / our_ingest:.1f} x our "
        f"ingest, peak RSS {mib(pandas.peak_rss)}"
    )
    report.row(
        f"baseline: pandas `read_csv` + `to_sql` (scale {scale})",
        pandas.seconds,
        f"{pandas.seconds / our_ingest:.1f} x our ingest; peak RSS {mib(pandas.peak_rss)}",
    )

    # (c) dlt with default settings, from a fresh folder (no .dlt/config.toml) and no dlt variables.
    execute(dsn, "drop schema if exists baseline_dlt cascade")
    dlt_folder = Path(tempfile.mkdtemp(prefix="dlt-defaults-", dir=workdir))
    dlt_env = {
        **baseline_env(),
        "DESTINATION__POSTGRES__CREDENTIALS": connection.dlt_url(),
        # no network here: without this dlt would try to send its anonymous telemetry (changes no load setting)
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    dlt_args = [str(dlt_folder / "pipelines"), "baseline_dlt"]
    for path, table in zip(files, tables, strict=True):
        dlt_args += [str(path), table]
    dlt = run_measured([sys.executable, "-c", DLT_DEFAULTS_LOAD, *dlt_args], dlt_env, cwd=dlt_folder)
    check_rows(dsn, "baseline_dlt", tables, rows)
    print(
        f"(c) dlt, default settings:            {dlt.seconds:8.1f} s   = {dlt.seconds / our_ingest:.1f} x our "
        f"ingest, peak RSS {mib(dlt.peak_rss)}"
    )
    report.row(
        f"baseline: dlt with default settings (scale {scale})",
        dlt.seconds,
        f"{dlt.seconds / our_ingest:.1f} x our ingest; peak RSS {mib(dlt.peak_rss)}",
    )
    print(f"(our ingest here = the {ours})")


def csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return next(csv.reader(file))


def check_rows(dsn: str, schema: str, tables: list[str], expected: int) -> None:
    loaded = count_rows(dsn, schema, tables)
    if loaded != expected:
        print(f"  WARNING: {schema} holds {loaded:,} rows, the files {expected:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000, help="1000 = 5.2M customer rows, 10.5M transactions")
    parser.add_argument(
        "--baseline-scale",
        type=int,
        metavar="M",
        help="run the load baselines (and our ingest, for the ratios) on a separate sample at scale M "
        "(default: the same scale and rows as the pipeline). pandas and dlt-default take about a minute per "
        "1.5M rows here, so at --scale 1000 a smaller M keeps the benchmark short",
    )
    parser.add_argument("--skip-baselines", action="store_true", help="no COPY / pandas / dlt-default baselines")
    parser.add_argument("--keep", action="store_true", help="keep the temporary state folder")
    args = parser.parse_args()

    workdir = use_throwaway_state("warehouse-pipeline-bench-")
    settings = load_settings()
    report = Report()
    try:
        connection = connect(settings)
        print("\n".join(machine_lines(connection)))
        our_ingest = benchmark_pipeline(args, dict(os.environ), settings, workdir, report)
        benchmark_queries(connection, workdir, report)
        if not args.skip_baselines:
            benchmark_baselines(args, connection, settings, our_ingest, workdir, report)

        print("\n== for the README ==")
        print("| stage | seconds | ratio or note |\n|---|---|---|")
        for stage, seconds, note in report.rows:
            print(f"| {stage} | {seconds} | {note} |")
        print()
        print("\n".join(report.targets))
    finally:
        stop_embedded(settings)
        if args.keep:
            print(f"state kept in {workdir} (the server is stopped; the run's output is in warehouse_run.log)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
