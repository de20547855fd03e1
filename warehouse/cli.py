"""`warehouse` command line: parses arguments and calls the modules that do the work."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import warnings

from warehouse import database, job, summary
from warehouse.dbt_runner import with_domain_vars
from warehouse.errors import WarehouseError, file_error, is_file_error
from warehouse.settings import Settings, load_settings

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warehouse", description="Customer warehouse: dlt + dbt on Postgres.")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="the warehouse database (embedded unless WAREHOUSE_HOST is set)")
    db.add_argument("action", choices=["up", "down", "status", "env", "psql"])

    sample = commands.add_parser("sample", help="write the deterministic sample sources")
    sample.add_argument(
        "--scale",
        type=int,
        default=1,
        help="multiply rows (1 = 5,200 customers, 10,500 txns; till files of 1 trading day, N = N trading days)",
    )
    sample.add_argument(
        "--tills-scale",
        type=int,
        metavar="DAYS",
        help="trading days of till files on day 1, if not --scale (a scale-1000 customer benchmark needs no 5M orders)",
    )
    sample.add_argument(
        "--erp-scale",
        type=int,
        default=1,
        metavar="N",
        help="the ERP's scale, not --scale (1 = 125 working days of 20 sales and 8 purchase orders a day)",
    )
    sample.add_argument("--day", type=int, default=1, help="1 = initial export; K > 1 = day K's changes and tills")
    sample.add_argument("--seed", type=int, default=42)

    wait = argparse.ArgumentParser(add_help=False)
    wait.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS", help="queue behind a running run (default: refuse)"
    )

    ingest = commands.add_parser("ingest", parents=[wait], help="load new source data into the raw schema with dlt")
    from ingest.sources import SOURCES  # light: the declarations, not their loaders

    names = ", ".join(source.name for source in SOURCES)
    ingest.add_argument("--source", action="append", help=f"only this source ({names}); repeatable")

    build = commands.add_parser("build", parents=[wait], help="dbt build; arguments after -- go to dbt")
    build.add_argument("dbt_args", nargs=argparse.REMAINDER)

    run = commands.add_parser(
        "run", parents=[wait], help="the main job: db up, sample if empty, ingest, dbt build, report, summary"
    )
    run.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra arguments for dbt build, after --")

    commands.add_parser("refresh", parents=[wait], help="ingest what is new, build incrementally, test")
    status = commands.add_parser("status", help="last runs, source freshness, failing tests; exit 1 if attention")
    status.add_argument("--runs", type=int, default=5)

    docs = commands.add_parser("docs", help="generate the dbt docs as one static page (and serve it)")
    docs.add_argument("--serve", action="store_true")
    docs.add_argument("--port", type=int, default=8080)

    commands.add_parser("report", help="write the HTML report of the marts")
    return parser


def dbt_passthrough(args: list[str]) -> list[str]:
    """Arguments meant for dbt (what follows `--`)."""
    return args[1:] if args[:1] == ["--"] else args


def db_command(action: str, settings: Settings) -> int:
    if action == "down":
        if database.is_external():
            raise WarehouseError("WAREHOUSE_HOST is set: the external warehouse is not stopped by this command")
        stopped = database.stop_embedded(settings)
        print("embedded server stopped" if stopped else "embedded server was not running")
        return 0
    if action == "status" and not database.is_external():
        print(database.embedded_status(settings))
        return 0
    connection = database.connect(settings)
    if action == "up":
        print(f"warehouse ready: database {connection.dbname} at {connection.host}:{connection.port}")
    elif action == "status":
        print(f"external warehouse: database {connection.dbname} at {connection.host}:{connection.port} (reachable)")
    elif action == "env":
        variables = {
            **connection.dbt_env(),
            "DBT_PROFILES_DIR": str(settings.dbt_profiles_dir),
            "DBT_PROJECT_DIR": str(settings.project_dir),
        }
        if connection.embedded:
            variables.pop("WAREHOUSE_PASSWORD")
        for name, value in variables.items():
            print(f"export {name}={shlex.quote(value)}")
        domain_vars = with_domain_vars([], settings.domains)
        if domain_vars:  # dbt has no environment variable for vars: say what to add (on stderr, outside the eval)
            print(f"# dbt by hand (WAREHOUSE_DOMAINS): add {shlex.join(domain_vars)}", file=sys.stderr)
    elif action == "psql":
        psql = database.psql_executable()
        os.execv(psql, [psql, connection.libpq_dsn()])
    return 0


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return db_command(args.action, settings)
    if args.command == "sample":
        job.generate_sample_sources(
            database.connect(settings),
            settings,
            args.scale,
            args.day,
            args.seed,
            tills_scale=args.tills_scale,
            erp_scale=args.erp_scale,
        )
    elif args.command == "ingest":
        with job.logged_run(settings, "ingest", args.wait) as (connection, record):
            record.rows_landed = job.ingest(connection, settings, args.source, record.ingest_notes)
        print(summary.rows_table(record.rows_landed))
    elif args.command == "build":
        with job.logged_run(settings, "build", args.wait) as (connection, record):
            job.build(connection, settings, record, dbt_passthrough(args.dbt_args))
    elif args.command in ("run", "refresh"):
        if args.command == "run":
            report = job.run_main_job(settings, dbt_passthrough(args.dbt_args), args.wait)
        else:
            report = job.refresh(settings, args.wait)
        print(summary.render(report, database.connect(settings), settings.domains))
    elif args.command == "status":
        from warehouse.status import collect_status

        state = collect_status(database.connect(settings), settings, args.runs)
        print("\n".join(state.lines))
        print("needs attention:\n  " + "\n  ".join(state.attention) if state.attention else "all well")
        return 0 if state.healthy else 1
    elif args.command == "docs":
        from warehouse.docs_site import generate_docs, serve_docs

        page = generate_docs(database.connect(settings), settings)
        print(f"docs site: {page}")
        if args.serve:
            serve_docs(page, port=args.port)
    elif args.command == "report":
        from warehouse.report import write_report

        print(f"report: {write_report(database.connect(settings), settings.report_path, settings.domains)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `warehouse` console script."""
    args = build_parser().parse_args(argv)
    # Our own modules' log lines (e.g. which alert channels were used) go to stderr like the progress lines.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[warehouse] %(message)s"))
    logging.getLogger("warehouse").addHandler(handler)
    logging.getLogger("warehouse").setLevel(logging.INFO)
    try:
        return dispatch(args, load_settings())
    except WarehouseError as error:
        print(f"warehouse {args.command} failed: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # disk full, no permission, read-only: outside the models, still a clear message
        if not is_file_error(error):
            raise
        print(f"warehouse {args.command} failed: {file_error(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
