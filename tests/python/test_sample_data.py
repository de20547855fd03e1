"""The sample generator: exact sizes, determinism, a truth an independent oracle agrees with, deltas."""

from __future__ import annotations

import csv
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg2
import pytest
from data_rules_oracle import clean_customers, clean_transactions, load_aliases, truth_rows

from warehouse.errors import WarehouseError
from warehouse.sample import generate_sample
from warehouse.settings import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"
TABLE_MD5 = """
select count(*), md5(string_agg(
    concat_ws('|', transaction_id, coalesce(customer_id, '<null>'), coalesce(amount, '<null>'),
              coalesce(transaction_date, '<null>')),
    E'\\n' order by transaction_id, customer_id, amount, transaction_date))
from public.transactions
"""


def shop_query(dsn: str, statement: str) -> list[tuple]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        rows = cursor.fetchall()
    conn.close()
    return rows


def generate(root: Path, dsn: str, day: int = 1, seed: int = 42):
    return generate_sample(
        customers_dir=root / "customers", source_dsn=dsn, truth_dir=root / "truth", day=day, seed=seed
    )


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def check_against_oracle(root: Path, dsn: str) -> None:
    """Clean the dirty sources with the oracle and compare with customers_truth.csv and defects.json."""
    customers = clean_customers(sorted((root / "customers").glob("customers_*.csv")), load_aliases(SEEDS_DIR))
    rows = shop_query(dsn, "select transaction_id, customer_id, amount, transaction_date from public.transactions")
    transactions = clean_transactions(rows, set(customers.customers), today=datetime.now(timezone.utc).date())

    with (root / "truth" / "customers_truth.csv").open(encoding="utf-8", newline="") as file:
        truth = list(csv.DictReader(file))
    expected = truth_rows(customers, transactions)
    assert len(truth) == len(expected)
    mismatches = [(t, e) for t, e in zip(truth, expected, strict=False) if t != e]
    assert not mismatches, f"{len(mismatches)} customers differ, first: {mismatches[0]}"

    reconciliation = json.loads((root / "truth" / "defects.json").read_text())["reconciliation"]
    assert reconciliation["customers"] == {
        "raw_rows": customers.raw_rows,
        "clean_rows": len(customers.customers),
        "rejected": dict(customers.rejected),
        "exact_duplicates": customers.exact_duplicates,
        "stale_versions": customers.stale_versions,
    }
    tx = reconciliation["transactions"]
    assert tx["raw_rows"] == transactions.raw_rows
    assert tx["clean_rows"] == len(transactions.valid)
    assert tx["exact_duplicates"] == transactions.exact_duplicates
    assert {k: v for k, v in tx["rejected"].items() if v} == dict(transactions.rejected)


def test_day_one_has_the_documented_size(empty_dir: Path, source_dsn: str) -> None:
    started = time.time()
    summary = generate(empty_dir, source_dsn)

    lines = read_csv(summary.customers_file)
    assert lines[0] == ["customer_id", "name", "age", "country", "is_active"]
    assert len(lines) - 1 == summary.customer_rows == 5_200
    assert {len(line) for line in lines} == {5}
    assert shop_query(source_dsn, "select count(*) from public.transactions") == [(10_500,)]
    columns = shop_query(
        source_dsn,
        "select column_name from information_schema.columns where table_name = 'transactions' order by 1",
    )
    assert [c for (c,) in columns] == ["amount", "customer_id", "transaction_date", "transaction_id"]
    assert summary.transaction_rows == 10_500
    assert summary.customers_file.stat().st_mtime >= started - 1  # a real modification time, not a fake one
    high_value = sum(row[-1] == "true" for row in read_csv(summary.truth_file)[1:])
    assert 0.05 <= high_value / 5_000 <= 0.10


def test_same_seed_gives_identical_output_and_another_seed_does_not(empty_dir: Path, source_dsn: str) -> None:
    first = generate(empty_dir / "a", source_dsn)
    first_table = shop_query(source_dsn, TABLE_MD5)
    second = generate(empty_dir / "b", source_dsn)
    assert second.customers_file.read_bytes() == first.customers_file.read_bytes()
    assert shop_query(source_dsn, TABLE_MD5) == first_table
    assert second.truth_file.read_bytes() == first.truth_file.read_bytes()

    other = generate(empty_dir / "c", source_dsn, seed=7)
    assert other.customers_file.read_bytes() != first.customers_file.read_bytes()
    assert shop_query(source_dsn, TABLE_MD5) != first_table


def test_truth_matches_an_independent_oracle_on_day_one_and_two(empty_dir: Path, source_dsn: str) -> None:
    summary = generate(empty_dir, source_dsn)
    check_against_oracle(empty_dir, source_dsn)
    defects = json.loads((empty_dir / "truth" / "defects.json").read_text())
    assert defects["per_day"]["1"] == summary.defects

    generate(empty_dir, source_dsn, day=2)
    check_against_oracle(empty_dir, source_dsn)
    defects = json.loads((empty_dir / "truth" / "defects.json").read_text())
    assert defects["cumulative"]["transactions"]["invalid_date"] == 40 + 1


def test_day_two_adds_the_documented_delta_once(empty_dir: Path, source_dsn: str) -> None:
    generate(empty_dir, source_dsn)
    day_one_ids = {row[0].strip().upper() for row in read_csv(empty_dir / "customers/customers_20250630.csv")[1:]}
    summary = generate(empty_dir, source_dsn, day=2)

    assert summary.customers_file.name == "customers_20250701.csv"
    delta = read_csv(summary.customers_file)[1:]
    assert len(delta) == summary.customer_rows == 156
    delta_ids = {row[0].strip().upper() for row in delta if row[0].strip()}
    assert len(delta_ids - day_one_ids) == 50  # new customers
    assert len(delta_ids & day_one_ids) == 100  # changed customers
    new_rows = shop_query(
        source_dsn,
        "select count(*), count(distinct transaction_id), min(transaction_id) from public.transactions "
        "where transaction_id > 10350",
    )
    assert new_rows == [(210, 207, 10351)]
    assert shop_query(source_dsn, "select count(*) from public.transactions") == [(10_710,)]
    dated = shop_query(
        source_dsn,
        "select count(*) from public.transactions where transaction_id > 10350 "
        "and left(trim(transaction_date), 10) in ('2025-07-01', '2025/07/01')",
    )
    assert dated[0][0] >= 210 - 3  # all but the missing/invalid/future date rows

    mtime, content = summary.customers_file.stat().st_mtime_ns, summary.customers_file.read_bytes()
    truth_before = summary.truth_file.read_bytes()
    again = generate(empty_dir, source_dsn, day=2)
    assert again.transaction_rows == 0
    assert shop_query(source_dsn, "select count(*) from public.transactions") == [(10_710,)]
    assert summary.customers_file.stat().st_mtime_ns == mtime
    assert summary.customers_file.read_bytes() == content
    assert summary.truth_file.read_bytes() == truth_before


def test_a_day_needs_the_days_before_it(empty_dir: Path, source_dsn: str) -> None:
    with pytest.raises(WarehouseError, match="day 1 was never generated"):
        generate(empty_dir / "fresh", source_dsn, day=2)
    generate(empty_dir, source_dsn)
    with pytest.raises(WarehouseError, match=r"only days 1\.\.1 exist"):
        generate(empty_dir, source_dsn, day=3)
    with pytest.raises(WarehouseError, match="seed 7"):
        generate(empty_dir, source_dsn, day=2, seed=7)
