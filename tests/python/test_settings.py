"""One way to read each setting: source credentials from env or the project's .dlt/secrets.toml, and
connection strings that survive any character in a password or a socket path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
from conftest import Workspace, dlt_project_without_secrets
from psycopg2 import sql

from ingest.sources import TRANSACTIONS_SECTION, source_credentials, transactions_credentials
from warehouse import job
from warehouse.database import Connection, libpq_dsn_from_url
from warehouse.settings import PROJECT_DIR, load_settings


def write_secrets(folder: Path, credentials: str | dict[str, str]) -> Path:
    """A dlt project folder whose .dlt/secrets.toml holds the shop's credentials (a URL or a table of fields)."""
    project = dlt_project_without_secrets(folder)
    if isinstance(credentials, str):  # a JSON string of ASCII text is a TOML basic string
        text = f"[sources.{TRANSACTIONS_SECTION}]\ncredentials = {json.dumps(credentials)}\n"
    else:
        lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in credentials.items())
        text = f"[sources.{TRANSACTIONS_SECTION}.credentials]\n{lines}"
    (project / ".dlt" / "secrets.toml").write_text(text, encoding="utf-8")
    return project


@pytest.fixture
def shop_only_in_secrets(workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The workspace's shop database named only in a project's .dlt/secrets.toml (no env var); returns its URL."""
    url = workspace.server.sqlalchemy_url(workspace.source_dbname)
    monkeypatch.delenv("SOURCES__TRANSACTIONS__CREDENTIALS")
    monkeypatch.setenv("DLT_PROJECT_DIR", str(write_secrets(tmp_path / "project", url)))
    return url


def test_a_shop_url_only_in_secrets_toml_is_the_source_of_the_ingest(
    workspace: Workspace, shop_only_in_secrets: str
) -> None:
    workspace.query(
        "create table public.transactions "
        "(transaction_id bigint, customer_id text, amount text, transaction_date text);"
        "insert into public.transactions values (1, 'C1', '10.00', '2024-01-01'), (2, 'C2', '20.00', '2024-01-02')",
        workspace.source_dbname,
    )
    settings = load_settings()
    assert transactions_credentials(workspace.connection, settings) == shop_only_in_secrets
    assert job.real_source_configured(settings)

    result = workspace.cli("ingest", "--source", "shop")

    assert result.returncode == 0, result.stderr
    assert workspace.query("select transaction_id, customer_id from raw.transactions order by 1") == [
        (1, "C1"),
        (2, "C2"),
    ]


def test_run_writes_no_sample_over_a_shop_named_only_in_secrets_toml(
    workspace: Workspace, shop_only_in_secrets: str
) -> None:
    """The landing folder is empty, but the shop is real: its table stays as it is, no sample CSV appears."""
    workspace.query(
        "create table public.transactions (transaction_id bigint, note text);"
        "insert into public.transactions values (1, 'real'), (2, 'rows')",
        workspace.source_dbname,
    )

    result = workspace.cli("run")

    assert "a real source is configured: no sample" in result.stderr
    assert not list(workspace.settings.customers_landing_dir.glob("*.csv"))
    assert workspace.query("select * from public.transactions order by 1", workspace.source_dbname) == [
        (1, "real"),
        (2, "rows"),
    ]
    # The ingest read the same database (its table lacks the contract's columns), and the run stopped there.
    assert result.returncode == 1
    assert f"/{workspace.source_dbname}" in result.stderr and "has no column(s) customer_id" in result.stderr


def test_the_env_var_wins_over_secrets_toml_and_the_current_directory_does_not_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DLT_PROJECT_DIR", raising=False)
    assert load_settings().dlt_settings_dir == PROJECT_DIR / ".dlt"  # the project's folder, not the cwd's

    monkeypatch.setenv("DLT_PROJECT_DIR", str(write_secrets(tmp_path / "project", "postgresql://from-secrets/shop")))
    write_secrets(tmp_path / "elsewhere", "postgresql://from-cwd/shop")
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.delenv("SOURCES__TRANSACTIONS__CREDENTIALS", raising=False)
    assert source_credentials(TRANSACTIONS_SECTION, load_settings()) == "postgresql://from-secrets/shop"

    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", "postgresql://from-env/shop")
    assert source_credentials(TRANSACTIONS_SECTION, load_settings()) == "postgresql://from-env/shop"

    monkeypatch.setenv("DLT_PROJECT_DIR", str(dlt_project_without_secrets(tmp_path / "bare")))
    monkeypatch.delenv("SOURCES__TRANSACTIONS__CREDENTIALS")
    assert source_credentials(TRANSACTIONS_SECTION, load_settings()) is None
    assert not job.real_source_configured(load_settings())


def test_credentials_as_a_table_of_fields_in_secrets_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dlt's other layout: [sources.transactions.credentials] with one key per field."""
    fields = {"drivername": "postgresql", "username": "reader", "password": "p@ss/:% x", "host": "shop-db"}
    monkeypatch.setenv("DLT_PROJECT_DIR", str(write_secrets(tmp_path / "project", {**fields, "database": "shop"})))
    monkeypatch.delenv("SOURCES__TRANSACTIONS__CREDENTIALS", raising=False)

    url = sa.engine.make_url(source_credentials(TRANSACTIONS_SECTION, load_settings()))

    assert (url.username, url.password, url.host, url.database) == ("reader", "p@ss/:% x", "shop-db", "shop")


AWKWARD_ROLE = "we@b/:% user"
AWKWARD_PASSWORD = "p@ss/:% w'o\\rd"


@pytest.fixture
def awkward_connection(warehouse: Connection, tmp_path: Path) -> Iterator[Connection]:
    """The session server reached through a socket path and as a role full of URL-special characters."""
    socket_dir = tmp_path / "s @:%x"
    socket_dir.symlink_to(warehouse.host, target_is_directory=True)
    admin = psycopg2.connect(warehouse.libpq_dsn("postgres"))
    admin.autocommit = True
    role = sql.Identifier(AWKWARD_ROLE)
    with admin, admin.cursor() as cursor:
        cursor.execute(sql.SQL("drop role if exists {}").format(role))
        # no query parameters: the `%` in the role name would read as one
        cursor.execute(sql.SQL("create role {} login password {}").format(role, sql.Literal(AWKWARD_PASSWORD)))
    try:
        yield Connection(str(socket_dir), warehouse.port, AWKWARD_ROLE, AWKWARD_PASSWORD, "postgres", embedded=True)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("drop role {}").format(role))
        admin.close()


