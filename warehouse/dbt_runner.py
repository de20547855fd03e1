"""Runs dbt as a subprocess against the warehouse, and reads what it left in target/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.database import Connection
from warehouse.domains import ALL_DOMAINS, dbt_vars
from warehouse.errors import WarehouseError
from warehouse.settings import Settings


@dataclass(frozen=True)
class DbtResult:
    """What one dbt invocation did, from its run_results.json."""

    command: str
    status_counts: dict[str, int]
    failures: list[str]
    seconds: float
    models_built: int = 0
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    warned: list[str] = field(default_factory=list)


class DbtFailed(WarehouseError):
    """dbt exited non-zero; `result` holds what it did get done."""

    def __init__(self, message: str, hint: str, result: DbtResult) -> None:
        super().__init__(message, hint)
        self.result = result


def dbt_environment(connection: Connection, settings: Settings) -> dict[str, str]:
    """The process environment dbt needs: WAREHOUSE_* for profiles.yml and where the project and profile are."""
    return {
        **os.environ,
        **connection.dbt_env(),
        "DBT_PROFILES_DIR": str(settings.dbt_profiles_dir),
        "DBT_PROJECT_DIR": str(settings.project_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def target_dir(settings: Settings) -> Path:
    """Where dbt writes its artifacts: DBT_TARGET_PATH if set, else the project's target/."""
    configured = os.environ.get("DBT_TARGET_PATH")
    return Path(configured) if configured else settings.project_dir / "target"


def dbt_executable() -> str:
    """The dbt console script installed beside this Python."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def with_domain_vars(args: list[str], domains: tuple[str, ...]) -> list[str]:
    """`args` for a deployment of `domains`: with the vars that turn the other domains off (domains.dbt_vars).

    With every domain on, `args` as they are (dbt's defaults are on). Otherwise the vars are added to the --vars
    of `args`, if any (dbt keeps only the last --vars): the domains win, since the ingest loaded only theirs.
    """
    if set(domains) == set(ALL_DOMAINS):
        return list(args)
    import yaml  # dbt's own dependency; --vars is YAML

    rest, given = list(args), {}
    for index, arg in enumerate(rest):
        if arg == "--vars" and index + 1 < len(rest):
            given = yaml.safe_load(rest[index + 1]) or {}
            del rest[index : index + 2]
            break
        if arg.startswith("--vars="):
            given = yaml.safe_load(arg.removeprefix("--vars=")) or {}
            del rest[index]
            break
    return [*rest, "--vars", json.dumps({**given, **dbt_vars(domains)})]


def run_dbt(args: list[str], connection: Connection, settings: Settings) -> DbtResult:
    """Run `dbt <args>` in the project folder for the deployment's domains, streaming its output; raise DbtFailed
    when it fails."""
    args = with_domain_vars(args, settings.domains)
    command = [dbt_executable(), *args]
    started = time.time()
    completed = subprocess.run(command, cwd=settings.project_dir, env=dbt_environment(connection, settings))
    result = read_run_results(target_dir(settings) / "run_results.json", " ".join(args), newer_than=started)
    if completed.returncode != 0:
        failed = "; ".join(result.failures[:5]) or "see the dbt output above"
        raise DbtFailed(
            f"`dbt {' '.join(args)}` failed (exit code {completed.returncode}): {failed}",
            hint="fix the failing model or test (dbt printed the file and error above); failing test rows are "
            "stored in the schema test_failures. Then run `warehouse build` again.",
            result=result,
        )
    return result


TEST_PREFIXES = ("test.", "unit_test.")


def read_run_results(path: Path, command: str, newer_than: float = 0.0) -> DbtResult:
    """Counts per status and per kind (models built, tests passed/warned/failed) from run_results.json.

    A file older than `newer_than` (left by an earlier invocation that this one never replaced) counts as empty.
    """
    if not path.exists() or path.stat().st_mtime < newer_than:
        return DbtResult(command, {}, [], 0.0)
    results = json.loads(path.read_text())
    counts: dict[str, int] = {}
    failures, warned = [], []
    models_built = tests_passed = tests_warned = tests_failed = 0
    for node in results.get("results", []):
        status, unique_id = node.get("status", "unknown"), node.get("unique_id", "")
        counts[status] = counts.get(status, 0) + 1
        if status in ("error", "fail"):
            failures.append(f"{unique_id}: {(node.get('message') or '').strip()[:200]}")
        is_test = unique_id.startswith(TEST_PREFIXES)
        models_built += unique_id.startswith(("model.", "snapshot.")) and status == "success"
        tests_passed += is_test and status == "pass"
        tests_failed += is_test and status in ("fail", "error")
        if is_test and status == "warn":
            tests_warned += 1
            warned.append(unique_id)
    return DbtResult(
        command,
        counts,
        failures,
        float(results.get("elapsed_time", 0.0)),
        models_built,
        tests_passed,
        tests_warned,
        tests_failed,
        warned,
    )


def stale_sources(connection: Connection, settings: Settings) -> list[str]:
    """Run `dbt source freshness` and list the sources past their warn or error threshold (never raises).

    The sources of a domain that is off are disabled, so never checked.
    """
    started = time.time()
    subprocess.run(
        [dbt_executable(), "--quiet", "source", "freshness", *with_domain_vars([], settings.domains)],
        cwd=settings.project_dir,
        env=dbt_environment(connection, settings),
        capture_output=True,
        text=True,
    )
    path = target_dir(settings) / "sources.json"
    if not path.exists() or path.stat().st_mtime < started:
        return ["freshness could not be checked (dbt source freshness wrote no sources.json)"]
    stale = []
    for result in json.loads(path.read_text()).get("results", []):
        if result.get("status") in ("warn", "error", "runtime error"):
            source = result["unique_id"].removeprefix("source.").split(".", 1)[-1]
            age = result.get("max_loaded_at_time_ago_in_s")
            age_text = f"last load {age / 3600:.1f} h ago" if age is not None else "no load time"
            stale.append(f"{source}: {result['status']} ({age_text})")
    return stale
