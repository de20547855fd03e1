"""CRM exports are identified by content: re-deliveries, rewrites, old modification times, unread files, history.

Real dlt, dbt and Postgres; a few rows per file, and at most one `dbt build` per test.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import Workspace

from ingest.crm_customers import export_time

HEADER = "customer_id,name,age,country,is_active\n"
UTC = timezone.utc


def drop(folder: Path, name: str, content: str, mtime: float | None = None) -> Path:
    """Write a landing file with the given modification time (now by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content)
    stamp = time.time() if mtime is None else mtime
    os.utime(path, (stamp, stamp))
    return path


def ingest_crm(space: Workspace) -> str:
    result = space.cli("ingest", "--source", "crm")
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def raw_files(space: Workspace) -> list[tuple]:
    return space.query("select _source_file, count(*) from raw.customers group by 1 order by 1")


def with_a_shop(space: Workspace) -> None:
    """A one-row shop database, so that `warehouse build` has its transactions source too."""
    space.query(
        "create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar, "
        "transaction_date varchar); insert into transactions values (1, 'C1', '10.00', '2025-01-01')",
        space.source_dbname,
    )


def build(space: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(space.root / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(space.root / "logs"))
    assert space.cli("ingest").returncode == 0
    # Only the customer models and what dim_customers reads, with their tests: the rest does not read raw.customers.
    result = space.cli(
        "build",
        "--",
        "--select",
        "+int_customers_history",
        "+dim_customers",
        "--indirect-selection",
        "cautious",
        "--exclude-resource-type",
        "unit_test",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.fast
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("customers_20250103.csv", datetime(2025, 1, 3, tzinfo=UTC)),
        ("customers_20251341.csv", None),  # not a date
        ("customers_20250103_fix.csv", None),
        ("export.csv", None),
    ],
)
def test_the_export_time_is_the_date_in_the_name_else_the_modification_time(name: str, expected) -> None:
    modified = datetime(2025, 2, 1, 6, 30, tzinfo=UTC)
    assert export_time(name, modified) == (expected or modified)


def test_a_file_redelivered_under_another_name_loads_nothing(workspace: Workspace) -> None:
    landing = workspace.settings.customers_landing_dir
    first = drop(landing, "customers_20250101.csv", HEADER + "C1,Ann,30,UK,yes\n")
    ingest_crm(workspace)
    drop(landing, "customers_20250102.csv", HEADER + "C1,Ann,31,UK,yes\n")
    ingest_crm(workspace)
    before = raw_files(workspace)

    # The first export again, later, under another name: loading it would roll Ann back to 30.
    shutil.copy(first, landing / "customers_20250103.csv")
    output = ingest_crm(workspace)

    assert raw_files(workspace) == before
    assert "skipped re-delivered file customers_20250103.csv" in output
    assert "loaded as customers_20250101.csv" in output
    # The run log keeps the note (`warehouse status` shows the last run's notes).
    [(notes,)] = workspace.query("select ingest_notes from ops.run_log order by started_at desc limit 1")
    assert any(note.startswith("crm: skipped re-delivered file customers_20250103.csv") for note in notes)


def test_a_rewritten_file_loads_as_a_new_version_and_the_build_passes(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = workspace.settings.customers_landing_dir
    drop(landing, "customers_20250101.csv", HEADER + "C1,Ann,30,UK,yes\nC2,Bob,40,US,no\n", time.time() - 60)
    ingest_crm(workspace)

    drop(landing, "customers_20250101.csv", HEADER + "C1,Ann,31,UK,yes\nC2,Bob,40,US,no\n")
    output = ingest_crm(workspace)
    with_a_shop(workspace)
    build(workspace, monkeypatch)

    assert "customers_20250101.csv was rewritten with new content" in output
    assert workspace.query("select count(distinct _file_sha256), count(*) from raw.customers") == [(2, 4)]
    assert workspace.query("select customer_id, age from marts.dim_customers order by 1") == [("C1", 31), ("C2", 40)]
    # The rewrite replaces that export in the history: one version each, Ann at 31.
    assert workspace.query("select customer_id, age from intermediate.int_customers_history order by 1") == [
        ("C1", 31),
        ("C2", 40),
    ]


def test_a_new_file_with_an_older_modification_time_still_loads(workspace: Workspace) -> None:
    landing = workspace.settings.customers_landing_dir
    drop(landing, "customers_20250102.csv", HEADER + "C1,Ann,31,UK,yes\n")
    ingest_crm(workspace)

    # Copied with its original time (cp -p, rsync -t): older than the file already loaded.
    drop(landing, "customers_20250101.csv", HEADER + "C2,Bob,40,US,no\n", time.time() - 86_400)
    ingest_crm(workspace)

    assert raw_files(workspace) == [("customers_20250101.csv", 1), ("customers_20250102.csv", 1)]


def test_files_the_loader_does_not_read_are_reported(workspace: Workspace) -> None:
    landing = workspace.settings.customers_landing_dir
    drop(landing, "customers_20250101.csv", HEADER + "C1,Ann,30,UK,yes\n")
    drop(landing, "notes.txt", "not an export\n")
    drop(landing, "customers_20250102.CSV", HEADER + "C2,Bob,40,US,no\n")
    drop(landing / "archive", "customers_20241231.csv", HEADER + "C3,Cid,50,DE,yes\n")

    output = ingest_crm(workspace)

    assert raw_files(workspace) == [("customers_20250101.csv", 1)]
    assert "not read in" in output
    assert "archive/, customers_20250102.CSV, notes.txt" in output


def test_loaded_files_are_read_back_from_raw_when_the_dlt_state_is_lost(workspace: Workspace) -> None:
    landing = workspace.settings.customers_landing_dir
    drop(landing, "customers_20250101.csv", HEADER + "C1,Ann,30,UK,yes\n")
    ingest_crm(workspace)
    before = raw_files(workspace)

    # Neither the state folder nor dlt's copy of the state in the warehouse.
    shutil.rmtree(workspace.settings.dlt_dir / workspace.dbname)
    workspace.query("delete from raw._dlt_pipeline_state")
    drop(landing, "customers_20250101.csv", HEADER + "C1,Ann,30,UK,yes\n")  # touched: a newer mtime
    ingest_crm(workspace)

    assert raw_files(workspace) == before


def test_a_backlog_of_three_exports_gives_three_versions_at_the_export_times(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = workspace.settings.customers_landing_dir
    for day, age in ((1, 30), (2, 31), (3, 32)):
        # Full exports: Bob is in all three, unchanged.
        drop(landing, f"customers_2025010{day}.csv", HEADER + f"C1,Ann,{age},UK,yes\nC2,Bob,40,US,no\n")
    with_a_shop(workspace)

    build(workspace, monkeypatch)  # one ingest loads all three

    history = workspace.query(
        "select customer_id, age, valid_from, valid_to, is_current from intermediate.int_customers_history "
        "order by customer_id, valid_from"
    )
    day = {number: datetime(2025, 1, number, tzinfo=UTC) for number in (1, 2, 3)}
    assert history == [
        ("C1", 30, day[1], day[2], False),
        ("C1", 31, day[2], day[3], False),
        ("C1", 32, day[3], None, True),
        ("C2", 40, day[1], None, True),
    ]
    assert workspace.query("select customer_id, age from marts.dim_customers order by 1") == [("C1", 32), ("C2", 40)]
