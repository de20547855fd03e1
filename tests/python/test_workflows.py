"""The GitHub workflows: valid for GitHub, and doing what docs/operations.md promises."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from warehouse.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
REFRESH = WORKFLOWS / "refresh.yml"
CI = WORKFLOWS / "ci.yml"
OPERATIONS = ROOT / "docs" / "operations.md"


def _load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _step_using(workflow: dict, action: str) -> dict:
    found = [step for step in _steps(workflow) if step.get("uses", "").startswith(f"{action}@")]
    assert len(found) == 1, f"one step uses {action}"
    return found[0]


def _step_running(workflow: dict, command: str) -> dict:
    found = [step for step in _steps(workflow) if command in step.get("run", "")]
    assert len(found) == 1, f"one step runs {command!r}"
    return found[0]


def _check_jsonschema(*paths: Path) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(executable), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def refresh() -> dict:
    return _load(REFRESH)


@pytest.fixture(scope="module")
def ci() -> dict:
    return _load(CI)


@pytest.mark.parametrize("path", [REFRESH, CI], ids=lambda path: path.name)
def test_workflow_is_valid_for_github(path: Path) -> None:
    result = _check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    steps:\n      - run: make test\n", encoding="utf-8")
    result = _check_jsonschema(broken)
    assert result.returncode != 0 and "runs-on" in result.stdout + result.stderr


def test_refresh_runs_daily_and_on_demand_with_a_full_refresh_choice(refresh: dict) -> None:
    (schedule,) = refresh["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit(), "daily at a fixed time"
    full_refresh = refresh["on"]["workflow_dispatch"]["inputs"]["full_refresh"]
    assert full_refresh["type"] == "boolean" and full_refresh["default"] is False


def test_refreshes_never_overlap(refresh: dict) -> None:
    assert refresh["concurrency"]["group"]
    assert refresh["concurrency"]["cancel-in-progress"] is False, "a running refresh is never cancelled"


def test_refresh_has_a_health_checked_postgres_16_and_real_warehouse_secrets(refresh: dict) -> None:
    job = refresh["jobs"]["refresh"]
    postgres = job["services"]["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "--health-cmd" in postgres["options"] and "pg_isready" in postgres["options"]
    assert "5432:5432" in postgres["ports"]
    env = job["env"]
    assert env["WAREHOUSE_HOST"] == "${{ secrets.WAREHOUSE_HOST || 'localhost' }}"
    for name in ("WAREHOUSE_PORT", "WAREHOUSE_USER", "WAREHOUSE_PASSWORD", "WAREHOUSE_DBNAME"):
        assert f"secrets.{name} ||" in env[name], f"{name} comes from a secret, with the service as fallback"
    assert "secrets.SOURCES__TRANSACTIONS__CREDENTIALS" in env["SOURCES__TRANSACTIONS__CREDENTIALS"]
    assert "github.event_name == 'schedule'" in env["WAREHOUSE_TRIGGER"]
    assert env["WAREHOUSE_ALERT_URLS"] == "${{ secrets.WAREHOUSE_ALERT_URLS }}"
    assert env["WAREHOUSE_ALERT_SUCCESS_URLS"] == "${{ secrets.WAREHOUSE_ALERT_SUCCESS_URLS }}"
    retired = {
        "WAREHOUSE_ALERT_WEBHOOK_URL",
        "WAREHOUSE_ALERT_EMAIL_TO",
        "WAREHOUSE_SMTP_HOST",
        "WAREHOUSE_SMTP_PASSWORD",
    }
    assert retired.isdisjoint(REFRESH.read_text(encoding="utf-8").split()), "the warehouse no longer reads them"


def test_refresh_steps_refresh_or_fully_rebuild_then_docs_and_report(refresh: dict) -> None:
    steps = refresh["jobs"]["refresh"]["steps"]
    python = _step_using(refresh, "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"
    assert _step_running(refresh, "make .venv/.installed")
    full = _step_running(refresh, "make run")
    assert "inputs.full_refresh" in full["if"] and full["env"]["DBT_FULL_REFRESH"] == "true"
    incremental = _step_running(refresh, ".venv/bin/warehouse refresh")
    assert "!inputs.full_refresh" in incremental["if"]
    sample = _step_running(refresh, ".venv/bin/warehouse sample")
    assert sample["if"] == "env.SELF_CONTAINED == 'true'", "sample data only without a real warehouse"
    order = [step.get("run", step.get("uses", "")) for step in steps]
    positions = [
        next(index for index, text in enumerate(order) if command in text)
        for command in ("make .venv/.installed", "warehouse sample", "warehouse refresh", "warehouse docs",
                        "warehouse report")
    ]  # fmt: skip
    assert positions == sorted(positions)


def test_refresh_keeps_artifacts_even_when_it_fails(refresh: dict) -> None:
    upload = _step_using(refresh, "actions/upload-artifact")
    assert upload["if"] == "always()"
    paths = upload["with"]["path"].split()
    for expected in ("target/*.json", "target/static_index.html", "logs/", "reports/"):
        assert expected in paths


def test_refresh_publishes_docs_to_pages_from_the_default_branch_only(refresh: dict) -> None:
    on_default_branch = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert _step_using(refresh, "actions/upload-pages-artifact")["if"] == on_default_branch
    assert "static_index.html site/index.html" in _step_running(refresh, "cp target/static_index.html")["run"]
    deploy = refresh["jobs"]["deploy-docs"]
    assert deploy["needs"] == "refresh" and deploy["if"] == on_default_branch
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert refresh["permissions"] == {"contents": "read"}, "everything else only reads"


def _ran(step: dict, outcomes: dict[str, str]) -> bool:
    """Whether a step's `if:` lets it run, given the outcome of each step id, once an earlier step failed.

    Reads only the shape this workflow uses: `failure()` and `steps.<id>.outcome != 'failure'` joined by `&&`.
    """
    terms = [term.strip() for term in step["if"].split("&&")]
    ran = True
    for term in terms:
        if term == "failure()":
            continue
        match = re.fullmatch(r"steps\.([\w-]+)\.outcome != 'failure'", term)
        assert match, f"an `if:` term this test cannot read: {term!r}"
        ran = ran and outcomes.get(match.group(1), "skipped") != "failure"
    return ran and "failure()" in terms


def test_each_failure_alerts_exactly_once(refresh: dict) -> None:
    """The warehouse alerts for a failed refresh itself; the workflow's alert covers every other failing step."""
    steps = refresh["jobs"]["refresh"]["steps"]
    alert = _step_running(refresh, "apprise")
    self_alerting = {"refresh": ".venv/bin/warehouse refresh", "full-refresh": "make run"}
    for step_id, command in self_alerting.items():
        assert _step_running(refresh, command).get("id") == step_id, f"the step running {command} has id {step_id}"
    for step_id in self_alerting:  # the warehouse run failed: it sent its own alert, the workflow adds none
        assert not _ran(alert, {"refresh": "skipped", "full-refresh": "skipped", step_id: "failure"})
    # the install failed (every later step skipped), or docs, report or an upload failed: the workflow alerts
    assert _ran(alert, {}), "a failed install alerts"
    assert _ran(alert, {"refresh": "success", "full-refresh": "skipped"}), "a failed docs or report step alerts"
    assert _ran(alert, {"refresh": "skipped", "full-refresh": "success"})
    assert [step for step in steps if step.get("if", "").startswith("failure()")] == [alert], "one alert step"


