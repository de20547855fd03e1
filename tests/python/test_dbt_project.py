"""The dbt project's own promises, read from the build's manifest and the warehouse catalog."""

from __future__ import annotations

import csv
import json
import re

import psycopg2

from warehouse import report
from warehouse.settings import PROJECT_DIR


def _manifest(built_warehouse) -> dict:
    return json.loads((built_warehouse.target_dir / "manifest.json").read_text(encoding="utf-8"))


def _project_nodes(manifest: dict, resource_type: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node["package_name"] == "customer_warehouse"
    ]


def _columns_in_database(built_warehouse, schema: str, table: str) -> list[str]:
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            (schema, table),
        )
        return [row[0] for row in cursor.fetchall()]


def test_every_resource_and_column_is_documented(built_warehouse) -> None:
    """Every model, seed, snapshot and source has a description, and so has every column it really has."""
    manifest = _manifest(built_warehouse)
    undocumented: list[str] = []
    resources = [
        *(n for kind in ("model", "seed", "snapshot") for n in _project_nodes(manifest, kind)),
        *manifest["sources"].values(),
    ]
    assert len(resources) >= 10, "the manifest lists too few resources; is it the right project?"
    for node in resources:
        name = node["unique_id"]
        if not node.get("description", "").strip():
            undocumented.append(name)
        documented = {column for column, spec in node["columns"].items() if spec.get("description", "").strip()}
        table = node["identifier"] if node["resource_type"] == "source" else node.get("alias") or node["name"]
        actual = _columns_in_database(built_warehouse, node["schema"], table)
        assert actual, f"{name}: no relation {node['schema']}.{node['name']} in the warehouse"
        undocumented += [f"{name}.{column}" for column in actual if column not in documented]
    assert not undocumented, f"without a description: {undocumented}"


ENFORCED_ON = ("table", "incremental")  # Postgres enforces a contract's constraints on these; views only declare


