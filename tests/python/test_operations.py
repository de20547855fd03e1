"""Operating the warehouse: run log, refresh, status, alerts on failure and no overlapping runs."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from conftest import RanTemplate, Workspace, use_job_outputs
from recorders import mail_recorder, webhook_recorder

from ingest.erp import ERP

MART_TABLES = ["dim_customers", "fct_transactions", "rpt_customer_spending", "rpt_high_value_customers"]


@pytest.fixture
def sampled(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace whose sources hold sample day 1 (nothing loaded yet); dbt artifacts in the test's folder."""
    use_job_outputs(workspace, monkeypatch)
    assert workspace.cli("sample").returncode == 0
    return workspace


# The tests that start after a good run copy the one run of `ran_template` (conftest); the group keeps them on one
# xdist worker, so the run is made once.
after_a_run = pytest.mark.xdist_group("ran")


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


@after_a_run
def test_a_run_is_logged_with_what_it_did(ran_template: RanTemplate, ran: Workspace) -> None:
    result = ran_template.run

    assert result.returncode == 0, result.stderr[-3000:]
    [(command, trigger, status, rows, models, passed, failed, error)] = run_log(ran)
    assert (command, trigger, status, error) == ("run", "manual", "success", None)
    captures = ran.query("select count(*) from raw.transactions_captures")[0][0]
    till_lines = ran.query("select count(*) from raw.tills")[0][0]
    assert till_lines > 5_000  # one trading day of 18 branches, and the pilot's files
    # The ERP's first load: every row of its 11 tables, each into raw.erp_<table>.
    erp_rows = {
        raw_table: ran.query(f'select count(*) from "{table.name}"', ran.erp_dbname)[0][0]
        for table, raw_table in zip(ERP.tables, ERP.raw_tables, strict=True)
    }
    assert erp_rows["erp_sales_order"] == 2_500
    assert rows == {
        "customers": 5_200,
        "transactions": 10_500,
        "transactions_captures": captures,
        "tills": till_lines,
        **erp_rows,
    }
    assert models >= 10 and passed >= 100 and failed == 0
    # The data tests ran on the data; dbt's unit tests are left to CI (job.WITHOUT_UNIT_TESTS).
    built = json.loads((ran_template.space.root / "target" / "run_results.json").read_text())["results"]
    assert any(node["unique_id"].startswith("test.") for node in built)
    assert not [node["unique_id"] for node in built if node["unique_id"].startswith("unit_test.")]
    assert "report:" in result.stdout and (ran_template.space.root / "report.html").exists()


@after_a_run
def test_refresh_with_nothing_new_changes_nothing(ran: Workspace) -> None:
    before = marts_fingerprint(ran)

    result = ran.cli("refresh")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "marts unchanged" in result.stdout
    assert "local state is forgotten" not in result.stderr  # the warehouse holds what the state folder records
    assert marts_fingerprint(ran) == before
    assert [row[:3] for row in run_log(ran)] == [("run", "manual", "success"), ("refresh", "manual", "success")]