def test_the_workflow_alert_goes_through_apprise_to_the_same_urls(refresh: dict) -> None:
    alert = _step_running(refresh, "apprise")
    script = alert["run"]
    assert '"$WAREHOUSE_ALERT_URLS" "$WAREHOUSE_ALERT_SUCCESS_URLS"' in script, "the warehouse's channels, quoted"
    assert ".venv/bin/apprise" in script and "requirements.lock" in script, "the venv's apprise, or the locked one"
    assert "curl" not in script
    empty = subprocess.run(
        ["bash", "-c", script],
        env={"PATH": "/usr/bin:/bin", "WAREHOUSE_ALERT_URLS": "", "WAREHOUSE_ALERT_SUCCESS_URLS": ""},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert empty.returncode == 0 and "no alert sent" in empty.stdout, "no channel configured: no alert, no error"


def test_workflow_commands_exist_in_the_cli(refresh: dict) -> None:
    parser = build_parser()
    (subcommands,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    commands = set(subcommands.choices)
    used = set(re.findall(r"\.venv/bin/warehouse (\w+)", REFRESH.read_text(encoding="utf-8")))
    assert used and used <= commands, f"the workflow calls {sorted(used - commands)}, which the CLI lacks"
    dry_run = subprocess.run(["make", "-n", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True)
    assert dry_run.returncode == 0, dry_run.stderr


def test_ci_runs_make_test_with_chromium_on_push_and_pull_request(ci: dict) -> None:
    assert {"push", "pull_request"} <= set(ci["on"])
    assert _step_using(ci, "actions/checkout")
    install = _step_running(ci, "apt-get install")
    assert "chromium" in install["run"]
    assert _step_running(ci, "make test")["run"].strip() == "make test"
    runs = [step.get("run", "") for step in _steps(ci)]
    assert runs.index(install["run"]) < runs.index("make test"), "Chromium is there before the tests"


def test_every_secret_the_workflows_use_is_documented() -> None:
    used = set()
    for path in (REFRESH, CI):
        used |= set(re.findall(r"secrets\.([A-Za-z0-9_]+)", path.read_text(encoding="utf-8")))
    documented = set(re.findall(r"`([A-Z0-9_]+)`", OPERATIONS.read_text(encoding="utf-8")))
    assert used, "the refresh workflow reads its warehouse from secrets"
    assert used - documented == set(), f"secrets not documented in {OPERATIONS.name}"
