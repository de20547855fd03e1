"""dbt tooling on the real project: SQL style (sqlfluff), a parse free of deprecations, our dbt_utils look-alikes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import psycopg2
from conftest import BuiltWarehouse

from warehouse.dbt_runner import dbt_environment, dbt_executable

SQL_FOLDERS = ["models", "analyses", "macros", "tests"]


def tool_environment(built: BuiltWarehouse, tmp_path: Path) -> dict[str, str]:
    return {
        **dbt_environment(built.connection, built.settings),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }


def test_every_sql_file_passes_sqlfluff(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    result = subprocess.run(
        # One process: the suite's other worker has the other core, and each sqlfluff process sets up dbt anew
        # (2 processes: 62 s of CPU against 51 s for one, measured alone).
        [sqlfluff, "lint", *SQL_FOLDERS, "--format", "human", "--processes", "1"],
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


# A small table for the generic tests that borrow dbt_utils' names: they must answer as dbt_utils does.
CHECK_SETUP = """
    drop schema if exists utils_check cascade;
    create schema utils_check;
    create table utils_check.numbers (value integer, label text);
    insert into utils_check.numbers values (1, 'low'), (5, 'mid'), (10, 'high'), (null, null);
"""


def compile_inline(built: BuiltWarehouse, tmp_path: Path, calls: dict[str, str]) -> dict[str, str]:
    """Compile each Jinja call (with `numbers` bound to utils_check.numbers) with the project's macros."""
    marker = "-- call: "
    relation = "api.Relation.create(database=target.database, schema='utils_check', identifier='numbers')"
    inline = f"{{% set numbers = {relation} %}}" + "".join(
        f"{marker}{label}\n{call}\n" for label, call in calls.items()
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


def test_generic_tests_with_dbt_utils_names_fail_the_rows_dbt_utils_fails(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """accepted_range (inclusive or not) and expression_is_true (with or without column_name): nulls pass."""
    expected_failures = {
        "{{ test_accepted_range(numbers, 'value', min_value=1, max_value=10) }}": 0,
        "{{ test_accepted_range(numbers, 'value', min_value=1, max_value=10, inclusive=false) }}": 2,
        "{{ test_accepted_range(numbers, 'value', min_value=2) }}": 1,
        "{{ test_accepted_range(numbers, 'value', max_value=9) }}": 1,
        "{{ test_expression_is_true(numbers, 'value < 10') }}": 1,
        "{{ test_expression_is_true(numbers, '> 1', column_name='value') }}": 1,
        "{{ test_expression_is_true(numbers, \"label != 'mid'\") }}": 1,
    }
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(CHECK_SETUP)
    compiled = compile_inline(built_warehouse, tmp_path, {str(i): c for i, c in enumerate(expected_failures)})
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        failures = {}
        for i, call in enumerate(expected_failures):
            cursor.execute(f"select count(*) from ({compiled[str(i)]}) as failing")
            failures[call] = cursor.fetchone()[0]
        cursor.execute("drop schema utils_check cascade")
    assert failures == expected_failures


def test_listed_in_data_quality_rules_fails_each_value_the_seed_does_not_list(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """accepted_values read from seed data_quality_rules: one failing row per unlisted value, nulls pass, and only
    the values of the given source and issue column count as listed."""
    calls = {
        "unlisted": "{{ test_listed_in_data_quality_rules(numbers, 'label', source_name='crm.customers',"
        " issue_column='age_issue') }}",
        "listed": "{{ test_listed_in_data_quality_rules(numbers, \"case when label = 'low' then 'missing' end\","
        " source_name='crm.customers', issue_column='age_issue') }}",
        "other_source": "{{ test_listed_in_data_quality_rules(numbers, \"case when label = 'low' then 'missing' end\","
        " source_name='shop.transactions', issue_column='age_issue') }}",
    }
    compiled = compile_inline(built_warehouse, tmp_path, calls)
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(CHECK_SETUP)
        failing = {}
        for label in calls:
            cursor.execute(f"select value_field from ({compiled[label]}) as failing order by 1")
            failing[label] = [row[0] for row in cursor.fetchall()]
        cursor.execute("drop schema utils_check cascade")
    assert failing == {"unlisted": ["high", "low", "mid"], "listed": [], "other_source": ["missing"]}


def test_generate_surrogate_key_gives_dbt_utils_keys(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    """md5 of the values joined by '-', a null as '_dbt_utils_surrogate_key_null_': the same keys as dbt_utils."""
    compiled = compile_inline(
        built_warehouse,
        tmp_path,
        {"key": "select {{ generate_surrogate_key(['value', 'label']) }} from {{ numbers }} order by value"},
    )
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(CHECK_SETUP)
        cursor.execute(compiled["key"])
        keys = [row[0] for row in cursor.fetchall()]
        cursor.execute("drop schema utils_check cascade")
    null = "_dbt_utils_surrogate_key_null_"
    expected = [f"{v}-{label}" for v, label in [(1, "low"), (5, "mid"), (10, "high"), (null, null)]]
    assert keys == [hashlib.md5(text.encode()).hexdigest() for text in expected]
