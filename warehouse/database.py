"""Database lifecycle: the embedded pgserver by default, an external Postgres when WAREHOUSE_HOST is set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import make_dsn

from warehouse.errors import WarehouseError, file_error
from warehouse.settings import ERP_DBNAME, ERP_READER, SOURCE_DBNAME, WAREHOUSE_DBNAME, Settings

# Settings for a single-user local warehouse that bulk-loads: durable at checkpoints, fast in between.
EMBEDDED_SERVER_SETTINGS = {
    "timezone": "UTC",
    "synchronous_commit": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "shared_buffers": "512MB",
    "work_mem": "256MB",
    "maintenance_work_mem": "512MB",
    "max_connections": "50",
}


@dataclass(frozen=True)
class Connection:
    """How to reach one Postgres server; the database is chosen per call."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    embedded: bool

    @property
    def uses_socket(self) -> bool:
        """True when `host` is a unix socket directory (the embedded server listens on nothing else)."""
        return self.host.startswith("/")

    def libpq_dsn(self, dbname: str | None = None, user: str | None = None) -> str:
        """A libpq keyword/value string for psycopg2 and psql (quoted by psycopg2's make_dsn).

        `user`: another login than the connection's, without its password (the embedded server trusts the socket).
        """
        return make_dsn(
            host=self.host,
            port=self.port,
            user=user or self.user,
            password=None if user else self.password or None,
            dbname=dbname or self.dbname,
        )

    def sqlalchemy_url(self, dbname: str | None = None, user: str | None = None) -> str:
        """A SQLAlchemy URL (psycopg2 driver); a socket directory goes in the `host` query parameter.

        `user`: another login than the connection's, without its password (the embedded server trusts the socket).
        """
        from sqlalchemy.engine import URL  # imported when needed: it adds half a second to every command

        where = {"query": {"host": self.host, "port": str(self.port)}} if self.uses_socket else {"host": self.host}
        url = URL.create(
            "postgresql+psycopg2",
            username=user or self.user,
            password=None if user else self.password or None,
            database=dbname or self.dbname,
            port=None if self.uses_socket else self.port,
            **where,
        )
        return url.render_as_string(hide_password=False)

    def dlt_url(self, dbname: str | None = None) -> str:
        """A URL for dlt's postgres destination, which hands it to libpq as a URI.

        libpq reads a socket directory only percent-encoded in the host part: SQLAlchemy renders a path host
        as is (and a `?host=` query value with `+` for a space, which libpq does not decode), so the host is
        encoded here. dlt requires a password: a placeholder where the server trusts the socket.
        """
        from sqlalchemy.engine import URL

        url = URL.create(
            "postgresql",
            username=self.user,
            password=self.password or "x",
            host=quote(self.host, safe="") if self.uses_socket else self.host,
            port=self.port,
            database=dbname or self.dbname,
        )
        return url.render_as_string(hide_password=False)

    def dbt_env(self) -> dict[str, str]:
        """The WAREHOUSE_* variables profiles.yml reads."""
        env = {
            "WAREHOUSE_HOST": self.host,
            "WAREHOUSE_PORT": str(self.port),
            "WAREHOUSE_USER": self.user,
            "WAREHOUSE_PASSWORD": self.password,
            "WAREHOUSE_DBNAME": self.dbname,
        }
        if self.embedded:
            env["WAREHOUSE_EMBEDDED"] = "1"
        return env


