"""Changes in the shop database reach the marts: updated, deleted, late-committed and back-filled rows."""

from __future__ import annotations

import itertools
from decimal import Decimal

import psycopg2
import pytest
from conftest import Workspace
from test_operations import marts_fingerprint

from ingest.range_capture import (
    BIGINT_MIN,
    RANGE_ROWS,
    KeyRange,
    SourceCount,
    bounds_from_cuts,
    changed_ranges,
    files_of,
    intervals,
    new_range_bounds,
    oversized,
    thresholds,
)

CAPTURED = [KeyRange(BIGINT_MIN, 100, 90, "7"), KeyRange(101, 200, 100, "8"), KeyRange(201, 300, 100, "9")]


def test_a_range_whose_count_or_fingerprint_differs_is_captured_again_with_the_sources_figures() -> None:
    now = {1: SourceCount(90, "7"), 2: SourceCount(100, "-5"), 3: SourceCount(99, "9")}
    assert changed_ranges(CAPTURED, now) == [KeyRange(101, 200, 100, "-5"), KeyRange(201, 300, 99, "9")]


def test_a_range_whose_rows_were_all_deleted_is_captured_again_empty() -> None:
    now = {1: SourceCount(90, "7"), 3: SourceCount(100, "9")}  # no rows left in bucket 2
    assert changed_ranges(CAPTURED, now) == [KeyRange(101, 200, 0, "0")]


def test_new_keys_get_ranges_right_above_the_last_one_and_the_first_range_covers_every_lower_key() -> None:
    assert thresholds(CAPTURED) == [BIGINT_MIN, 101, 201, 301]
    above = SourceCount(RANGE_ROWS * 2 + 1, "1", lowest=305, highest=305 + RANGE_ROWS * 2)
    bounds = new_range_bounds(CAPTURED, above)
    assert len(bounds) == 3
    assert bounds[0][0] == 301 and bounds[-1][1] == 305 + RANGE_ROWS * 2
    assert all(low == previous_high + 1 for (_, previous_high), (low, _) in itertools.pairwise(bounds))
    # Nothing captured yet: the first range starts at the lowest bigint, so a back-filled key below all others
    # still falls in a range and is found by the next comparison.
    assert new_range_bounds([], SourceCount(3, "1", lowest=5, highest=7)) == [(BIGINT_MIN, 7)]
    assert new_range_bounds(CAPTURED, SourceCount(0, "0")) == []


def test_files_never_split_a_range_and_adjacent_ranges_make_one_interval() -> None:
    big = [KeyRange(low, low + 9, 200_000, "x") for low in range(0, 50, 10)]
    files = files_of(big)
    assert [len(file) for file in files] == [1, 1, 1, 1, 1]
    small = [KeyRange(1, 10, 5, "x"), KeyRange(21, 30, 5, "x"), KeyRange(11, 20, 5, "x"), KeyRange(40, 50, 5, "x")]
    assert files_of(small) == [sorted(small, key=lambda r: r.low)]
    assert intervals(small) == [(1, 30), (40, 50)]


def test_an_oversized_range_is_cut_at_keys_and_keeps_its_low_end() -> None:
    assert oversized([KeyRange(1, 10, 2 * RANGE_ROWS, "x"), KeyRange(11, 20, 2 * RANGE_ROWS + 1, "x")]) == [
        KeyRange(11, 20, 2 * RANGE_ROWS + 1, "x")
    ]
    assert bounds_from_cuts(11, [13, 13, 17, 20], 20) == [(11, 13), (14, 17), (18, 20)]
    assert bounds_from_cuts(BIGINT_MIN, [], 5) == [(BIGINT_MIN, 5)]


def test_sparse_keys_are_cut_into_ranges_of_rows_not_of_values(workspace: Workspace) -> None:
    """Ids 1..5,000 and one at 10^12: cut evenly by value, one range would hold every row but the last."""
    workspace.query(
        "create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar,"
        " transaction_date varchar); insert into transactions select id, 'C1', '1', '2024-01-01'"
        " from generate_series(1, 5000) as id;"
        " insert into transactions values (1000000000000, 'C1', '1', '2024-01-01')",
        workspace.source_dbname,
    )

    assert workspace.cli("ingest", "--source", "shop").returncode == 0

    ranges = workspace.query("select source_rows from raw.transactions_captures order by range_low_id")
    assert sum(rows for (rows,) in ranges) == 5_001
    assert max(rows for (rows,) in ranges) <= RANGE_ROWS + 1


