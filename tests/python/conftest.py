"""Shared fixtures: one real embedded PostgreSQL per test session, in a temporary state folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from warehouse import job
from warehouse.database import Connection, connect, ensure_databases, stop_embedded
from warehouse.dbt_runner import run_dbt
from warehouse.sample import generate_sample, generate_tills
from warehouse.sample.erp_generator import generate_erp
from warehouse.settings import PROJECT_DIR, SOURCE_DBNAME, Settings, load_settings

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings whose state, landing and truth folders live in a session temp folder."""
    root = tmp_path_factory.mktemp("warehouse")
    # The server's folder lives outside pytest's temp root: run as root, pgserver starts Postgres as its own
    # user and opens the folders above pgdata to it, and another xdist worker's pytest closes them again (0700).
    server_root = Path(tempfile.mkdtemp(prefix="warehouse-tests-"))
    saved = dict(os.environ)
    for name in (
        "WAREHOUSE_HOST",
        "WAREHOUSE_EMBEDDED",
        "SOURCES__TRANSACTIONS__CREDENTIALS",
        "SOURCES__ERP__CREDENTIALS",
        "WAREHOUSE_DOMAINS",  # every domain, whatever the developer's shell says; a test that wants fewer sets it
    ):
        os.environ.pop(name, None)
    os.environ["WAREHOUSE_STATE_DIR"] = str(server_root / "state")
    os.environ["WAREHOUSE_LANDING_DIR"] = str(root / "landing")
    os.environ["WAREHOUSE_TRUTH_DIR"] = str(root / "truth")
    os.environ["DLT_PROJECT_DIR"] = str(dlt_project_without_secrets(root / "dlt_project"))
    try:
        yield load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(server_root, ignore_errors=True)


def dlt_project_without_secrets(folder: Path) -> Path:
    """A dlt project folder with the project's .dlt/config.toml and no secrets.toml (a developer's stays unread)."""
    (folder / ".dlt").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / ".dlt" / "config.toml", folder / ".dlt" / "config.toml")
    return folder


@pytest.fixture(scope="session")
def warehouse(settings: Settings) -> Iterator[Connection]:
    """The embedded server of this test session, started once and stopped at the end."""
    connection = connect(settings)
    try:
        yield connection
    finally:
        stop_embedded(settings)


@pytest.fixture
def source_dsn(warehouse: Connection) -> str:
    """libpq DSN of the sample source database (`shop`) on the session server."""
    return warehouse.libpq_dsn(SOURCE_DBNAME)


def query(connection: Connection, statement: str, dbname: str | None = None) -> list[tuple]:
    """Run one statement on the session server and return its rows."""
    with psycopg2.connect(connection.libpq_dsn(dbname)) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    """A fresh folder for one test's files."""
    return tmp_path