def libpq_dsn_from_url(url: str) -> str:
    """The libpq keyword/value string for a Postgres SQLAlchemy URL, its query parameters (a socket `host`) too."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    parts = parsed.translate_connect_args(username="user", database="dbname")
    parts.update({key: value for key, value in parsed.query.items() if isinstance(value, str)})
    return make_dsn(**parts)


def is_external() -> bool:
    """External mode: WAREHOUSE_HOST set by the user (not by `warehouse db env` for the embedded server)."""
    return bool(os.environ.get("WAREHOUSE_HOST")) and os.environ.get("WAREHOUSE_EMBEDDED") != "1"


def external_connection() -> Connection:
    """The external warehouse described by WAREHOUSE_HOST/PORT/USER/PASSWORD/DBNAME."""
    return Connection(
        host=os.environ["WAREHOUSE_HOST"],
        port=int(os.environ.get("WAREHOUSE_PORT", "5432")),
        user=os.environ.get("WAREHOUSE_USER", "postgres"),
        password=os.environ.get("WAREHOUSE_PASSWORD", ""),
        dbname=os.environ.get("WAREHOUSE_DBNAME", WAREHOUSE_DBNAME),
        embedded=False,
    )


def _embedded_server(settings: Settings):
    """Start (or attach to) the pgserver in the state folder; it keeps running after this process exits."""
    import pgserver  # imported lazily: it registers process-exit hooks

    settings.state_dir.mkdir(parents=True, exist_ok=True)
    repair_handle_list(settings)
    first_start = not (settings.pgdata_dir / "PG_VERSION").exists()
    try:
        server = pgserver.get_server(settings.pgdata_dir, cleanup_mode=None)
    except Exception as error:  # pgserver raises bare CalledProcessError/AssertionError
        log = settings.pgdata_dir / "log"
        raise WarehouseError(
            f"could not start the embedded PostgreSQL in {settings.pgdata_dir}: {error}",
            hint=f"see the server log {log}; if the folder is damaged, `warehouse db down` and remove it.",
        ) from error
    if first_start:
        _tune_new_server(server, settings)
    return server


def repair_handle_list(settings: Settings) -> None:
    """Reset pgserver's list of client pids when a killed process left it empty or cut short.

    pgserver rewrites `.handle_pids.json` at every start and exit of a process using the server; a kill -9
    between emptying and writing it leaves a file that is not JSON, and pgserver then fails on every start.
    The list only decides when pgserver may stop the server by itself, which this project never asks it to do.
    """
    path = settings.pgdata_dir / ".handle_pids.json"
    if not path.exists():
        return
    try:
        if isinstance(json.loads(path.read_text() or "null"), list):
            return
    except (ValueError, OSError):
        pass
    path.write_text("[]")


def _tune_new_server(server, settings: Settings) -> None:
    """Apply EMBEDDED_SERVER_SETTINGS once, then restart so the server-level ones take effect."""
    from pgserver._commands import pg_ctl

    statements = "".join(f"alter system set {key} = '{value}';\n" for key, value in EMBEDDED_SERVER_SETTINGS.items())
    server.psql(statements)
    pg_ctl(["-w", "restart"], pgdata=settings.pgdata_dir, user=server.system_user, timeout=30)
    server.ensure_postgres_running()


def embedded_connection(settings: Settings) -> Connection:
    """Start the embedded server if needed and return how to reach it."""
    server = _embedded_server(settings)
    info = server.get_postmaster_info()
    return Connection(
        host=str(info.socket_dir),
        port=int(info.port or 5432),
        user="postgres",
        # the embedded server trusts local socket connections
        password="",  # nosec B106
        dbname=os.environ.get("WAREHOUSE_DBNAME", WAREHOUSE_DBNAME),
        embedded=True,
    )


def connect(settings: Settings, dbt_profile: bool = True) -> Connection:
    """The warehouse to use: external when configured, otherwise the embedded server (started on demand).

    `dbt_profile=False` leaves writing dbt's profile to the caller (a logged run writes it once the run is logged).
    """
    connection = external_connection() if is_external() else embedded_connection(settings)
    ensure_databases(connection)
    ensure_analyst_role(connection)
    if connection.embedded:
        ensure_erp_reader(connection)
    if dbt_profile:
        write_dbt_profile(settings)
    return connection


ANALYST_ROLE = os.environ.get("WAREHOUSE_ANALYST_ROLE", "analyst")
ANALYST_DEMO_LOGIN = "analyst_demo"


def ensure_analyst_role(connection: Connection) -> None:
    """The read-only analyst group role (NOLOGIN) that dbt grants the marts to, and on the embedded server a demo
    login in it. On an external server without CREATEROLE the role must exist already; dbt's grant then says so."""
    roles = [(ANALYST_ROLE, sql.SQL("create role {} nologin").format(sql.Identifier(ANALYST_ROLE)))]
    if connection.embedded:
        create_login = sql.SQL("create role {} login in role {}").format(
            sql.Identifier(ANALYST_DEMO_LOGIN), sql.Identifier(ANALYST_ROLE)
        )
        roles.append((ANALYST_DEMO_LOGIN, create_login))
    conn = psycopg2.connect(connection.libpq_dsn(), connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for name, create in roles:
                cursor.execute("select 1 from pg_roles where rolname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(create)
    except (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.DuplicateObject):
        pass  # created meanwhile by another process, or left to an external warehouse's administrator
    finally:
        conn.close()


def ensure_erp_reader(connection: Connection) -> None:
    """The login the ERP loader reads the embedded `erp` database with (ERP_READER): it may connect, see schema
    public and SELECT its tables, those a later day-1 sample creates too (default privileges), and nothing else.

    The sample's writer (the server's superuser) owns the tables; a loader that cannot write cannot damage the
    source it reads. PUBLIC loses CONNECT and TEMPORARY on `erp`, so no other login reads it or makes temporary
    tables there. Idempotent and cheap when all is in place (one query); a warehouse made before the role existed
    gets it on its next command.
    """
    reader = sql.Identifier(ERP_READER)
    database = sql.Identifier(ERP_DBNAME)
    steps = (
        sql.SQL("revoke all on database {} from public").format(database),
        sql.SQL("grant connect on database {} to {}").format(database, reader),
        sql.SQL("grant usage on schema public to {}").format(reader),
        sql.SQL("grant select on all tables in schema public to {}").format(reader),
        sql.SQL("alter default privileges in schema public grant select on tables to {}").format(reader),
    )
    conn = psycopg2.connect(connection.libpq_dsn(ERP_DBNAME), connect_timeout=10)
    try:
        with conn, conn.cursor() as cursor:
            if _erp_reader_in_place(cursor):
                return
            # One setup at a time: two commands starting together would update the same catalog rows.
            cursor.execute("select pg_advisory_xact_lock(hashtext(%s))", ("warehouse.ensure_erp_reader",))
            cursor.execute("select 1 from pg_roles where rolname = %s", (ERP_READER,))
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("create role {} login nosuperuser nocreatedb nocreaterole noinherit").format(reader)
                )
            for statement in steps:
                cursor.execute(statement)
    finally:
        conn.close()


def _erp_reader_in_place(cursor) -> bool:
    """True when ERP_READER exists and holds what ensure_erp_reader grants (in the `erp` database)."""
    cursor.execute("select 1 from pg_roles where rolname = %s", (ERP_READER,))
    if cursor.fetchone() is None:
        return False  # checked first: the privilege functions below fail on a role that does not exist
    cursor.execute(
        """
        select
            has_database_privilege(%(reader)s, current_database(), 'connect')
            and not has_database_privilege('public', current_database(), 'connect')
            and not has_database_privilege('public', current_database(), 'temporary')
            and has_schema_privilege(%(reader)s, 'public', 'usage')
            and not exists (
                select from pg_tables
                where schemaname = 'public'
                    and not has_table_privilege(%(reader)s, format('%%I.%%I', schemaname, tablename), 'select')
            )
            and exists (
                select from pg_default_acl as defaults, aclexplode(defaults.defaclacl) as granted
                where defaults.defaclnamespace = 'public'::regnamespace
                    and defaults.defaclrole = current_user::regrole
                    and defaults.defaclobjtype = 'r'
                    and granted.grantee = %(reader)s::regrole
                    and granted.privilege_type = 'SELECT'
            )
        """,
        {"reader": ERP_READER},
    )
    return bool(cursor.fetchone()[0])


def create_database_statement(dbname: str, warehouse: bool) -> sql.Composed:
    """CREATE DATABASE; the warehouse one sorts text bytewise (collation "C").

    Under a libc collation such as C.UTF-8, Postgres 16 compares text with strcoll and cannot use abbreviated
    keys, so every sort, window and index over millions of text keys (customer ids, record ids) runs several times
    slower. For UTF-8 text, "C" orders exactly like glibc's C.UTF-8 (by code point), so no result changes. The
    character type (upper, initcap, what a regex calls a space) stays the server's: only the order is bytewise.
    """
    statement = sql.SQL("create database {}").format(sql.Identifier(dbname))
    if warehouse:
        statement += sql.SQL(" template template0 lc_collate 'C'")
    return statement


def ensure_databases(connection: Connection) -> None:
    """Create the warehouse database (and, on the embedded server, the sample source databases: shop and ERP)."""
    wanted = [connection.dbname]
    if connection.embedded:
        wanted += [SOURCE_DBNAME, ERP_DBNAME]
    try:
        admin = psycopg2.connect(connection.libpq_dsn("postgres"), connect_timeout=10)
    except psycopg2.OperationalError as error:
        raise WarehouseError(
            f"cannot connect to Postgres at {connection.host}:{connection.port} as {connection.user}: "
            f"{str(error).strip()}",
            hint="check WAREHOUSE_HOST/PORT/USER/PASSWORD, or unset WAREHOUSE_HOST to use the embedded server.",
        ) from error
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for dbname in wanted:
                cursor.execute("select 1 from pg_database where datname = %s", (dbname,))
                if cursor.fetchone() is None:
                    cursor.execute(create_database_statement(dbname, warehouse=dbname == connection.dbname))
    except psycopg2.Error as error:
        raise WarehouseError(
            f"database {wanted} does not exist and could not be created: {str(error).strip()}",
            hint="create it yourself or grant CREATEDB to WAREHOUSE_USER.",
        ) from error
    finally:
        admin.close()


def write_dbt_profile(settings: Settings) -> Path:
    """Copy profiles.yml.example into the state folder, where DBT_PROFILES_DIR points."""
    target = settings.dbt_profiles_dir / "profiles.yml"
    try:
        settings.dbt_profiles_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(settings.project_dir / "profiles.yml.example", target)
    except OSError as error:
        raise file_error(error, "write the dbt profile into the state folder", "WAREHOUSE_STATE_DIR") from error
    return target


def stop_embedded(settings: Settings) -> bool:
    """Stop the embedded server cleanly; False if it was not running."""
    from pgserver._commands import pg_ctl
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(settings.pgdata_dir) if settings.pgdata_dir.exists() else None
    if info is None or not info.is_running():
        return False
    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=settings.pgdata_dir, user=user, timeout=60)
    except subprocess.CalledProcessError as error:
        raise WarehouseError(
            f"could not stop the embedded server in {settings.pgdata_dir}: {error}",
            hint=f"see {settings.pgdata_dir / 'log'}",
        ) from error
    return True


def embedded_status(settings: Settings) -> str:
    """One line describing the embedded server: running where, or stopped."""
    from pgserver.utils import PostmasterInfo

    if not (settings.pgdata_dir / "PG_VERSION").exists():
        return f"embedded server: not created yet (state folder {settings.state_dir})"
    info = PostmasterInfo.read_from_pgdata(settings.pgdata_dir)
    if info is None or not info.is_running():
        return f"embedded server: stopped (data in {settings.pgdata_dir})"
    return f"embedded server: running, pid {info.pid}, socket {info.socket_dir}, data in {settings.pgdata_dir}"


def psql_executable() -> str:
    """pgserver's bundled psql (matches the server version), or psql from PATH."""
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        bundled = POSTGRES_BIN_PATH / "psql"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("psql")
    if not found:
        raise WarehouseError("psql not found", hint="install the PostgreSQL client or use `warehouse db env`.")
    return found
