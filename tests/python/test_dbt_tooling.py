"""dbt tooling on the real project: SQL style (sqlfluff), a parse free of deprecations, our `unique` test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg2
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


# Relations for the `unique` test, each holding the value 'a' twice unless it has an index that refuses it.
UNIQUE_CHECK_SETUP = """
    drop schema if exists unique_check cascade;
    create schema unique_check;
    create table unique_check.unindexed (value text, other integer);
    insert into unique_check.unindexed values ('a', 1), ('a', 2), ('b', 3);
    create view unique_check.view_of_unindexed as select value, other from unique_check.unindexed;
    create table unique_check.two_column_unique (like unique_check.unindexed);
    create unique index on unique_check.two_column_unique (value, other);
    insert into unique_check.two_column_unique select * from unique_check.unindexed;
    create table unique_check.partial_unique (like unique_check.unindexed);
    create unique index on unique_check.partial_unique (value) where other > 1;
    insert into unique_check.partial_unique select * from unique_check.unindexed;
    create table unique_check.plain_index (like unique_check.unindexed);
    create index on unique_check.plain_index (value);
    insert into unique_check.plain_index select * from unique_check.unindexed;
    create table unique_check.unique_indexed (like unique_check.unindexed);
    create unique index on unique_check.unique_indexed (value);
    insert into unique_check.unique_indexed values ('a', 1), ('b', 3);
"""
UNIQUE_CHECK_RELATIONS = ["unindexed", "view_of_unindexed", "two_column_unique", "partial_unique", "plain_index"]


def compiled_tests(built: BuiltWarehouse, tmp_path: Path, test: str, relations: list[str]) -> dict[str, str]:
    """The SQL of the project's generic `test` on column `value` of each relation in schema unique_check."""
    marker = "-- relation: "
    inline = "".join(
        f"{marker}{name}\n"
        f"{{{{ test_{test}(api.Relation.create(database=target.database, schema='unique_check',"
        f" identifier='{name}'), 'value') }}}}\n"
        for name in relations
    )
    result = subprocess.run(
        [dbt_executable(), "compile", "--inline", inline, "--output", "json", "--no-use-colors", "--quiet"],
        cwd=built.settings.project_dir,
        env=tool_environment(built, tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    compiled = json.loads(result.stdout)["compiled"]
    return {part.split("\n", 1)[0]: part.split("\n", 1)[1] for part in compiled.split(marker)[1:]}


def test_unique_test_finds_duplicates_unless_a_unique_index_of_the_column_refuses_them(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """The `unique` shortcut trusts only a valid unique index on exactly the tested column; the rest is counted."""
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(UNIQUE_CHECK_SETUP)
    compiled = compiled_tests(built_warehouse, tmp_path, "unique", [*UNIQUE_CHECK_RELATIONS, "unique_indexed"])

    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        for name in UNIQUE_CHECK_RELATIONS:
            cursor.execute(compiled[name])
            assert cursor.fetchall() == [("a", 2)], f"{name}: the duplicate 'a' was not reported"
        cursor.execute(compiled["unique_indexed"])
        assert cursor.fetchall() == []
        cursor.execute(f"explain (analyze, costs off) {compiled['unique_indexed']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        scan = next(line for line in plan.splitlines() if "Scan on unique_indexed" in line)
        assert "never executed" in scan, f"the indexed column was grouped again:\n{plan}"
        cursor.execute("drop schema unique_check cascade")


NOT_NULL_CHECK_SETUP = """
    drop schema if exists unique_check cascade;
    create schema unique_check;
    create table unique_check.nullable (value text);
    insert into unique_check.nullable values ('a'), (null);
    create view unique_check.view_of_nullable as select value from unique_check.nullable;
    create table unique_check.declared_not_null (value text not null);
    insert into unique_check.declared_not_null values ('a'), ('b');
"""


def test_not_null_test_finds_nulls_unless_the_column_is_declared_not_null(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """The `not_null` shortcut trusts only a NOT NULL column; nullable columns and views are scanned."""
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(NOT_NULL_CHECK_SETUP)
    compiled = compiled_tests(
        built_warehouse, tmp_path, "not_null", ["nullable", "view_of_nullable", "declared_not_null"]
    )

    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        for name in ("nullable", "view_of_nullable"):
            cursor.execute(compiled[name])
            assert cursor.fetchall() == [(None,)], f"{name}: the null was not reported"
        cursor.execute(f"explain (analyze, costs off) {compiled['declared_not_null']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        scan = next(line for line in plan.splitlines() if "Scan on declared_not_null" in line)
        assert "never executed" in scan, f"the NOT NULL column was scanned:\n{plan}"
        cursor.execute("drop schema unique_check cascade")
