"""The throwaway state folder of the benchmark and trial scripts: everything the warehouse writes goes into it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Settings that would point a script at an external warehouse or source: a benchmark must never load into (or a
# crash trial kill commands against) a real one because the shell happened to have them set.
EXTERNAL_SETTINGS = ("WAREHOUSE_HOST", "WAREHOUSE_EMBEDDED", "SOURCES__TRANSACTIONS__CREDENTIALS", "WAREHOUSE_DBNAME")


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
    )
    for name in EXTERNAL_SETTINGS:
        os.environ.pop(name, None)
