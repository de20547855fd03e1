"""The `warehouse` command line as a user meets it: db commands, report/docs commands, and clear refusals."""

from __future__ import annotations

import json
import shlex

import pytest
from conftest import Workspace

from warehouse.database import repair_handle_list
from warehouse.settings import load_settings


def test_db_env_prints_what_dbt_needs_for_the_embedded_server(workspace: Workspace) -> None:
    result = workspace.cli("db", "env")

    assert result.returncode == 0, result.stderr
    exported = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in result.stdout.splitlines())
    assert exported["WAREHOUSE_EMBEDDED"] == "1"
    assert exported["WAREHOUSE_DBNAME"] == workspace.dbname
    assert exported["DBT_PROFILES_DIR"].endswith("dbt")
    assert "WAREHOUSE_PASSWORD" not in exported  # nothing secret to print for the local server
    assert "running" in workspace.cli("db", "status").stdout
    assert "warehouse ready" in workspace.cli("db", "up").stdout


def test_report_before_any_build_says_what_to_do(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_REPORT_PATH", str(workspace.root / "report.html"))

    result = workspace.cli("report")

    assert result.returncode == 1
    assert "warehouse run" in result.stderr and "Traceback" not in result.stderr
    assert not (workspace.root / "report.html").exists()


def test_status_flags_a_run_that_was_killed(workspace: Workspace) -> None:
    """A run that died without finishing (kill -9) stays 'running' in the log; status must not call that well."""
    from warehouse.run_log import start_run

    record = start_run(workspace.connection, "run")

    status = workspace.cli("status")

    assert status.returncode == 1
    assert f"the last run ({record.run_id}) was interrupted" in status.stdout


def test_unknown_source_is_refused_with_the_choices(workspace: Workspace) -> None:
    result = workspace.cli("ingest", "--source", "crm2")

    assert result.returncode == 1
    assert "unknown source(s) crm2" in result.stderr and "crm, shop, tills, erp" in result.stderr


def test_a_pid_list_left_empty_by_a_kill_does_not_stop_the_server_from_starting(workspace: Workspace) -> None:
    """pgserver rewrites .handle_pids.json on every start and exit; a kill -9 in between leaves it empty."""
    settings = load_settings()
    handle_list = settings.pgdata_dir / ".handle_pids.json"
    saved = handle_list.read_text()
    try:
        handle_list.write_text("")
        repair_handle_list(settings)
        assert json.loads(handle_list.read_text()) == []
        assert workspace.cli("db", "up").returncode == 0
    finally:
        handle_list.write_text(saved)
