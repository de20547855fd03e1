"""A deployment chooses its domains (WAREHOUSE_DOMAINS): one that is off is off everywhere, with a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import Workspace

from ingest.sources import SOURCES
from warehouse.dbt_runner import with_domain_vars
from warehouse.domains import ALL_DOMAINS, DOMAINS, dbt_vars, parse_domains
from warehouse.errors import WarehouseError
from warehouse.report import report_pages
from warehouse.settings import PROJECT_DIR
from warehouse.summary import HEADLINES


def test_unset_or_blank_means_every_domain_and_names_are_trimmed_and_in_domain_order() -> None:
    assert parse_domains(None) == parse_domains(" ") == ALL_DOMAINS == ("core", "tills", "erp")
    assert parse_domains(" ERP, core,") == ("core", "erp")


def test_an_unknown_domain_stops_a_command_with_an_error_naming_it_and_the_valid_ones() -> None:
    """Before anything starts (no server needed): exit 1, the setting, the unknown name and the valid ones."""
    environment = {**os.environ, "WAREHOUSE_DOMAINS": "core,shopify"}
    result = subprocess.run(
        [sys.executable, "-m", "warehouse.cli", "ingest"], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "warehouse ingest failed: WAREHOUSE_DOMAINS='core,shopify' names unknown domain(s) shopify; "
        "the valid ones are core, tills, erp"
    )


def test_a_list_without_the_core_is_an_error_that_says_how_to_fix_it() -> None:
    with pytest.raises(WarehouseError) as raised:
        parse_domains("erp")
    assert "leaves out core, which every deployment has" in str(raised.value)
    assert "WAREHOUSE_DOMAINS=core,erp" in str(raised.value)


def test_dbt_gets_the_domains_as_vars_merged_into_the_users_vars() -> None:
    assert dbt_vars(("core", "tills")) == {"tills_enabled": True, "erp_enabled": False}
    assert with_domain_vars(["build", "--select", "x"], ALL_DOMAINS) == ["build", "--select", "x"]  # dbt's defaults
    merged = with_domain_vars(["build", "--vars", "{as_of_date: '2024-01-01', erp_enabled: true}", "-x"], ("core",))
    assert merged[:2] == ["build", "-x"] and merged[2] == "--vars"  # one --vars: dbt keeps only the last
    assert json.loads(merged[3]) == {"as_of_date": "2024-01-01", "erp_enabled": False, "tills_enabled": False}


def test_every_source_is_in_one_domain_and_every_optional_domain_is_switched_in_dbt_project_yml() -> None:
    """The one list (warehouse/domains.py) and dbt agree: each optional domain's folders, tests, sources and
    exposures are `+enabled:` on its var, and the var is declared."""
    assert sorted(source for domain in DOMAINS for source in domain.sources) == sorted(s.name for s in SOURCES)
    assert {page.domain for page in report_pages()} == set(HEADLINES) == set(ALL_DOMAINS)  # no misspelt domain
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    for domain in DOMAINS:
        if domain.required:
            continue
        switch = f"{{{{ var('{domain.dbt_var}', true) }}}}"
        assert project["vars"][domain.dbt_var] is True
        for layer in ("staging", "intermediate", "marts"):
            assert (PROJECT_DIR / "models" / layer / domain.name).is_dir()
            assert project["models"]["customer_warehouse"][layer][domain.name]["+enabled"] == switch
            assert project["data_tests"]["customer_warehouse"][layer][domain.name]["+enabled"] == switch
        assert project["sources"]["customer_warehouse"]["staging"][domain.name]["+enabled"] == switch
        assert project["exposures"]["customer_warehouse"]["marts"][domain.name]["+enabled"] == switch


CUSTOMERS_CSV = (
    "customer_id,name,age,country,is_active\nC1,Ann Lee,30,UK,yes\nC2,Bob Ray,45,France,yes\nC3,Cy Dee,,,no\n"
)
SHOP_ROWS = """
create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar,
    transaction_date varchar);
insert into transactions values
    (1, 'C1', '400.00', '2024-01-05'),
    (2, 'C1', '200.00', '2024-01-06'),
    (3, 'C2', '50.00', '2024-01-07'),
    (4, 'C9', '10.00', '2024-01-08');
"""


def test_a_warehouse_without_the_tills_and_the_erp_runs_and_has_only_the_core(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`warehouse run` with WAREHOUSE_DOMAINS=core: no till file, no ERP database, yet the build, its tests, the
    freshness check, the report and the summary pass, and the core marts hold the hand-made rows' figures."""
    monkeypatch.setenv("WAREHOUSE_DOMAINS", "core")
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    monkeypatch.setenv("WAREHOUSE_REPORT_PATH", str(tmp_path / "report.html"))
    landing = workspace.settings.customers_landing_dir
    landing.mkdir(parents=True)
    (landing / "customers_20240110.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    workspace.query(SHOP_ROWS, dbname=workspace.source_dbname)

    run = workspace.cli("run")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    customers = "select customer_id, total_spent::text, is_high_value from marts.dim_customers order by 1"
    assert workspace.query(customers) == [
        ("C1", "600.00", True),
        ("C2", "50.00", False),
        ("C3", "0.00", False),
    ]
    assert workspace.query("select customer_id from marts.rpt_high_value_customers") == [("C1",)]
    assert workspace.query("select transaction_id, reject_reason from intermediate.int_transactions_rejected") == [
        (4, "unknown_customer")
    ]
    assert workspace.query("select distinct source_name from marts.rpt_data_quality order by 1") == [
        ("crm.customers",),
        ("shop.transactions",),
    ]
    # Nothing of the other domains: no raw table, no schema, no page, no summary line, no stale source.
    assert (
        workspace.query(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and (table_name like 'erp%' or table_name like 'tills%')"
        )
        == []
    )
    assert workspace.query("select nspname from pg_namespace where nspname in ('tills', 'erp', 'snapshots')") == []
    assert workspace.query("select status, tests_failed, stale_sources from ops.run_log") == [("success", 0, [])]
    assert sorted(path.name for path in tmp_path.glob("report*.html")) == ["report.html"]
    assert "domains: core (not in this deployment: tills, erp; WAREHOUSE_DOMAINS)" in run.stdout
    figures = run.stdout.partition("headline figures:")[2]
    assert "customers" in figures and "café" not in figures and "ERP" not in figures
    assert "beside it" not in run.stdout

    # Asking for a source of a domain that is off says so, and loads nothing.
    ingest_erp = workspace.cli("ingest", "--source", "erp")
    assert ingest_erp.returncode == 1
    assert "source(s) erp of domain(s) erp, which this deployment does not have (WAREHOUSE_DOMAINS=core)" in (
        ingest_erp.stderr
    )
