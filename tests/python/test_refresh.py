"""A day-2 refresh: new exports and transactions flow through to correct totals and SCD2 history."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from conftest import Workspace

from warehouse.sample import generate_sample


def generate(space: Workspace, day: int) -> None:
    settings = space.settings
    generate_sample(
        customers_dir=settings.customers_landing_dir,
        source_dsn=space.source_dsn,
        truth_dir=settings.truth_dir,
        day=day,
    )


# Day 1 is the `warehouse run` of conftest's ran_template, copied (the group keeps its users on one xdist worker).
@pytest.mark.xdist_group("ran")
def test_day_two_refresh_gives_correct_totals_history_and_no_duplicates(ran: Workspace) -> None:
    settings = ran.settings
    transactions_day_one = ran.query("select count(*) from marts.fct_transactions")[0][0]

    generate(ran, day=2)
    refreshed = ran.cli("refresh")
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]

    # Totals equal the ground truth after both days.
    with (settings.truth_dir / "customers_truth.csv").open(newline="") as handle:
        truth = {row["customer_id"]: row for row in csv.DictReader(handle)}
    marts = {
        customer_id: (total, count)
        for customer_id, total, count in ran.query(
            "select customer_id, total_spent, transaction_count from marts.dim_customers"
        )
    }
    assert set(marts) == set(truth)
    wrong = [
        cid for cid, row in truth.items() if marts[cid] != (Decimal(row["total_spent"]), int(row["transaction_count"]))
    ]
    assert not wrong, f"{len(wrong)} customers with wrong totals, e.g. {wrong[:5]}"

    # The incremental fact only appended the new day's valid transactions.
    defects = json.loads((settings.truth_dir / "defects.json").read_text())
    clean_day_two = defects["reconciliation"]["transactions"]["clean_rows"] - 10_000
    assert ran.query("select count(*) from marts.fct_transactions")[0][0] == transactions_day_one + clean_day_two

    # SCD2: every customer whose attributes changed on day 2 has a closed and a current version.
    changed = ran.query(
        "select count(*) from ("
        " select customer_id from intermediate.int_customers_history group by customer_id"
        " having count(*) = 2 and count(*) filter (where valid_to is null) = 1) history"
    )[0][0]
    assert changed == 100

    # No duplicate keys anywhere analysts look.
    for table, key in [
        ("marts.dim_customers", "customer_id"),
        ("marts.fct_transactions", "transaction_id"),
        ("marts.rpt_customer_spending", "customer_id"),
    ]:
        assert ran.query(f"select count(*) - count(distinct {key}) from {table}") == [(0,)], table