@after_a_run
def test_a_failing_run_alerts_logs_exits_non_zero_and_keeps_the_marts(
    ran: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = marts_fingerprint(ran)
    ran.cli("sample", "--day", "2")  # new data is waiting, but the shop database is about to be unreachable
    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", "postgresql://shop:hunter2@127.0.0.1:1/shop")

    with webhook_recorder() as webhook, mail_recorder() as mail:
        monkeypatch.setenv("WAREHOUSE_ALERT_URLS", f"{webhook.url}, {mail.url('oncall@example.com')}")
        result = ran.cli("refresh")
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
    last = run_log(ran)[-1]
    assert last[0] == "refresh" and last[2] == "failed" and "cannot reach" in last[7]
    assert marts_fingerprint(ran) == before
    # `warehouse status` says it needs attention (usable from cron/CI by its exit code).
    status = ran.cli("status")
    assert status.returncode == 1
    assert "failed" in status.stdout and "needs attention" in status.stdout


@after_a_run
def test_status_is_healthy_after_a_good_run_and_flags_stale_sources(ran: Workspace) -> None:
    healthy = ran.cli("status")
    assert healthy.returncode == 0, healthy.stdout
    assert "all sources fresh" in healthy.stdout and "all well" in healthy.stdout

    # Pretend the CRM's last export landed three days ago.
    old_load_id = f"{time.time() - 3 * 86_400:.3f}"
    ran.query(f"update raw.customers set _dlt_load_id = '{old_load_id}'")

    stale = ran.cli("status")
    assert stale.returncode == 1
    assert "crm.customers: error" in stale.stdout


@after_a_run
def test_the_erp_is_stale_when_the_warehouse_has_not_read_it_for_30_minutes_not_when_it_is_quiet(
    ran: Workspace,
) -> None:
    """The ERP's freshness is the 30-minute SLA on its last capture (warn after 20 minutes, error after 30): no
    successful read for that long makes `dbt source freshness` (the check of `status` and of a run) report every ERP
    table stale; a read that found nothing new makes it fresh again (the sample's stamps are of 2025, and a real
    ERP is quiet every night and weekend)."""
    ran.query("update ops.source_captures set captured_at = now() - interval '31 minutes' where source_name = 'erp'")
    stale = ran.cli("status")
    assert stale.returncode == 1
    listed = [line.strip() for line in stale.stdout.splitlines() if line.strip().startswith("erp.")]
    assert len(listed) == len(ERP.tables) and all(": error" in line for line in listed), stale.stdout
    assert not any(line.strip().startswith(("crm.", "shop.", "tills.")) for line in stale.stdout.splitlines())

    ran.query("update ops.source_captures set captured_at = now() - interval '25 minutes' where source_name = 'erp'")
    warned = ran.cli("status")
    assert warned.returncode == 1
    assert "erp.sales_order: warn" in warned.stdout and "erp.payment: warn" in warned.stdout, warned.stdout

    ingest = ran.cli("ingest", "--source", "erp")
    assert ingest.returncode == 0 and "erp: no new rows" in ingest.stderr, ingest.stderr
    fresh = ran.cli("status")
    assert fresh.returncode == 0 and "all sources fresh" in fresh.stdout, fresh.stdout


@after_a_run
def test_status_flags_a_shop_that_changed_since_the_last_load_until_a_refresh(ran: Workspace) -> None:
    assert "sources against the warehouse: all agree" in ran.cli("status").stdout
    ran.query("update transactions set amount = '1.00' where transaction_id = 5", ran.source_dbname)
    ran.query("delete from transactions where transaction_id = 9000", ran.source_dbname)

    changed = ran.cli("status")

    assert changed.returncode == 1, changed.stdout
    attention = changed.stdout.split("needs attention:", 1)[1]
    assert "source shop: the shop holds 2 transaction_id range(s) changed" in attention
    assert ran.cli("refresh").returncode == 0
    assert "sources against the warehouse: all agree" in ran.cli("status").stdout


def test_two_runs_never_interleave(sampled: Workspace) -> None:
    command = [sys.executable, "-m", "warehouse.cli"]
    # The first run's output goes to a file: a pipe nobody reads while the test waits would fill and stall it.
    first_output = (sampled.root / "first_run.log").open("w")
    first = subprocess.Popen([*command, "run"], stdout=first_output, stderr=subprocess.STDOUT, text=True)
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
        first_output.close()

    assert first.returncode == 0, (sampled.root / "first_run.log").read_text()[-3000:]
    assert refused.returncode == 1
    assert "another run is in progress: warehouse run" in refused.stderr
    assert queued.returncode == 0, queued.stderr[-3000:]
    spans = sampled.query("select command, started_at, finished_at from ops.run_log order by started_at")
    assert [span[0] for span in spans] == ["run", "refresh"]
    assert spans[1][1] >= spans[0][2], "the queued refresh started before the first run finished"


@after_a_run
def test_status_flags_marts_older_than_the_last_load(ran: Workspace) -> None:
    assert ran.cli("sample", "--day", "2").returncode == 0
    assert ran.cli("ingest").returncode == 0  # a good ingest, and no build after it

    status = ran.cli("status")

    assert status.returncode == 1, status.stdout
    assert "needs attention" in status.stdout and "the marts are older than the last load" in status.stdout


@after_a_run
def test_status_flags_files_the_loader_did_not_read_also_after_a_later_build(ran: Workspace) -> None:
    landing = ran.settings.customers_landing_dir
    (landing / "notes.txt").write_text("not an export\n")
    (landing / "archive").mkdir()
    assert ran.cli("ingest", "--source", "crm").returncode == 0
    # A later run that only builds has no ingest notes of its own: the files are still not read.
    built = ran.cli("build", "--", "--select", "stg_crm__customers")
    assert built.returncode == 0, built.stderr[-3000:]

    status = ran.cli("status")

    assert status.returncode == 1, status.stdout
    attention = status.stdout.split("needs attention:", 1)[1]
    assert "files the last ingest did not read" in attention and "archive/, notes.txt" in attention
