"""One bad row never freezes the warehouse: whitespace the SQL rules and the oracle agree on, absurd keys rejected.

docs/data_rules.md ("Whitespace", "Customers"); docs/bad_inputs.md (unicode_whitespace, very_long_customer_id).
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys

import psycopg2
import pytest
from conftest import Workspace
from data_rules_oracle import (
    MAX_CUSTOMER_ID_LENGTH,
    WHITESPACE,
    clean_customer_id,
    collapse_whitespace,
    customer_id_issue,
    trim,
)

from warehouse.dbt_runner import dbt_environment, dbt_executable

ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# str.isspace() also holds for the ASCII information separators; Unicode's White_Space property does not.
INFORMATION_SEPARATORS = {"\x1c", "\x1d", "\x1e", "\x1f"}
# Characters outside the set that a careless rule could take for whitespace.
LOOKALIKES = {"\x1c", "\x1f", "\u00ad", "\u180e", "\u200e", "\u200f", "\u2061", "\ufffe"}


def test_the_whitespace_set_is_unicode_white_space_plus_the_zero_width_characters() -> None:
    """WHITESPACE is every Unicode White_Space character plus U+200B-U+200D, U+2060 and U+FEFF, and nothing else."""
    unicode_white_space = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    assert set(WHITESPACE) == (unicode_white_space - INFORMATION_SEPARATORS) | ZERO_WIDTH
    assert len(set(WHITESPACE)) == len(WHITESPACE) == 30


RULES_QUERY = """
select
    {{ trim_whitespace('value') }} as trimmed,
    {{ clean_customer_id(trim_whitespace('value')) }} as customer_id,
    {{ customer_id_issue(clean_customer_id(trim_whitespace('value'))) }} as customer_id_issue,
    lower({{ clean_name('value') }}) as name
from unnest(cast(%(values)s as text[])) with ordinality as input (value, position)
order by position
"""


def compiled_rules_query(space: Workspace) -> str:
    """RULES_QUERY compiled with the project's macros and vars (dbt compile --inline)."""
    environment = {
        **dbt_environment(space.connection, space.settings),
        "DBT_TARGET_PATH": str(space.root / "target"),
        "DBT_LOG_PATH": str(space.root / "logs"),
    }
    result = subprocess.run(
        [dbt_executable(), "compile", "--inline", RULES_QUERY, "--output", "json", "--no-use-colors", "--quiet"],
        cwd=space.settings.project_dir,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(result.stdout)["compiled"]


@pytest.mark.fast
def test_sql_rules_and_the_oracle_agree_on_every_whitespace_character(workspace: Workspace) -> None:
    """trim_whitespace, clean_customer_id, customer_id_issue and clean_name give what the Python oracle gives."""
    characters = sorted(set(WHITESPACE) | {chr(code) for code in range(1, 128)} | LOOKALIKES)
    values = []
    for c in characters:
        # both ends, one end, inside only (the ASCII fast path), doubled runs, the character alone
        values += [f"{c}c1{c}", f"{c}{c}c1", f"c1{c}{c}", f"c{c}1", f"{c}{c}a{c}{c}b{c}{c}", c]
    mixed = "\u00a0\u200b\t\u3000\ufeff"
    values += [
        f"{mixed}c00042{mixed}",
        mixed,
        f"{mixed}{'c' * MAX_CUSTOMER_ID_LENGTH}{mixed}",
        f"{mixed}{'c' * (MAX_CUSTOMER_ID_LENGTH + 1)}{mixed}",
        "c" * 10_000,
    ]

    with psycopg2.connect(workspace.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(compiled_rules_query(workspace), {"values": values})
        sql = cursor.fetchall()

    oracle = [
        (
            trim(value),
            clean_customer_id(value),
            customer_id_issue(clean_customer_id(value)),
            collapse_whitespace(value).lower() or None,
        )
        for value in values
    ]
    disagreements = [
        (value.encode("unicode_escape").decode()[:40], got, want)
        for value, got, want in zip(values, sql, oracle, strict=True)
        if got != want
    ]
    assert not disagreements, f"{len(disagreements)} values differ (value, SQL, oracle), first: {disagreements[:5]}"


# Random letters, so that Postgres cannot compress the id below a btree entry's ~2,700 bytes ('k' * 10_000 it can).
ABSURD_ID = "".join(random.Random(4).choices(string.ascii_lowercase + string.digits, k=10_000))
CUSTOMERS_CSV = (
    "customer_id,name,age,country,is_active\n"
    f"{ABSURD_ID},Absurd Key,40,UK,yes\n"
    "\u00a0c00042\u200b,\u3000Ann\u00a0\u00a0Lee\ufeff,30,\u00a0uk\u00a0,yes\n"
    f"C00043,{'Long Name ' * 1_000},50,{'Atlantis' * 1_000},yes\n"
)
SHOP_ROWS = f"""
create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar,
    transaction_date varchar);
insert into transactions values
    (1, '{ABSURD_ID}', '10.00', '2024-01-05'),
    (2, E'\\u00a0C00042\\u2060', '20.00', '2024-01-06'),
    (3, 'C00043', '30.00', '2024-01-07');
"""


def test_an_absurd_customer_id_is_rejected_and_a_no_break_space_trimmed_and_the_build_passes(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 10,000-character id lands as customer_id_too_long (both sources); ' c00042 ' with no-break spaces is C00042."""
    landing = workspace.settings.customers_landing_dir
    landing.mkdir(parents=True)
    (landing / "customers_20240110.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    workspace.query(SHOP_ROWS, dbname=workspace.source_dbname)
    monkeypatch.setenv("WAREHOUSE_DOMAINS", "core")  # the CRM's and the shop's rows only: no tills, no ERP

    ingest = workspace.cli("ingest")
    assert ingest.returncode == 0, ingest.stdout[-2000:] + ingest.stderr[-2000:]
    build = workspace.cli("build", "--", "--exclude-resource-type", "unit_test")  # data tests only
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]

    assert workspace.query(
        "select reject_reason, length(source_file), line_number from intermediate.int_customers_rejected"
    ) == [("customer_id_too_long", len("customers_20240110.csv"), 2)]
    assert workspace.query(
        "select customer_id, customer_name, country_code from intermediate.int_customers_deduplicated"
        " order by customer_id"
    ) == [("C00042", "Ann Lee", "GB"), ("C00043", ("Long Name " * 1_000).strip(), "ZZ")]
    assert workspace.query("select transaction_id, reject_reason from intermediate.int_transactions_rejected") == [
        (1, "customer_id_too_long")
    ]
    assert workspace.query("select customer_id, total_spent::text from marts.dim_customers order by 1") == [
        ("C00042", "20.00"),
        ("C00043", "30.00"),
    ]
    assert workspace.query(
        "select source_name, issue_code, row_count from marts.rpt_data_quality_issues"
        " where issue_code = 'customer_id_too_long' order by source_name"
    ) == [("crm.customers", "customer_id_too_long", 1), ("shop.transactions", "customer_id_too_long", 1)]
