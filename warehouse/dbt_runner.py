"""Runs dbt as a subprocess against the warehouse, and reads what it left in target/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from warehouse.database import Connection
from warehouse.errors import WarehouseError
from warehouse.settings import Settings


@dataclass(frozen=True)
class DbtResult:
    """Counts from run_results.json of the last dbt invocation."""

    command: str
    status_counts: dict[str, int]
    failures: list[str]
    seconds: float


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


def run_dbt(args: list[str], connection: Connection, settings: Settings) -> DbtResult:
    """Run `dbt <args>` in the project folder, streaming its output; raise WarehouseError when it fails."""
    command = [dbt_executable(), *args]
    completed = subprocess.run(command, cwd=settings.project_dir, env=dbt_environment(connection, settings))
    result = read_run_results(target_dir(settings) / "run_results.json", " ".join(args))
    if completed.returncode != 0:
        failed = "; ".join(result.failures[:5]) or "see the dbt output above"
        raise WarehouseError(
            f"`dbt {' '.join(args)}` failed (exit code {completed.returncode}): {failed}",
            hint="fix the failing model or test (dbt printed the file and error above); failing test rows are "
            "stored in the schema test_failures. Then run `warehouse build` again.",
        )
    return result


def read_run_results(path: Path, command: str) -> DbtResult:
    """Status counts (success, pass, warn, error, fail, skipped) and failing node names from run_results.json."""
    if not path.exists():
        return DbtResult(command, {}, [], 0.0)
    results = json.loads(path.read_text())
    counts: dict[str, int] = {}
    failures = []
    for node in results.get("results", []):
        status = node.get("status", "unknown")
        counts[status] = counts.get(status, 0) + 1
        if status in ("error", "fail"):
            failures.append(f"{node.get('unique_id')}: {(node.get('message') or '').strip()[:200]}")
    return DbtResult(command, counts, failures, float(results.get("elapsed_time", 0.0)))