def _tested_columns(manifest: dict) -> dict[str, dict[str, set[str]]]:
    """model id -> column -> names of the generic tests on it (unique, not_null, ...)."""
    tested: dict[str, dict[str, set[str]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("column_name"):
            for parent in node["depends_on"]["nodes"]:
                tested.setdefault(parent, {}).setdefault(node["column_name"], set()).add(node["test_metadata"]["name"])
    return tested


def _constrained_columns(model: dict) -> dict[str, set[str]]:
    """column -> what Postgres enforces on it: constraint types of an enforced contract on a table, plus
    'unique_index' for a column with a unique index of its own (dbt-postgres `indexes`, built after the rows)."""
    if model["config"]["materialized"] not in ENFORCED_ON:
        return {}
    enforced: dict[str, set[str]] = {}
    if model["config"]["contract"]["enforced"]:
        for name, column in model["columns"].items():
            enforced[name] = {constraint["type"] for constraint in column.get("constraints", [])}
    for index in model["config"].get("indexes") or []:
        if index.get("unique") and len(index["columns"]) == 1:
            enforced.setdefault(index["columns"][0], set()).add("unique_index")
    return enforced


def _is_key(checks: set[str]) -> bool:
    """A primary key, or a column that is unique (index or test) and not null (constraint or test)."""
    return "primary_key" in checks or bool(checks & {"unique_index", "unique"} and checks & {"not_null"})


def test_every_model_has_an_enforced_or_tested_primary_key(built_warehouse) -> None:
    """Every model's key is enforced by Postgres (a contract primary key, or NOT NULL plus a unique index) or is a
    column dbt tests unique and not_null."""
    manifest = _manifest(built_warehouse)
    tested = _tested_columns(manifest)
    models = _project_nodes(manifest, "model")
    without_key = []
    for model in models:
        checks = {column: set(tests) for column, tests in tested.get(model["unique_id"], {}).items()}
        for column, enforced in _constrained_columns(model).items():
            checks.setdefault(column, set()).update(enforced)
        if not any(_is_key(column_checks) for column_checks in checks.values()):
            without_key.append(model["unique_id"])
    assert models and not without_key, f"models without an enforced or tested key: {without_key}"


def test_contracted_tables_carry_their_keys_and_not_nulls_in_the_catalog(built_warehouse) -> None:
    """What the ymls declare is what Postgres enforces: primary keys, unique indexes, NOT NULL columns."""
    manifest = _manifest(built_warehouse)
    declared: dict[tuple[str, str], set[str]] = {}
    for model in _project_nodes(manifest, "model"):
        table = f"{model['schema']}.{model.get('alias') or model['name']}"
        for column, types in _constrained_columns(model).items():
            if types:
                declared[(table, column)] = types
    assert sum(_is_key(types) for types in declared.values()) >= 12, "too few enforced keys"

    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        for (table, column), types in declared.items():
            cursor.execute(
                """
                select
                    columns.attnotnull,
                    exists (
                        select from pg_constraint as keys
                        where keys.conrelid = columns.attrelid and keys.contype = 'p'
                            and keys.conkey = array[columns.attnum]
                    ),
                    exists (
                        select from pg_index as indexes
                        where indexes.indrelid = columns.attrelid and indexes.indisunique and indexes.indisvalid
                            and indexes.indnkeyatts = 1 and indexes.indkey[0] = columns.attnum
                            and indexes.indpred is null and indexes.indexprs is null
                    )
                from pg_attribute as columns
                where columns.attrelid = to_regclass(%s) and columns.attname = %s
                """,
                (table, column),
            )
            not_null, primary_key, unique_index = cursor.fetchone()
            if types & {"not_null", "primary_key"}:
                assert not_null, f"{table}.{column} is declared {types} but accepts nulls"
            assert primary_key == ("primary_key" in types), f"{table}.{column}: primary key {primary_key}, {types}"
            if "unique_index" in types:
                assert unique_index, f"{table}.{column}: no valid unique index of its own"


def test_marts_are_a_public_contracted_interface(built_warehouse) -> None:
    """Every mart is `access: public` with an enforced contract, and every column has a declared data type."""
    marts = [m for m in _project_nodes(_manifest(built_warehouse), "model") if m["fqn"][1] == "marts"]
    assert len(marts) >= 8
    for mart in marts:
        assert mart["access"] == "public", mart["unique_id"]
        assert mart["config"]["contract"]["enforced"], mart["unique_id"]
        untyped = [name for name, column in mart["columns"].items() if not column.get("data_type")]
        assert not untyped, f"{mart['unique_id']}: columns without data_type {untyped}"


def test_the_report_exposure_lists_exactly_the_marts_the_report_reads(built_warehouse) -> None:
    """Lineage tells the truth: the report's exposure depends on the marts warehouse/report.py queries, no others."""
    exposure = _manifest(built_warehouse)["exposures"]["exposure.customer_warehouse.high_value_customers_report"]
    declared = {node.rsplit(".", 1)[1] for node in exposure["depends_on"]["nodes"]}
    queried = set(re.findall(r"from marts\.(\w+)", " ".join(report.QUERIES.values())))
    assert queried == set(report.REQUIRED_MARTS)
    assert declared == queried


def test_no_project_macro_overrides_a_dbt_builtin_test(built_warehouse) -> None:
    """dbt's unique / not_null / accepted_values / relationships mean what dbt means: no macro of ours shadows them."""
    builtins = ("unique", "not_null", "accepted_values", "relationships")
    ours = [
        m["name"] for m in _manifest(built_warehouse)["macros"].values() if m["package_name"] == "customer_warehouse"
    ]
    assert ours, "no project macros in the manifest; is it the right project?"
    shadowing = [
        name for name in ours for test in builtins if name == f"test_{test}" or name.endswith(f"__test_{test}")
    ]
    assert not shadowing, shadowing


def test_no_mart_has_a_name_column(built_warehouse) -> None:
    """Marts never expose personal names: no column of schemas marts and tills is a name other than those of a
    country, a source, a branch or a product."""
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema in ('marts', 'tills')"
        )
        columns = cursor.fetchall()
    assert len({table for schema, table, _ in columns if schema == "marts"}) >= 6, "schema marts holds too few"
    assert len({table for schema, table, _ in columns if schema == "tills"}) >= 10, "schema tills holds too few"
    allowed = ("country_name", "source_name", "branch_name", "product_name", "item_name")
    offending = [f"{schema}.{table}.{column}" for schema, table, column in columns if "name" in column]
    offending = [name for name in offending if name.rsplit(".", 1)[1] not in allowed]
    assert not offending, f"name columns in marts: {offending}"


def test_build_ran_every_node_without_error_or_warning(built_warehouse) -> None:
    """run_results.json of the build: every node succeeded or passed, none warned, errored or was skipped."""
    path = built_warehouse.target_dir / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    bad = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass", "no-op")]
    assert results and not bad, bad


def test_data_rules_doc_names_every_reject_reason_of_the_seed() -> None:
    """docs/data_rules.md says when each reject reason applies and points at seed data_quality_rules, the one list
    of them: every reject reason of the seed is named on the page, so the two cannot drift apart unseen."""
    with (PROJECT_DIR / "seeds" / "data_quality_rules.csv").open(encoding="utf-8", newline="") as file:
        reasons = {rule["issue_code"] for rule in csv.DictReader(file) if rule["issue_category"] == "rejected"}
    page = (PROJECT_DIR / "docs" / "data_rules.md").read_text(encoding="utf-8")
    assert len(reasons) >= 10, "the seed lists too few reject reasons; is it the right file?"
    assert "seeds/data_quality_rules.csv" in page
    unnamed = sorted(reason for reason in reasons if f"`{reason}`" not in page)
    assert not unnamed, f"reject reasons of the seed that docs/data_rules.md does not name: {unnamed}"
