"""Recovery without hand edits: a lost warehouse database or state folder, a refresh after a manual ingest.

Real dlt, dbt and Postgres. The tests start from a copy of conftest's `ran_template` (one good `warehouse run`).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from conftest import Workspace, copy_database
from psycopg2 import sql
from recorders import WebhookRecorder, webhook_recorder

from ingest.pipeline import root_cause
from warehouse.errors import file_error, is_file_error

# The tests that start after a good run copy the one run of `ran_template`; the group keeps them on one xdist worker.
after_a_run = pytest.mark.xdist_group("ran")

# Columns that hold when a row was loaded or a key made of the load id: they differ between two clean loads.
HEADER = "customer_id,name,age,country,is_active\n"
LOAD_TIME_COLUMNS = {"first_loaded_at", "loaded_at", "load_id", "data_quality_id", "data_quality_issue_id"}


def marts_content(space: Workspace) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of every row (load-time columns left out) of each table in schema marts."""
    columns: dict[str, list[str]] = {}
    for table, column in space.query(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
        "order by table_name, ordinal_position"
    ):
        if column not in LOAD_TIME_COLUMNS:
            columns.setdefault(table, []).append(f'"{column}"')
    content = {}
    for table, names in columns.items():
        row = f"row({', '.join(names)})::text"
        content[table] = space.query(
            f"select count(*), md5(coalesce(string_agg({row}, '|' order by {row}), '')) from marts.{table}"
        )[0]
    return content


def raw_counts(space: Workspace) -> tuple[int, int]:
    return space.query("select (select count(*) from raw.customers), (select count(*) from raw.transactions)")[0]


def drop_database(space: Workspace) -> None:
    """What losing the warehouse database looks like: it is gone, the state folder stays."""
    admin = psycopg2.connect(space.server.libpq_dsn("postgres"))
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(space.dbname)))
    finally:
        admin.close()


@after_a_run
def test_a_lost_warehouse_database_is_detected_and_the_next_run_restores_a_clean_runs_marts(ran: Workspace) -> None:
    clean = marts_content(ran)
    clean_raw = raw_counts(ran)
    assert (ran.settings.dlt_dir / ran.dbname).is_dir()  # dlt's local state of the good run survives
    drop_database(ran)

    result = ran.cli("run")

    assert result.returncode == 0, result.stderr[-3000:]
    assert raw_counts(ran) == clean_raw
    assert marts_content(ran) == clean
    # The user is told, and the run log keeps the note. The CRM keeps its loaded files in dlt's state; the shop's
    # Postgres path keeps its captured ranges in the warehouse, lost with it, so it reloads without a note.
    assert "crm: the warehouse holds none of the loads this state folder records" in result.stderr
    [notes] = ran.query("select ingest_notes from ops.run_log")[0]
    assert any(note.startswith("crm: the warehouse holds none of the loads") for note in notes)


@after_a_run
def test_a_lost_warehouse_database_is_detected_whichever_source_loads_first(ran: Workspace) -> None:
    """dlt itself resets a source's local state when schema raw is missing; once another source made it, it did not."""
    clean = marts_content(ran)
    drop_database(ran)
    assert ran.cli("ingest", "--source", "shop").returncode == 0  # the shop creates schema raw again

    result = ran.cli("run")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "crm: the warehouse holds none of the loads this state folder records" in result.stderr
    assert marts_content(ran) == clean


@after_a_run
def test_a_lost_state_folder_is_restored_from_the_warehouse_and_nothing_is_loaded_twice(ran: Workspace) -> None:
    clean_raw = raw_counts(ran)
    shutil.rmtree(ran.settings.dlt_dir / ran.dbname)

    result = ran.cli("ingest")

    assert result.returncode == 0, result.stderr[-3000:]
    assert raw_counts(ran) == clean_raw
    assert "local state is forgotten" not in result.stderr  # dlt restored it from the warehouse: nothing lost