def libpq_sees(dsn: str) -> tuple[str, str, str, str]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("select current_user, current_database()")
        user, dbname = cursor.fetchone()
        return user, dbname, conn.info.password, conn.info.host


def test_passwords_and_socket_paths_with_special_characters_reach_the_server_intact(
    awkward_connection: Connection, tmp_path: Path
) -> None:
    """libpq, SQLAlchemy and dlt each connect with the string built for them, and see every character.

    The embedded server trusts its socket, so the password is read back from the client (what libpq sent).
    """
    import dlt

    connection = awkward_connection
    expected = (AWKWARD_ROLE, "postgres", AWKWARD_PASSWORD, connection.host)

    assert libpq_sees(connection.libpq_dsn()) == expected
    assert libpq_sees(libpq_dsn_from_url(connection.sqlalchemy_url())) == expected  # the sample writer's way

    engine = sa.create_engine(connection.sqlalchemy_url())
    with engine.connect() as conn:
        assert tuple(conn.execute(sa.text("select current_user, current_database()")).one()) == expected[:2]
        assert conn.connection.driver_connection.info.password == AWKWARD_PASSWORD
    engine.dispose()

    pipeline = dlt.pipeline(
        pipeline_name="awkward_credentials",
        destination=dlt.destinations.postgres(credentials=connection.dlt_url()),
        dataset_name="unused",
        pipelines_dir=str(tmp_path / "pipelines"),
    )
    with pipeline.sql_client() as client:
        assert client.execute_sql("select current_user, current_database()") == [expected[:2]]
        assert client.native_connection.info.password == AWKWARD_PASSWORD
