"""The tills domain after a real build against the generator's ground truth: every order and item, the defects,
the per-file reconciliation, and no customer name or card number in any table of any schema.

Reads the session's built warehouse (conftest.built_warehouse: sample day 1 of the CRM, the shop and the tills,
ingested and built by `dbt build`).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import psycopg2
from test_tills_loader import found_in, personal_data

from warehouse.sample.tills_generator import TRUTH_FOLDER

SOURCE = "tills.order_lines"


def _rows(built_warehouse, statement: str) -> list[tuple]:
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def _truth(built_warehouse, kind: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((built_warehouse.settings.truth_dir / TRUTH_FOLDER).glob(f"{kind}_day*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += csv.DictReader(handle)
    return rows


def _defects(built_warehouse) -> dict:
    path = built_warehouse.settings.truth_dir / TRUTH_FOLDER / "defects.json"
    return json.loads(path.read_text(encoding="utf-8"))["cumulative"]


def test_every_order_and_item_matches_the_ground_truth(built_warehouse, report_figure) -> None:
    """Each clean order of the truth is one row of tills.orders with its branch, time, payment and total; each
    rejected line has the truth's reason; each item has its product, size, flavour, price and quantity."""
    truth_orders = _truth(built_warehouse, "orders")
    clean = {
        (row["source_file"], int(row["line_number"])): (
            row["branch"],
            row["ordered_at"],
            row["payment_method"],
            Decimal(row["total"]),
        )
        for row in truth_orders
        if row["outcome"] == "clean"
    }
    orders = {
        (source_file, line): (branch, ordered_at.strftime("%Y-%m-%d %H:%M:%S"), payment, total)
        for source_file, line, branch, ordered_at, payment, total in _rows(
            built_warehouse,
            """
            select orders.source_file, orders.line_number, branches.branch_name, orders.ordered_at,
                orders.payment_method, orders.total
            from tills.orders as orders
            inner join tills.branches as branches on orders.branch_id = branches.branch_id
            """,
        )
    }
    assert len(clean) > 5_000
    assert orders == clean

    # Rejected lines: the truth's reason. A duplicate export has the bytes of a file already loaded: the loader
    # skips it, so its lines never reach raw (test_tills_loader checks the note that says so).
    rejected = {
        (row["source_file"], int(row["line_number"])): row["reject_reason"]
        for row in truth_orders
        if row["outcome"] == "rejected" and row["reject_reason"] != "duplicate_file"
    }
    assert set(rejected.values()) == {"unknown_product", "price_mismatch", "total_mismatch"}
    got = {
        (source_file, line): reason
        for source_file, line, reason in _rows(
            built_warehouse,
            "select source_file, line_number, reject_reason from intermediate.int_tills_orders_rejected",
        )
    }
    assert got == rejected

    items = {
        (row["source_file"], int(row["line_number"]), row["product"], row["size"], row["flavour"]): (
            Decimal(row["price"]),
            int(row["quantity"]),
        )
        for row in _truth(built_warehouse, "items")
    }
    got_items = {
        (source_file, line, product, size or "", flavour or ""): (price, quantity)
        for source_file, line, product, size, flavour, price, quantity in _rows(
            built_warehouse,
            """
            select orders.source_file, orders.line_number, products.product_name, products.size, products.flavour,
                items.unit_price, items.quantity
            from tills.order_items as items
            inner join tills.orders as orders on items.order_id = orders.order_id
            inner join tills.products as products on items.product_id = products.product_id
            """,
        )
    }
    assert got_items == items
    report_figure(f"tills accuracy: {len(orders):,} orders, {len(got_items):,} order items, 100% of the truth")


def test_every_till_defect_class_is_counted_in_the_quality_report(built_warehouse) -> None:
    """The injected order defects, the branch spelt another way and the Excel-touched lines are counted by class."""
    injected = _defects(built_warehouse)
    excel_lines = sum(
        int(row["order_lines"])
        for row in _truth(built_warehouse, "files")
        if row["file_defect"] == "excel_touched_file"
    )
    counted = dict(
        _rows(
            built_warehouse,
            "select issue_code, sum(row_count) from marts.rpt_data_quality_issues"
            f" where source_name = '{SOURCE}' group by issue_code",
        )
    )
    expected = {reason: n for reason, n in injected["orders"]["rejected"].items() if reason != "duplicate_file"}
    expected["branch_name_variant"] = injected["orders"]["branch_name_variant"]
    expected["excel_touched_line"] = excel_lines
    assert all(expected.values()), f"the sample holds every class: {expected}"
    assert {code: counted.get(code) for code in expected} == expected
    # Nothing else went wrong: every other reject reason of the seed counts 0 rows.
    assert {code: n for code, n in counted.items() if code not in expected and n} == {}


