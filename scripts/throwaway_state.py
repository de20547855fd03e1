"""The throwaway state folder of the benchmark and trial scripts: everything the warehouse writes goes into it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from warehouse.settings import PROJECT_DIR

# Settings that would point a script at an external warehouse or source: a benchmark must never load into (or a
# crash trial kill commands against) a real one because the shell happened to have them set.
EXTERNAL_SETTINGS = (
    "WAREHOUSE_HOST",
    "WAREHOUSE_EMBEDDED",
    "SOURCES__TRANSACTIONS__CREDENTIALS",
    "SOURCES__ERP__CREDENTIALS",
    "WAREHOUSE_DBNAME",
)


def use_throwaway_state(prefix: str) -> Path:
    """A new temporary folder holding the embedded server, landing files, ground truth, report and dbt output."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    point_state_at(workdir)
    return workdir


def point_state_at(workdir: Path) -> None:
    """Point this process (and the commands it starts) at the state in `workdir`, never at an external one."""
    os.environ.update(
        WAREHOUSE_STATE_DIR=str(workdir / "state"),
        WAREHOUSE_LANDING_DIR=str(workdir / "landing"),
        WAREHOUSE_TRUTH_DIR=str(workdir / "truth"),
        WAREHOUSE_REPORT_PATH=str(workdir / "report.html"),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
        # dlt reads .dlt/ here: the project's config.toml, and not a secrets.toml naming a real shop database
        DLT_PROJECT_DIR=str(workdir / "dlt_project"),
    )
    (workdir / "dlt_project" / ".dlt").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / ".dlt" / "config.toml", workdir / "dlt_project" / ".dlt" / "config.toml")
    for name in EXTERNAL_SETTINGS:
        os.environ.pop(name, None)