class Workspace:
    """One test's own warehouse database, source databases (shop, ERP) and landing/truth folders on the session
    server."""

    def __init__(self, server: Connection, root: Path, name: str) -> None:
        self.server = server
        self.root = root
        self.dbname = f"wh_{name}"
        self.source_dbname = f"src_{name}"
        self.erp_dbname = f"erp_{name}"

    @property
    def settings(self) -> Settings:
        return load_settings()

    @property
    def connection(self) -> Connection:
        return connect(self.settings)

    @property
    def source_dsn(self) -> str:
        return self.server.libpq_dsn(self.source_dbname)

    def query(self, statement: str, dbname: str | None = None) -> list[tuple]:
        return query(self.server, statement, dbname or self.dbname)

    def write_erp_sample(self) -> None:
        """Day 1 of the sample ERP into the workspace's ERP database: its raw tables exist once ingested, which the
        ERP's staging views need. A hand-made warehouse without an ERP sets WAREHOUSE_DOMAINS instead."""
        generate_erp(dsn=self.server.libpq_dsn(self.erp_dbname), truth_dir=self.settings.truth_dir)

    def cli(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        """Run the `warehouse` command in a subprocess, as a user would; output captured as text."""
        return subprocess.run(
            [sys.executable, "-m", "warehouse.cli", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ),
        )


def use_workspace(space: Workspace, patch: pytest.MonkeyPatch) -> None:
    """Point the environment (and so every `warehouse` command) at the workspace's databases and folders."""
    patch.setenv("WAREHOUSE_DBNAME", space.dbname)
    patch.setenv("WAREHOUSE_LANDING_DIR", str(space.root / "landing"))
    patch.setenv("WAREHOUSE_TRUTH_DIR", str(space.root / "truth"))
    patch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", space.server.sqlalchemy_url(space.source_dbname))
    patch.setenv("SOURCES__ERP__CREDENTIALS", space.server.sqlalchemy_url(space.erp_dbname))


def use_job_outputs(space: Workspace, patch: pytest.MonkeyPatch) -> None:
    """dbt's artifacts and the report in the workspace's folder; no alert channels from the developer's shell."""
    patch.setenv("DBT_TARGET_PATH", str(space.root / "target"))
    patch.setenv("DBT_LOG_PATH", str(space.root / "logs"))
    patch.setenv("WAREHOUSE_REPORT_PATH", str(space.root / "report.html"))
    for name in ("WAREHOUSE_ALERT_URLS", "WAREHOUSE_ALERT_SUCCESS_URLS", "CI"):
        patch.delenv(name, raising=False)


# Every test's workspace has the same database names (tests on one xdist worker run one at a time; each starts
# from new, empty databases): dbt's partial parsing keeps its parse only while the profile's connection (database
# name included) stays the same, so one name lets each test start from the last test's parse instead of a full
# one (PARSE_CACHE below).
WORKSPACE_NAME = "test"
PARSED_PROJECT = "partial_parse.msgpack"


@pytest.fixture(scope="session")
def parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the workspaces of this session keep dbt's last partial parse (dbt checks it is still valid)."""
    return tmp_path_factory.mktemp("dbt_parse") / PARSED_PROJECT


@pytest.fixture
def workspace(
    warehouse: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parse_cache: Path
) -> Iterator[Workspace]:
    """A fresh, isolated warehouse for one test: new databases, own landing folder, own dlt state."""
    space = Workspace(warehouse, tmp_path, WORKSPACE_NAME)
    use_workspace(space, monkeypatch)
    for dbname in (space.dbname, space.source_dbname, space.erp_dbname):
        drop_database(warehouse, dbname)
        ensure_databases(Connection(**{**warehouse.__dict__, "dbname": dbname}))
    shutil.rmtree(space.settings.dlt_dir / space.dbname, ignore_errors=True)
    reuse_parse(parse_cache, space.root / "target")
    yield space
    keep_parse(space.root / "target", parse_cache)


def reuse_parse(cache: Path, target: Path) -> None:
    """Start dbt in `target` from the cached parse, if there is one."""
    if cache.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache, target / PARSED_PROJECT)


def keep_parse(target: Path, cache: Path) -> None:
    """Keep the parse dbt left in `target` for the next workspace."""
    if (target / PARSED_PROJECT).exists():
        shutil.copyfile(target / PARSED_PROJECT, cache)


class RanTemplate:
    """Sample day 1 after one `warehouse run` (the command a user runs), kept to be copied and never used itself."""

    def __init__(self, space: Workspace, run: subprocess.CompletedProcess) -> None:
        self.space = space
        self.run = run


@pytest.fixture(scope="session")
def ran_template(warehouse: Connection, tmp_path_factory: pytest.TempPathFactory) -> RanTemplate:
    """One `warehouse sample` + `warehouse run` per test session, for the tests that start after a good run."""
    space = Workspace(warehouse, tmp_path_factory.mktemp("ran_template"), "ran_template")
    with pytest.MonkeyPatch.context() as patch:
        use_workspace(space, patch)
        use_job_outputs(space, patch)
        for dbname in (space.dbname, space.source_dbname, space.erp_dbname):
            ensure_databases(Connection(**{**warehouse.__dict__, "dbname": dbname}))
        sampled = space.cli("sample")
        assert sampled.returncode == 0, sampled.stderr[-3000:]
        run = space.cli("run")
        assert run.returncode == 0, run.stderr[-3000:]
    return RanTemplate(space, run)


def copy_database(server: Connection, template: str, name: str) -> None:
    """Replace database `name` with a copy of `template` (CREATE DATABASE ... TEMPLATE: a file copy, no replay)."""
    drop_database(server, name)
    admin_statement(
        server, sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template))
    )