def test_each_till_file_reconciles_and_the_source_reconciles(built_warehouse) -> None:
    """Per delivered file, lines in = clean orders + rejected + stale; over the load, rows in = clean + rejected."""
    files = _truth(built_warehouse, "files")
    delivered = {
        row["source_file"]: int(row["order_lines"])
        for row in files
        if row["file_defect"] not in ("closed_day_empty_file", "duplicate_file")  # no lines; skipped by the loader
    }
    reconciliation = _rows(
        built_warehouse,
        "select source_file, lines_in, clean_orders, rejected_lines, stale_lines, is_reconciled"
        " from tills.rpt_tills_file_reconciliation",
    )
    assert {row[0]: row[1] for row in reconciliation} == delivered
    for source_file, lines_in, clean, rejected, stale, reconciled in reconciliation:
        assert reconciled and lines_in == clean + rejected + stale, source_file
    injected = _defects(built_warehouse)["orders"]
    [(rows_in, clean_rows, rejected_rows, reconciled)] = _rows(
        built_warehouse,
        "select sum(rows_in), sum(clean_rows), sum(rejected_rows), bool_and(is_reconciled)"
        f" from marts.rpt_data_quality where source_name = '{SOURCE}'",
    )
    duplicates = injected["rejected"]["duplicate_file"]
    assert (rows_in, clean_rows, rejected_rows, reconciled) == (
        injected["lines"] - duplicates,
        injected["clean"],
        sum(injected["rejected"].values()) - duplicates,
        True,
    )


def _every_table_as_text(built_warehouse) -> bytes:
    """Every row of every table of every schema of the warehouse database, as text (COPY)."""
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'"
        )
        tables = cursor.fetchall()
        out = io.StringIO()
        for schema, table in tables:
            cursor.copy_expert(f'copy "{schema}"."{table}" to stdout', out)
    schemas = {schema for schema, _ in tables}
    assert {"raw", "staging", "intermediate", "marts", "tills", "reference", "snapshots"} - schemas <= {"staging"}
    return out.getvalue().encode()


def test_no_customer_name_or_card_number_is_in_any_table_of_the_built_warehouse(built_warehouse) -> None:
    """After the whole build, no table of any schema (raw, intermediate, marts, tills, snapshots, test failures...)
    holds a till customer's name, a card number, Excel's form of one or a card type."""
    names, cards = personal_data(Path(built_warehouse.settings.tills_landing_dir))
    assert len(names) > 1_000 and len(cards) > 1_000  # the input does hold personal data
    text = _every_table_as_text(built_warehouse)
    assert b"Isle of Wight" in text and b"Flavoured latte" in text  # the till rows are there
    assert not found_in(text, names, cards)


def test_new_and_repeat_card_holders_are_those_of_the_cards_in_the_files(built_warehouse) -> None:
    """rpt_tills_card_holders against the card numbers of the clean orders' lines, read from the till files: a
    holder is new on the day of their first card order and repeat on later days (regulars come back)."""
    clean = {
        (row["source_file"], int(row["line_number"])): row["ordered_at"][:10]
        for row in _truth(built_warehouse, "orders")
        if row["outcome"] == "clean"
    }
    days_by_card: dict[str, set[str]] = {}
    orders_by_day: dict[str, int] = {}
    for path in Path(built_warehouse.settings.tills_landing_dir).glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                day = clean.get((path.name, line))
                card = row[6].rpartition(",")[2] if day else ""
                if card.isdigit():  # not cash, not Excel's 5.49417E+15
                    days_by_card.setdefault(card, set()).add(day)
                    orders_by_day[day] = orders_by_day.get(day, 0) + 1
    expected = {}
    for day, orders in orders_by_day.items():
        holders = [card for card, days in days_by_card.items() if day in days]
        new = sum(min(days_by_card[card]) == day for card in holders)
        expected[day] = (orders, len(holders), new, len(holders) - new)
    got = {
        day.isoformat(): tuple(figures)
        for day, *figures in _rows(
            built_warehouse,
            "select trading_date, card_orders, card_holders, new_card_holders, repeat_card_holders"
            " from tills.rpt_tills_card_holders",
        )
    }
    assert got == expected
    assert sum(repeat for *_, repeat in got.values()) > 50  # the sample's regulars do come back