@after_a_run
def test_a_warehouse_restored_from_an_older_copy_gets_back_what_was_loaded_since(ran: Workspace) -> None:
    backup = f"{ran.dbname}_backup"
    copy_database(ran.server, ran.dbname, backup)
    assert ran.cli("sample", "--day", "2").returncode == 0
    assert ran.cli("ingest").returncode == 0
    day_two_raw = raw_counts(ran)
    copy_database(ran.server, backup, ran.dbname)  # the day-1 copy comes back; the state folder knows day 2

    result = ran.cli("ingest")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "the warehouse holds an older state of this source" in result.stderr
    assert raw_counts(ran) == day_two_raw


@after_a_run
def test_refresh_after_a_manual_ingest_builds_what_that_ingest_landed(ran: Workspace) -> None:
    transactions_day_one = ran.query("select count(*) from marts.fct_transactions")[0][0]
    assert ran.cli("sample", "--day", "2").returncode == 0
    assert ran.cli("ingest").returncode == 0  # succeeds, lands day 2; the marts are now behind it

    result = ran.cli("refresh")  # finds nothing new to ingest, and must still build

    assert result.returncode == 0, result.stderr[-3000:]
    assert "the marts are older than the last load" in result.stderr
    assert ran.query("select count(*) from marts.fct_transactions")[0][0] > transactions_day_one
    [(status, models_built)] = ran.query("select status, models_built from ops.run_log where command = 'refresh'")
    assert status == "success" and models_built > 0
    # Now the last build succeeded after the last load: the next refresh rebuilds nothing.
    assert "marts unchanged" in ran.cli("refresh").stdout


@contextmanager
def alerts_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookRecorder]:
    """Alerts of the commands run inside go to a real webhook server on loopback."""
    with webhook_recorder() as webhook:
        monkeypatch.setenv("WAREHOUSE_ALERT_URLS", webhook.url)
        yield webhook
        deadline = time.monotonic() + 10
        while not webhook.requests and time.monotonic() < deadline:
            time.sleep(0.1)


def last_run_logged(space: Workspace) -> tuple[str, str, str]:
    return space.query("select command, status, error from ops.run_log order by started_at desc limit 1")[0]


