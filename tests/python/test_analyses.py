"""The analyses (analyses/): each compiles and runs as the analyst role; the ERP's agree with its facts and truth."""

from __future__ import annotations

import csv
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from conftest import BuiltWarehouse, query

from warehouse.database import ANALYST_DEMO_LOGIN
from warehouse.dbt_runner import dbt_environment, dbt_executable
from warehouse.sample.erp_generator import TRUTH_FOLDER
from warehouse.settings import PROJECT_DIR

ANALYSES = sorted(path.stem for path in (PROJECT_DIR / "analyses").rglob("*.sql"))


@pytest.fixture(scope="module")
def analyses(built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every analysis compiled by dbt against the built warehouse: name -> SQL."""
    target = tmp_path_factory.mktemp("analyses")
    result = subprocess.run(
        [dbt_executable(), "compile", "--select", "resource_type:analysis", "--no-use-colors", "--quiet"],
        cwd=built_warehouse.settings.project_dir,
        env={
            **dbt_environment(built_warehouse.connection, built_warehouse.settings),
            "DBT_TARGET_PATH": str(target / "target"),
            "DBT_LOG_PATH": str(target / "logs"),
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    compiled = target / "target" / "compiled" / "customer_warehouse" / "analyses"
    return {path.stem: path.read_text(encoding="utf-8") for path in compiled.rglob("*.sql")}


def as_analyst(built: BuiltWarehouse, statement: str) -> list[tuple]:
    with psycopg2.connect(built.connection.libpq_dsn(), user=ANALYST_DEMO_LOGIN) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def test_every_analysis_compiles_and_answers_the_analyst(analyses: dict[str, str], built_warehouse) -> None:
    """An analyst can run each one as it is: it reads only what the analyst role may read, and finds rows."""
    assert sorted(analyses) == ANALYSES
    empty = [name for name, sql in analyses.items() if not as_analyst(built_warehouse, sql)]
    assert not empty, f"analyses without rows on the sample warehouse: {empty}"


def _sum_by(rows: list[tuple], key: int, value: int) -> dict[object, Decimal]:
    sums: dict[object, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[row[key]] += row[value]
    return dict(sums)


def test_the_erp_analyses_add_up_to_the_current_orders_and_the_unpaid_payments_of_the_truth(
    analyses: dict[str, str], built_warehouse: BuiltWarehouse
) -> None:
    def run(name: str) -> list[tuple]:
        return as_analyst(built_warehouse, analyses[name])

    # Independent figures: the current state of each order, straight from the facts, per currency.
    sales = dict(
        query(
            built_warehouse.connection,
            """
            select currencies.currency_code, sum(orders.units_sold * orders.unit_price)
            from erp.fact_sales_order_current as orders
            inner join erp.dim_currency as currencies on orders.currency_id = currencies.currency_id
            group by 1
            """,
        )
    )
    purchases = dict(
        query(
            built_warehouse.connection,
            """
            select currencies.currency_code, sum(orders.item_quantity * orders.item_unit_price)
            from erp.fact_purchase_order_current as orders
            inner join erp.dim_currency as currencies on orders.currency_id = currencies.currency_id
            group by 1
            """,
        )
    )
    sales_orders = query(built_warehouse.connection, "select count(*) from erp.fact_sales_order_current")[0][0]
    assert len(sales) == 3 and sales_orders > 0

    # month_start, currency_code, sales_orders, units_sold, sales_value
    by_month = run("erp_sales_by_month_and_currency")
    assert _sum_by(by_month, 1, 4) == sales
    assert sum(row[2] for row in by_month) == sales_orders

    # month_start, currency_code, sales_value, purchase_value, sales_less_purchases
    trade = run("erp_purchases_vs_sales_by_month")
    assert _sum_by(trade, 1, 2) == sales
    assert _sum_by(trade, 1, 3) == purchases
    assert all(row[4] == row[2] - row[3] for row in trade)

    # department_name, currency_code, sales_orders, staff_selling, units_sold, sales_value: every order counted once
    departments = run("erp_sales_by_department")
    assert _sum_by(departments, 1, 5) == sales
    assert sum(row[2] for row in departments) == sales_orders

    # currency_code, value_rank, counterparty_id, counterparty_legal_name, sales_orders, sales_value
    counterparties = run("erp_top_counterparties")
    per_counterparty = dict(
        query(
            built_warehouse.connection,
            """
            select currencies.currency_code || '/' || orders.counterparty_id, sum(orders.units_sold * orders.unit_price)
            from erp.fact_sales_order_current as orders
            inner join erp.dim_currency as currencies on orders.currency_id = currencies.currency_id
            group by currencies.currency_code, orders.counterparty_id
            """,
        )
    )
    for code in sales:
        best = sorted((value for key, value in per_counterparty.items() if key.startswith(f"{code}/")), reverse=True)
        shown = [row for row in counterparties if row[0] == code]
        assert [row[5] for row in shown] == best[: len(shown)] and len(shown) >= 10, code
        assert all(per_counterparty[f"{code}/{row[2]}"] == row[5] for row in shown)

    # units_rank, design_id, design_name, sales_orders, units_sold
    designs = run("erp_top_designs")
    units = dict(
        query(
            built_warehouse.connection,
            "select design_id, sum(units_sold) from erp.fact_sales_order_current group by design_id",
        )
    )
    assert [row[4] for row in designs] == sorted(units.values(), reverse=True)[: len(designs)]
    assert len(designs) >= 10 and all(units[row[1]] == row[4] for row in designs)

    # One row per unpaid payment: exactly the payments the ERP's ground truth holds as not paid.
    truth = Path(built_warehouse.settings.truth_dir) / TRUTH_FOLDER / "payment.csv"
    with truth.open(newline="", encoding="utf-8") as handle:
        unpaid = {int(row["payment_id"]) for row in csv.DictReader(handle) if row["paid"] == "false"}
    outstanding = run("erp_outstanding_payments")
    assert unpaid and len(outstanding) == len(unpaid)
    assert {row[0] for row in outstanding} == unpaid
