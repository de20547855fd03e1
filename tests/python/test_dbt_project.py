"""The dbt project's own promises, read from the build's manifest and the warehouse catalog."""

from __future__ import annotations

import json

import psycopg2


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


def test_every_model_has_a_tested_primary_key(built_warehouse) -> None:
    """Every model has one column tested both unique and not_null."""
    manifest = _manifest(built_warehouse)
    tested: dict[str, dict[str, set[str]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        test_name = node["test_metadata"]["name"]
        column = node.get("column_name")
        if test_name in ("unique", "not_null") and column:
            for parent in node["depends_on"]["nodes"]:
                tested.setdefault(parent, {}).setdefault(column, set()).add(test_name)
    models = _project_nodes(manifest, "model")
    assert models
    without_key = [
        model["unique_id"]
        for model in models
        if not any(tests >= {"unique", "not_null"} for tests in tested.get(model["unique_id"], {}).values())
    ]
    assert not without_key, f"models without a unique + not_null key: {without_key}"


def test_not_null_tested_table_columns_are_declared_not_null(built_warehouse) -> None:
    """The enforce_not_null post-hook made each not_null-tested column of a table or snapshot NOT NULL, not views'."""
    manifest = _manifest(built_warehouse)
    expected: dict[tuple[str, str], bool] = {}
    for test in manifest["nodes"].values():
        if test["resource_type"] != "test" or (test.get("test_metadata") or {}).get("name") != "not_null":
            continue
        parent = manifest["nodes"].get(test["attached_node"] or "")
        if parent is None or parent["package_name"] != "customer_warehouse":
            continue
        table = f"{parent['schema']}.{parent.get('alias') or parent['name']}"
        materialized = parent["config"]["materialized"]
        expected[(table, test["column_name"])] = materialized in ("table", "incremental", "snapshot")
    assert sum(expected.values()) >= 20, "too few not_null-tested table columns; is it the right manifest?"

    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        declared = {}
        for table, column in expected:
            cursor.execute(
                "select attnotnull from pg_attribute where attrelid = to_regclass(%s) and attname = %s",
                (table, column),
            )
            declared[(table, column)] = cursor.fetchone()[0]
    assert declared == expected


def test_no_mart_has_a_name_column(built_warehouse) -> None:
    """Marts never expose personal names: no column of schema marts is a name other than country/source name."""
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute("select table_name, column_name from information_schema.columns where table_schema = 'marts'")
        columns = cursor.fetchall()
    assert len({table for table, _ in columns}) >= 6, "schema marts holds too few relations to mean anything"
    offending = [
        f"{table}.{column}"
        for table, column in columns
        if "name" in column and column not in ("country_name", "source_name")
    ]
    assert not offending, f"name columns in marts: {offending}"


def test_build_ran_every_node_without_error_or_warning(built_warehouse) -> None:
    """run_results.json of the build: every node succeeded or passed, none warned, errored or was skipped."""
    path = built_warehouse.target_dir / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    bad = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass", "no-op")]
    assert results and not bad, bad
