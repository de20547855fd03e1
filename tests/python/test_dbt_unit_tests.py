"""dbt's unit tests (the `unit_tests:` of the model ymls: each cleaning rule on a few rows), on their own.

They are part of every `dbt build`; here they run without building any data, for `make test-fast`: the sources are
landed once from a tiny sample (dbt reads their column types; the ERP's tables exist once its sample is written),
every model is built empty (`--empty`), and the unit tests run against those relations.
"""

from __future__ import annotations

import json

import pytest
from conftest import Workspace

from warehouse import job
from warehouse.dbt_runner import run_dbt
from warehouse.sample import generate_sample


@pytest.mark.fast
def test_every_dbt_unit_test_passes(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(workspace.root / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(workspace.root / "logs"))
    settings = workspace.settings
    generate_sample(
        customers_dir=settings.customers_landing_dir,
        source_dsn=workspace.source_dsn,
        truth_dir=settings.truth_dir,
        scale=1,
    )
    workspace.write_erp_sample()
    job.ingest(workspace.connection, settings)

    run_dbt(["build", "--empty", "--exclude", "test_type:data", "test_type:unit"], workspace.connection, settings)
    result = run_dbt(["test", "--select", "test_type:unit"], workspace.connection, settings)

    results = json.loads((workspace.root / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 10, "too few dbt unit tests ran; are the model ymls' unit_tests: read?"
    assert all(r["status"] == "pass" for r in unit_tests), [(r["unique_id"], r["status"]) for r in unit_tests]
    assert result.tests_failed == 0
