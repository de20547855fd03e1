"""dbt tooling on the real project: SQL style (sqlfluff, dbt templater) and a parse free of deprecations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import BuiltWarehouse

from warehouse.dbt_runner import dbt_environment, dbt_executable

SQL_FOLDERS = ["models", "snapshots", "analyses", "macros", "tests"]


def tool_environment(built: BuiltWarehouse, tmp_path: Path) -> dict[str, str]:
    return {
        **dbt_environment(built.connection, built.settings),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }


def test_every_sql_file_passes_sqlfluff(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    result = subprocess.run(
        [sqlfluff, "lint", *SQL_FOLDERS, "--format", "human", "--processes", "2"],
        cwd=built_warehouse.settings.project_dir,
        env=tool_environment(built_warehouse, tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_dbt_parse_shows_no_deprecation_or_warning(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    result = subprocess.run(
        [dbt_executable(), "parse", "--no-partial-parse", "--show-all-deprecations", "--no-use-colors"],
        cwd=built_warehouse.settings.project_dir,
        env=tool_environment(built_warehouse, tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    flagged = [line for line in result.stdout.splitlines() if "deprecat" in line.lower() or "[WARNING]" in line]
    assert not flagged, "\n".join(flagged)