@after_a_run
def test_a_full_disk_under_the_report_ends_in_a_clear_error_in_the_run_log_and_the_alert(
    ran: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /dev/full fails every write with ENOSPC, exactly as a full disk does (no tmpfs needed, no root).
    monkeypatch.setenv("WAREHOUSE_REPORT_PATH", "/dev/full")

    with alerts_to(monkeypatch) as webhook:
        result = ran.cli("run")

    assert result.returncode == 1
    expected = "cannot write the HTML report: /dev/full: the disk is full (no space left on device)"
    assert expected in result.stderr and "what to do: free space" in result.stderr
    assert "Traceback" not in result.stderr
    command, status, error = last_run_logged(ran)
    assert (command, status) == ("run", "failed") and expected in error
    assert len(webhook.requests) == 1 and expected in webhook.texts[0]


def cli_as_a_user(space: Workspace, *args: str) -> subprocess.CompletedProcess:
    """The command as a user without root's power to write where the permissions forbid it.

    Tests run as root in containers, and root writes into read-only folders; without CAP_DAC_OVERRIDE it cannot.
    """
    prefix = ["setpriv", "--bounding-set", "-dac_override"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "warehouse.cli", *args], capture_output=True, text=True, env=dict(os.environ)
    )


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@after_a_run
def test_a_read_only_state_folder_ends_in_a_clear_error_in_the_run_log_and_the_alert(
    ran: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlt_state = ran.settings.dlt_dir
    assert ran.cli("sample", "--day", "2").returncode == 0  # new data to load
    make_read_only(dlt_state)
    try:
        with alerts_to(monkeypatch) as webhook:
            result = cli_as_a_user(ran, "ingest")
    finally:
        for path in [dlt_state, *dlt_state.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)

    assert result.returncode == 1
    for source in ("crm", "shop"):
        assert f"cannot write the state folder for source '{source}'" in result.stderr
    assert f"{dlt_state}" in result.stderr and "permission denied" in result.stderr
    assert "what to do: give the user running the warehouse write access" in result.stderr
    assert "Traceback" not in result.stderr
    command, status, error = last_run_logged(ran)
    assert (command, status) == ("ingest", "failed") and "permission denied" in error
    assert len(webhook.requests) == 1 and "cannot write the state folder" in webhook.texts[0]


@after_a_run
def test_a_report_path_that_cannot_be_written_names_it_and_the_setting(
    ran: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = ran.root / "reports"
    folder.mkdir()
    make_read_only(folder)
    monkeypatch.setenv("WAREHOUSE_REPORT_PATH", str(folder / "report.html"))

    result = cli_as_a_user(ran, "report")

    assert result.returncode == 1
    assert f"cannot write the HTML report: {folder / 'report.html'}: permission denied" in result.stderr
    assert "or set WAREHOUSE_REPORT_PATH to another place" in result.stderr and "Traceback" not in result.stderr


def test_a_first_load_that_never_finished_is_aborted_and_loaded_once(workspace: Workspace) -> None:
    """The local state records the first load, the warehouse holds none of it: read again, nothing doubled.

    (Before the check for a lost warehouse this package was finished instead; either way each line lands once.)
    """
    landing = workspace.settings.customers_landing_dir
    landing.mkdir(parents=True)
    (landing / "customers_1.csv").write_text(HEADER + "C1,Ann,30,UK,yes\nC2,Eve,40,US,no\n")
    # The first load fails in the warehouse: a table waiting for it rejects one of its rows.
    workspace.query(
        "create schema raw; create table raw.customers (_source_file text, name text check (name <> 'Eve'))"
    )
    assert workspace.cli("ingest", "--source", "crm").returncode == 1
    workspace.query("alter table raw.customers drop constraint customers_name_check")

    result = workspace.cli("ingest", "--source", "crm")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "the first load never finished" in result.stderr and "unfinished load package" in result.stderr
    assert workspace.query("select _line_number, name from raw.customers order by 1") == [(2, "Ann"), (3, "Eve")]


def test_the_cause_named_is_the_error_not_the_generator_end_it_was_raised_after() -> None:
    """dlt reads a resource with next(); an error raised after a StopIteration was its cause, not an empty one."""
    try:
        try:
            next(iter(()))
        except StopIteration:
            raise psycopg2.errors.UndefinedColumn('column "_source_file" does not exist') from None
    except psycopg2.Error as error:
        try:
            raise RuntimeError("extraction of resource `customers` caused an exception") from error
        except RuntimeError as wrapped:
            outermost = wrapped

    assert "_source_file" in str(root_cause(outermost))


@pytest.mark.parametrize(
    ("number", "cause", "hint"),
    [
        (errno.ENOSPC, "the disk is full (no space left on device)", "free space on the file system that holds /srv"),
        (errno.EROFS, "the file system is read-only", "mount the file system that holds /srv read-write"),
        (errno.EACCES, "permission denied", "give the user running the warehouse write access to /srv"),
    ],
)
def test_a_file_system_error_names_the_cause_the_path_and_what_to_do(number: int, cause: str, hint: str) -> None:
    error = file_error(OSError(number, os.strerror(number), "/srv/report.html"), "write the HTML report", "X_PATH")

    assert error.message == f"cannot write the HTML report: /srv/report.html: {cause}"
    assert hint in error.hint


def test_a_refused_connection_is_not_taken_for_a_file_error() -> None:
    assert not is_file_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))
    assert is_file_error(OSError(errno.ENOSPC, "No space left on device"))


@after_a_run
def test_a_read_only_dbt_profile_folder_fails_a_logged_run_clearly(
    ran: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = ran.settings.dbt_profiles_dir
    make_read_only(profiles)
    try:
        with alerts_to(monkeypatch) as webhook:
            result = cli_as_a_user(ran, "build")
    finally:
        for path in [profiles, *profiles.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)

    assert result.returncode == 1
    expected = f"cannot write the dbt profile into the state folder: {profiles / 'profiles.yml'}: permission denied"
    assert expected in result.stderr and "Traceback" not in result.stderr
    command, status, error = last_run_logged(ran)
    assert (command, status) == ("build", "failed") and expected in error
    assert len(webhook.requests) == 1 and expected in webhook.texts[0]
