"""Operating the warehouse: run log, refresh, status, alerts on failure and no overlapping runs."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from conftest import Workspace
from recorders import mail_recorder, webhook_recorder

MART_TABLES = ["dim_customers", "fct_transactions", "rpt_customer_spending", "rpt_high_value_customers"]


@pytest.fixture
def sampled(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace whose sources hold sample day 1 (nothing loaded yet); dbt artifacts in the test's folder."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(workspace.root / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(workspace.root / "logs"))
    monkeypatch.setenv("WAREHOUSE_REPORT_PATH", str(workspace.root / "report.html"))
    for name in ("WAREHOUSE_ALERT_URLS", "WAREHOUSE_ALERT_SUCCESS_URLS", "CI"):
        monkeypatch.delenv(name, raising=False)
    assert workspace.cli("sample").returncode == 0
    return workspace


def marts_fingerprint(space: Workspace) -> dict[str, str]:
    """An md5 of every row of each mart, to prove a mart did not change."""
    return {
        table: space.query(f"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from marts.{table} t")[
            0
        ][0]
        for table in MART_TABLES
    }


def run_log(space: Workspace) -> list[tuple]:
    return space.query(
        "select command, trigger, status, rows_landed, models_built, tests_passed, tests_failed, error"
        " from ops.run_log order by started_at"
    )


def test_a_run_is_logged_with_what_it_did(sampled: Workspace) -> None:
    result = sampled.cli("run")

    assert result.returncode == 0, result.stderr[-3000:]
    [(command, trigger, status, rows, models, passed, failed, error)] = run_log(sampled)
    assert (command, trigger, status, error) == ("run", "manual", "success", None)
    assert rows == {"customers": 5_200, "transactions": 10_500}
    assert models >= 10 and passed >= 100 and failed == 0
    assert "report:" in result.stdout and (sampled.root / "report.html").exists()


def test_refresh_with_nothing_new_changes_nothing(sampled: Workspace) -> None:
    assert sampled.cli("run").returncode == 0
    before = marts_fingerprint(sampled)

    result = sampled.cli("refresh")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "marts unchanged" in result.stdout
    assert marts_fingerprint(sampled) == before
    assert [row[:3] for row in run_log(sampled)] == [("run", "manual", "success"), ("refresh", "manual", "success")]


def test_a_failing_run_alerts_logs_exits_non_zero_and_keeps_the_marts(
    sampled: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sampled.cli("run").returncode == 0
    before = marts_fingerprint(sampled)
    sampled.cli("sample", "--day", "2")  # new data is waiting, but the shop database is about to be unreachable
    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", "postgresql://shop:hunter2@127.0.0.1:1/shop")

    with webhook_recorder() as webhook, mail_recorder() as mail:
        monkeypatch.setenv("WAREHOUSE_ALERT_URLS", f"{webhook.url}, {mail.url('oncall@example.com')}")
        result = sampled.cli("refresh")
        deadline = time.monotonic() + 10
        while (not webhook.requests or not mail.messages) and time.monotonic() < deadline:
            time.sleep(0.1)

    assert result.returncode == 1
    assert "cannot reach the transactions source database" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    # The failure arrived on both channels and says what failed.
    assert len(webhook.requests) == 1 and "cannot reach the transactions source database" in webhook.texts[0]
    assert len(mail.messages) == 1
    assert "oncall@example.com" in mail.messages[0]["To"] and "fail" in mail.messages[0]["Subject"].lower()
    # Logged as failed, with the error; the marts are exactly as they were.
    last = run_log(sampled)[-1]
    assert last[0] == "refresh" and last[2] == "failed" and "cannot reach" in last[7]
    assert marts_fingerprint(sampled) == before
    # `warehouse status` says it needs attention (usable from cron/CI by its exit code).
    status = sampled.cli("status")
    assert status.returncode == 1
    assert "failed" in status.stdout and "needs attention" in status.stdout


def test_status_is_healthy_after_a_good_run_and_flags_stale_sources(sampled: Workspace) -> None:
    assert sampled.cli("run").returncode == 0
    healthy = sampled.cli("status")
    assert healthy.returncode == 0, healthy.stdout
    assert "all sources fresh" in healthy.stdout and "all well" in healthy.stdout

    # Pretend the CRM's last export landed three days ago.
    old_load_id = f"{time.time() - 3 * 86_400:.3f}"
    sampled.query(f"update raw.customers set _dlt_load_id = '{old_load_id}'")

    stale = sampled.cli("status")
    assert stale.returncode == 1
    assert "crm.customers: error" in stale.stdout


def test_two_runs_never_interleave(sampled: Workspace) -> None:
    command = [sys.executable, "-m", "warehouse.cli"]
    first = subprocess.Popen([*command, "run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = sampled.query(
                "select count(*) from pg_stat_activity where application_name = 'warehouse run'", "postgres"
            )[0][0]
            if running:
                break
            time.sleep(0.2)

        refused = sampled.cli("run")
        queued = subprocess.run([*command, "refresh", "--wait", "300"], capture_output=True, text=True)
    finally:
        first.wait(timeout=600)

    assert first.returncode == 0
    assert refused.returncode == 1
    assert "another run is in progress: warehouse run" in refused.stderr
    assert queued.returncode == 0, queued.stderr[-3000:]
    spans = sampled.query("select command, started_at, finished_at from ops.run_log order by started_at")
    assert [span[0] for span in spans] == ["run", "refresh"]
    assert spans[1][1] >= spans[0][2], "the queued refresh started before the first run finished"