def drop_database(server: Connection, name: str) -> None:
    """Drop database `name` if it exists, whoever is still connected to it (a leftover of an earlier test)."""
    admin_statement(server, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def admin_statement(server: Connection, statement: sql.Composable) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server's `postgres` database."""
    admin = psycopg2.connect(server.libpq_dsn("postgres"))
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


@pytest.fixture
def ran(
    ran_template: RanTemplate, workspace: Workspace, monkeypatch: pytest.MonkeyPatch, parse_cache: Path
) -> Workspace:
    """A workspace as `ran_template` left it: copies of its databases, landing and truth folders, dlt pipeline
    state and dbt artifacts, so a test starts after a good run without running one."""
    copy_workspace(ran_template.space, workspace)
    reuse_parse(parse_cache, workspace.root / "target")  # the template's parse is for its own database name
    use_job_outputs(workspace, monkeypatch)
    # Just after the run: its source captures moved to now, or a test that starts 20 minutes into the session
    # would find the ERP stale (its freshness is the 30-minute SLA on the last capture, models/staging/erp).
    workspace.query("update ops.source_captures set captured_at = now()")
    return workspace


def copy_workspace(template: Workspace, space: Workspace) -> None:
    """Make `space` what `template` is: its databases, its folders (landing, truth, dbt target) and dlt state."""
    copy_database(space.server, template.dbname, space.dbname)
    copy_database(space.server, template.source_dbname, space.source_dbname)
    copy_database(space.server, template.erp_dbname, space.erp_dbname)
    for folder in ("landing", "truth", "target"):
        if (template.root / folder).exists():
            shutil.copytree(template.root / folder, space.root / folder, dirs_exist_ok=True)
    dlt_dir = space.settings.dlt_dir
    shutil.copytree(dlt_dir / template.dbname, dlt_dir / space.dbname, dirs_exist_ok=True)


class BuiltWarehouse:
    """A warehouse after sample day 1 was generated, loaded by the real loader and built by `dbt build`."""

    def __init__(self, connection: Connection, settings: Settings, target_dir: Path) -> None:
        self.connection = connection
        self.settings = settings
        self.target_dir = target_dir


def build_sample_warehouse(server: Connection, root: Path, name: str) -> BuiltWarehouse:
    """Generate day 1 (CRM, shop, tills, ERP), ingest it and run dbt build in databases of their own; env restored."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_DBNAME", f"wh_{name}")
        patch.setenv("WAREHOUSE_LANDING_DIR", str(root / "landing"))
        patch.setenv("WAREHOUSE_TRUTH_DIR", str(root / "truth"))
        patch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", server.sqlalchemy_url(f"src_{name}"))
        patch.setenv("SOURCES__ERP__CREDENTIALS", server.sqlalchemy_url(f"erp_{name}"))
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        for dbname in (f"wh_{name}", f"src_{name}", f"erp_{name}"):
            ensure_databases(Connection(**{**server.__dict__, "dbname": dbname}))
        settings = load_settings()
        connection = connect(settings)
        generate_sample(
            customers_dir=settings.customers_landing_dir,
            source_dsn=server.libpq_dsn(f"src_{name}"),
            truth_dir=settings.truth_dir,
        )
        generate_tills(tills_dir=settings.tills_landing_dir, truth_dir=settings.truth_dir)
        generate_erp(dsn=server.libpq_dsn(f"erp_{name}"), truth_dir=settings.truth_dir)
        job.ingest(connection, settings)
        run_dbt(["build", *job.WITHOUT_UNIT_TESTS], connection, settings)
        return BuiltWarehouse(connection, settings, root / "target")


@pytest.fixture(scope="session")
def built_warehouse(warehouse: Connection, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """One built sample warehouse shared by the read-only tests of the marts and the dbt project."""
    return build_sample_warehouse(warehouse, tmp_path_factory.mktemp("built"), "built")


FIGURES_PROPERTY = "measured_figure"


@pytest.fixture
def report_figure(request: pytest.FixtureRequest):
    """Record a measured figure (e.g. accuracy) to be printed in the test run's summary (also from xdist workers)."""
    return lambda line: request.node.user_properties.append((FIGURES_PROPERTY, line))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that need the embedded Postgres `server`; `make test-fast` runs the rest plus the `fast` ones."""
    for item in items:
        if "warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)


def pytest_terminal_summary(terminalreporter) -> None:
    figures = [
        value
        for report in terminalreporter.stats.get("passed", [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == FIGURES_PROPERTY
    ]
    if figures:
        terminalreporter.section("measured figures")
        for line in figures:
            terminalreporter.write_line(line)
