"""The ERP's stars (schema erp) reconcile with the sample's ground truth, row for row and value for value.

The truth (warehouse/sample/erp_generator.py) is every source table's state at the end of the sample day, computed
from the generator's plan, not read back from the database. The stars are built from what the loader captured: the
current-state views (fact_*_current) and the dimensions must equal the truth's tables remodelled as the reference
design (part A.4) says, and each fact must hold every captured version.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pycountry
import pytest
from conftest import BuiltWarehouse, Workspace, query

from warehouse.sample.erp_generator import TRUTH_FOLDER, generate_erp
from warehouse.summary import headline_figures

Row = dict[str, str]


def truth(truth_dir: Path, table: str) -> list[Row]:
    with (truth_dir / TRUTH_FOLDER / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def by_id(rows: list[Row], key: str) -> dict[str, Row]:
    return {row[key]: row for row in rows}


def moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")


def day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def number(text: str) -> int | None:
    return int(text) if text else None


def text(value: str) -> str | None:
    return value if value != "" else None


def split_moments(row: Row) -> tuple[date, time, date, time]:
    created, updated = moment(row["created_at"]), moment(row["last_updated"])
    return created.date(), created.time(), updated.date(), updated.time()


def expected_sales_orders(truth_dir: Path) -> set[tuple]:
    return {
        (
            int(row["sales_order_id"]),
            *split_moments(row),
            int(row["staff_id"]),
            int(row["counterparty_id"]),
            int(row["units_sold"]),
            Decimal(row["unit_price"]),
            int(row["currency_id"]),
            int(row["design_id"]),
            day(row["agreed_payment_date"]),
            day(row["agreed_delivery_date"]),
            int(row["agreed_delivery_location_id"]),
        )
        for row in truth(truth_dir, "sales_order")
    }


def expected_purchase_orders(truth_dir: Path) -> set[tuple]:
    return {
        (
            int(row["purchase_order_id"]),
            *split_moments(row),
            int(row["staff_id"]),
            int(row["counterparty_id"]),
            row["item_code"],
            int(row["item_quantity"]),
            Decimal(row["item_unit_price"]),
            int(row["currency_id"]),
            day(row["agreed_delivery_date"]),
            day(row["agreed_payment_date"]),
            int(row["agreed_delivery_location_id"]),
        )
        for row in truth(truth_dir, "purchase_order")
    }


def expected_payments(truth_dir: Path) -> set[tuple]:
    return {
        (
            int(row["payment_id"]),
            *split_moments(row),
            int(row["transaction_id"]),
            int(row["counterparty_id"]),
            Decimal(row["payment_amount"]),
            int(row["currency_id"]),
            int(row["payment_type_id"]),
            row["paid"] == "true",
            day(row["payment_date"]),
        )
        for row in truth(truth_dir, "payment")
    }


def expected_staff(truth_dir: Path) -> set[tuple]:
    departments = by_id(truth(truth_dir, "department"), "department_id")
    return {
        (
            int(row["staff_id"]),
            row["first_name"],
            row["last_name"],
            departments[row["department_id"]]["department_name"],
            text(departments[row["department_id"]]["location"]),
            row["email_address"],
        )
        for row in truth(truth_dir, "staff")
    }


ADDRESS_COLUMNS = ("address_line_1", "address_line_2", "district", "city", "postal_code", "country", "phone")


def expected_locations(truth_dir: Path) -> set[tuple]:
    return {
        (int(row["address_id"]), *(text(row[column]) for column in ADDRESS_COLUMNS))
        for row in truth(truth_dir, "address")
    }


def expected_counterparties(truth_dir: Path) -> set[tuple]:
    addresses = by_id(truth(truth_dir, "address"), "address_id")
    return {
        (
            int(row["counterparty_id"]),
            row["counterparty_legal_name"],
            *(text(addresses[row["legal_address_id"]][column]) for column in ADDRESS_COLUMNS),
        )
        for row in truth(truth_dir, "counterparty")
    }


def expected_currencies(truth_dir: Path) -> set[tuple]:
    return {
        (int(row["currency_id"]), row["currency_code"], pycountry.currencies.get(alpha_3=row["currency_code"]).name)
        for row in truth(truth_dir, "currency")
    }


def expected_designs(truth_dir: Path) -> set[tuple]:
    return {
        (int(row["design_id"]), row["design_name"], row["file_location"], row["file_name"])
        for row in truth(truth_dir, "design")
    }


def expected_payment_types(truth_dir: Path) -> set[tuple]:
    return {(int(row["payment_type_id"]), row["payment_type_name"]) for row in truth(truth_dir, "payment_type")}


def expected_transactions(truth_dir: Path) -> set[tuple]:
    return {
        (
            int(row["transaction_id"]),
            row["transaction_type"],
            number(row["sales_order_id"]),
            number(row["purchase_order_id"]),
        )
        for row in truth(truth_dir, "transaction")
    }


FACT_COLUMNS = "created_date, created_time, last_updated_date, last_updated_time"

# Each star table (the current state for facts) with the columns compared and its expected rows from the truth.
STARS: dict[str, tuple[str, Callable[[Path], set[tuple]]]] = {
    "erp.fact_sales_order_current": (
        f"sales_order_id, {FACT_COLUMNS}, sales_staff_id, counterparty_id, units_sold, unit_price, currency_id,"
        " design_id, agreed_payment_date, agreed_delivery_date, agreed_delivery_location_id",
        expected_sales_orders,
    ),
    "erp.fact_purchase_order_current": (
        f"purchase_order_id, {FACT_COLUMNS}, staff_id, counterparty_id, item_code, item_quantity, item_unit_price,"
        " currency_id, agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id",
        expected_purchase_orders,
    ),
    "erp.fact_payment_current": (
        f"payment_id, {FACT_COLUMNS}, transaction_id, counterparty_id, payment_amount, currency_id,"
        " payment_type_id, paid, payment_date",
        expected_payments,
    ),
    "erp.dim_staff": (
        "staff_id, first_name, last_name, department_name, location, email_address",
        expected_staff,
    ),
    "erp.dim_location": (
        "location_id, address_line_1, address_line_2, district, city, postal_code, country, phone",
        expected_locations,
    ),
    "erp.dim_counterparty": (
        "counterparty_id, counterparty_legal_name, counterparty_legal_address_line_1,"
        " counterparty_legal_address_line_2, counterparty_legal_district, counterparty_legal_city,"
        " counterparty_legal_postal_code, counterparty_legal_country, counterparty_legal_phone_number",
        expected_counterparties,
    ),
    "erp.dim_currency": ("currency_id, currency_code, currency_name", expected_currencies),
    "erp.dim_design": ("design_id, design_name, file_location, file_name", expected_designs),
    "erp.dim_payment_type": ("payment_type_id, payment_type_name", expected_payment_types),
    "erp.dim_transaction": (
        "transaction_id, transaction_type, sales_order_id, purchase_order_id",
        expected_transactions,
    ),
}


def star_mismatches(
    run_query: Callable[[str], list[tuple]], truth_dir: Path, changed_since: dict[str, set[int]] | None = None
) -> dict[str, str]:
    """Per star table that differs from the truth: how (missing and unexpected rows, with an example).

    `changed_since` names per table the keys the source changed after the truth was written: those rows are left
    out of the comparison (the caller checks them against the source).
    """
    mismatches = {}
    for table, (columns, expected_rows) in STARS.items():
        actual = run_query(f"select {columns} from {table}")
        assert len(actual) == len(set(actual)), f"{table} holds a row twice"
        left_out = (changed_since or {}).get(table, set())
        actual = {row for row in actual if row[0] not in left_out}
        expected = {row for row in expected_rows(truth_dir) if row[0] not in left_out}
        missing, unexpected = expected - actual, actual - expected
        if missing or unexpected:
            mismatches[table] = (
                f"{len(missing)} missing (e.g. {sorted(missing)[:1]}), {len(unexpected)} unexpected"
                f" (e.g. {sorted(unexpected)[:1]})"
            )
    return mismatches


def test_every_star_row_and_attribute_equals_the_ground_truth(built_warehouse: BuiltWarehouse, report_figure) -> None:
    connection, truth_dir = built_warehouse.connection, built_warehouse.settings.truth_dir

    mismatches = star_mismatches(lambda statement: query(connection, statement), truth_dir)

    assert not mismatches, mismatches
    compared = sum(len(expected(truth_dir)) for _, expected in STARS.values())
    report_figure(f"ERP stars: {compared:,} rows of 10 star tables equal the ground truth (100%)")


def test_day_one_facts_hold_one_version_per_source_row(built_warehouse: BuiltWarehouse) -> None:
    connection, truth_dir = built_warehouse.connection, built_warehouse.settings.truth_dir
    for fact, table in [
        ("fact_sales_order", "sales_order"),
        ("fact_purchase_order", "purchase_order"),
        ("fact_payment", "payment"),
    ]:
        assert query(connection, f"select count(*) from erp.{fact}")[0][0] == len(truth(truth_dir, table)), fact


def test_the_data_quality_marts_count_every_erp_version_as_clean_and_flag_nothing(
    built_warehouse: BuiltWarehouse,
) -> None:
    """Day 1 of the sample has no defect: every captured version is a clean fact row, and no issue is flagged."""
    connection, truth_dir = built_warehouse.connection, built_warehouse.settings.truth_dir
    figures = {
        row[0]: row[1:]
        for row in query(
            connection,
            "select source_name, sum(rows_in), sum(clean_rows), bool_and(is_reconciled), min(integrity),"
            " min(consistency) from marts.rpt_data_quality where source_name like 'erp.%' group by 1",
        )
    }
    assert figures == {
        f"erp.{table}": (len(truth(truth_dir, table)), len(truth(truth_dir, table)), True, 1, 1)
        for table in ("sales_order", "purchase_order", "payment")
    }
    flagged = query(
        connection,
        "select count(distinct (source_name, issue_code)), sum(row_count) from marts.rpt_data_quality_issues"
        " where source_name like 'erp.%' and issue_category = 'flagged'",
    )
    assert flagged == [(24, 0)]


def test_the_date_dimension_covers_every_fact_date_with_correct_attributes(built_warehouse: BuiltWarehouse) -> None:
    connection = built_warehouse.connection
    referenced = {
        row[0]
        for row in query(
            connection,
            "select created_date from erp.fact_sales_order union select agreed_delivery_date from erp.fact_sales_order"
            " union select agreed_payment_date from erp.fact_purchase_order"
            " union select payment_date from erp.fact_payment",
        )
    }
    calendar = {
        row[0]: row[1:]
        for row in query(
            connection, "select date_id, year, month, day, day_of_week, day_name, month_name, quarter from erp.dim_date"
        )
    }

    assert referenced <= set(calendar)
    assert len(calendar) == (max(calendar) - min(calendar)).days + 1, "the calendar has a gap"
    for when in (min(calendar), max(referenced), date(2025, 3, 30)):
        assert calendar[when] == (
            when.year,
            when.month,
            when.day,
            when.isoweekday(),
            when.strftime("%A"),
            when.strftime("%B"),
            (when.month - 1) // 3 + 1,
        )


# Day 1 is the `warehouse run` of conftest's ran_template, copied (the group keeps its users on one xdist worker).
@pytest.mark.xdist_group("ran")
def test_source_changes_reach_the_stars_on_refresh_with_every_version_kept(ran: Workspace) -> None:
    """Day 2 of the ERP (new orders, payments becoming paid, corrections) and a scripted UPDATE of an order and a
    payment reach the stars on the next `warehouse refresh`; each fact keeps the versions before the change."""
    settings = ran.settings
    erp_dsn = ran.server.libpq_dsn(ran.erp_dbname)
    generate_erp(dsn=erp_dsn, truth_dir=settings.truth_dir, day=2)

    def in_source(statement: str) -> list[tuple]:
        return query(ran.server, statement, ran.erp_dbname)

    # An operator's corrections, stamped as the source stamps them: a new last_updated, after every other. The
    # order's payment is left as it was, so it no longer matches its order.
    in_source(
        "update sales_order set units_sold = units_sold + 1, last_updated = (select max(last_updated)"
        " + interval '1 second' from sales_order) where sales_order_id = 7 returning sales_order_id"
    )
    in_source(
        "update payment set paid = not paid, last_updated = (select max(last_updated) + interval '1 second'"
        " from payment) where payment_id = 11 returning payment_id"
    )
    versions_before = {
        fact: ran.query(f"select count(*) from erp.{fact}")[0][0]
        for fact in ("fact_sales_order", "fact_purchase_order", "fact_payment")
    }

    refreshed = ran.cli("refresh")

    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    # Day 2 as the truth has it, everywhere but the two rows changed after it.
    changed = {"erp.fact_sales_order_current": {7}, "erp.fact_payment_current": {11}}
    assert not star_mismatches(ran.query, settings.truth_dir, changed)
    # The two changed rows: the current state is the source's, and the version before it is kept beside it.
    units = ran.query(
        "select units_sold from erp.fact_sales_order where sales_order_id = 7"
        " order by last_updated_date, last_updated_time"
    )
    assert units[-1] == in_source("select units_sold from sales_order where sales_order_id = 7")[0]
    assert len(units) >= 2 and units[-1][0] == units[-2][0] + 1
    assert ran.query("select units_sold from erp.fact_sales_order_current where sales_order_id = 7") == units[-1:]
    paid = ran.query(
        "select paid from erp.fact_payment where payment_id = 11 order by last_updated_date, last_updated_time"
    )
    assert paid[-1] == in_source("select paid from payment where payment_id = 11")[0]
    assert len(paid) >= 2 and paid[-1] != paid[-2]
    assert ran.query("select paid from erp.fact_payment_current where payment_id = 11") == paid[-1:]
    # The data-quality mart flags the payment of order 7, which no longer matches it; nothing else.
    flagged = ran.query(
        "select source_name, issue_code, sum(row_count) from marts.rpt_data_quality_issues"
        " where source_name like 'erp.%' and issue_category = 'flagged' group by 1, 2 having sum(row_count) > 0"
    )
    assert flagged == [("erp.payment", "payment_amount_mismatch", 1)]
    # Every captured version is a fact row: the raw tables and the facts agree, and each grew.
    for fact, raw in [
        ("fact_sales_order", "erp_sales_order"),
        ("fact_purchase_order", "erp_purchase_order"),
        ("fact_payment", "erp_payment"),
    ]:
        in_fact = ran.query(f"select count(*) from erp.{fact}")[0][0]
        assert in_fact == ran.query(f"select count(*) from raw.{raw}")[0][0] > versions_before[fact], fact
    # An operator's build of the checks alone after an ingest (their staging and latest tables not brought up to
    # date) claims no load it has not read: the next build still checks the corrected order's payment.
    in_source(
        "update sales_order set unit_price = unit_price + 1, last_updated = (select max(last_updated)"
        " + interval '1 second' from sales_order) where sales_order_id = 8 returning sales_order_id"
    )
    assert ran.cli("ingest").returncode == 0
    checks = ("int_erp_sales_orders_checked", "int_erp_purchase_orders_checked", "int_erp_payments_checked")
    assert ran.cli("build", "--", "--select", *checks, "--exclude-resource-type", "test").returncode == 0
    built = ran.cli("build", "--", "--exclude-resource-type", "test")
    assert built.returncode == 0, built.stderr[-3000:]
    flagged = ran.query(
        "select issue_code, sum(row_count) from marts.rpt_data_quality_issues"
        " where source_name = 'erp.payment' and issue_category = 'flagged' group by 1 having sum(row_count) > 0"
    )
    assert flagged == [("payment_amount_mismatch", 2)]
    # Every incremental ERP model (staging, latest versions, checks, facts) and the data-quality counts are what a
    # full rebuild makes of the same raw rows, record ids included; only when a version was last checked differs.
    incremental_models = (
        "stg_erp__sales_orders",
        "stg_erp__purchase_orders",
        "stg_erp__transactions",
        "stg_erp__payments",
    )
    compared = [
        *(f"staging.{model}" for model in incremental_models),
        *(
            f"intermediate.int_erp_{entity}_latest"
            for entity in ("sales_orders", "purchase_orders", "transactions", "payments")
        ),
        *(
            f"intermediate.int_erp_{entity}_{kind}"
            for entity in ("sales_orders", "purchase_orders", "payments")
            for kind in ("checked", "issues_counted")
        ),
        "erp.fact_sales_order",
        "erp.fact_purchase_order",
        "erp.fact_payment",
        "erp.dim_transaction",
    ]
    fingerprint = " union all ".join(
        f"select '{relation}', md5(string_agg((to_jsonb(row) - 'checked_through_load_id')::text, '|'"
        f" order by (to_jsonb(row) - 'checked_through_load_id')::text)) from {relation} as row"
        for relation in compared
    )
    incremental = dict(ran.query(fingerprint))
    rebuilt = ran.cli(
        "build",
        "--",
        "--full-refresh",
        "--select",
        *(f"{model}+" for model in incremental_models),
        "--exclude-resource-type",
        "test",
    )
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert dict(ran.query(fingerprint)) == incremental


def test_the_run_summary_gives_the_erp_headlines_from_the_stars(built_warehouse: BuiltWarehouse) -> None:
    truth_dir = built_warehouse.settings.truth_dir
    lines = {line.split("  ")[1].strip(): line.split()[-1] for line in headline_figures(built_warehouse.connection)}

    assert lines["ERP sales orders (current)"] == f"{len(truth(truth_dir, 'sales_order')):,}"
    unpaid = [row for row in truth(truth_dir, "payment") if row["paid"] == "false"]
    assert lines["ERP payments not yet paid"] == f"{len(unpaid):,}"