def customer_figures(space: Workspace, customer_ids: list[str]) -> dict[str, tuple[Decimal, int]]:
    rows = space.query(
        "select customer_id, total_spent, transaction_count from marts.dim_customers where customer_id = any(array["
        + ", ".join(f"'{customer_id}'" for customer_id in customer_ids)
        + "])"
    )
    return {customer_id: (total, count) for customer_id, total, count in rows}


def two_single_row_transactions(space: Workspace) -> list[tuple[int, str, Decimal]]:
    """Two valid transactions of two customers with more than one transaction each, each id with one raw row."""
    return space.query(
        "select distinct on (f.customer_id) f.transaction_id, f.customer_id, f.amount from marts.fct_transactions f"
        " join marts.dim_customers d using (customer_id)"
        " where d.transaction_count > 1 and (select count(*) from raw.transactions r"
        "  where r.transaction_id = f.transaction_id) = 1"
        " order by f.customer_id, f.transaction_id limit 2"
    )


@pytest.mark.xdist_group("ran")
def test_updates_deletes_late_commits_and_back_filled_rows_reach_the_marts(ran: Workspace) -> None:
    (updated_id, updated_customer, updated_amount), (deleted_id, deleted_customer, deleted_amount) = (
        two_single_row_transactions(ran)
    )
    late_customer = back_filled_customer = updated_customer
    source_ids = "select min(transaction_id), max(transaction_id) from transactions"
    lowest_id, highest_id = ran.query(source_ids, ran.source_dbname)[0]
    customers = [updated_customer, deleted_customer]
    before = customer_figures(ran, customers)

    late = psycopg2.connect(ran.source_dsn)  # a transaction that took its id first and commits last
    try:
        with late.cursor() as cursor:
            cursor.execute(
                "insert into transactions values (%s, %s, '40.00', '2025-03-01')", (highest_id + 1, late_customer)
            )
        with psycopg2.connect(ran.source_dsn) as shop, shop.cursor() as cursor:
            cursor.execute("update transactions set amount = '1.25' where transaction_id = %s", (updated_id,))
            cursor.execute("delete from transactions where transaction_id = %s", (deleted_id,))
            cursor.execute(
                "insert into transactions values (%s, %s, '30.00', '2025-03-02')", (highest_id + 2, late_customer)
            )
            cursor.executemany(
                "insert into transactions values (%s, %s, '10.00', '2024-01-05')",
                [(lowest_id - offset, back_filled_customer) for offset in (1, 2)],
            )
        first = ran.cli("refresh")
        assert first.returncode == 0, first.stderr[-3000:]
        late.commit()
    finally:
        late.close()
    assert ran.query(f"select count(*) from marts.fct_transactions where transaction_id = {highest_id + 1}") == [(0,)]

    second = ran.cli("refresh")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "differ from the source now" in second.stdout + second.stderr

    expected = dict(before)
    total, count = expected[updated_customer]
    expected[updated_customer] = (total - updated_amount + Decimal("1.25") + Decimal("90.00"), count + 4)
    total, count = expected[deleted_customer]
    expected[deleted_customer] = (total - deleted_amount, count - 1)
    assert customer_figures(ran, customers) == expected
    assert ran.query(f"select count(*) from marts.fct_transactions where transaction_id = {deleted_id}") == [(0,)]
    assert ran.query(f"select amount from marts.fct_transactions where transaction_id = {updated_id}") == [
        (Decimal("1.25"),)
    ]
    # Every raw row is accounted for: the replaced ones as stale versions of the data-quality mart.
    assert ran.query("select bool_and(is_reconciled) from marts.rpt_data_quality") == [(True,)]
    stale = ran.query(
        "select count(*) from intermediate.int_transactions_classified where record_status = 'stale_version'"
    )[0][0]
    assert stale > 0

    # The refreshed marts are what a full rebuild of the same raw rows gives (models only: the refresh tested).
    refreshed = marts_fingerprint(ran)
    rebuilt = ran.cli("build", "--", "--full-refresh", "--exclude-resource-type", "unit_test", "test")
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert marts_fingerprint(ran) == refreshed
