"""The report's ERP page, opened in headless Chromium: offline, linked, its figures those of the ERP's facts."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest
from browser import open_page, screenshot, serve_folder
from conftest import query

from warehouse.report import page_path, write_report
from warehouse.report_erp import PAGE, TITLE, TOP_DESIGNS
from warehouse.sample.erp_generator import TRUTH_FOLDER

CHARTS = ("chart-monthly-sales", "chart-purchases-vs-sales", "chart-top-designs", "chart-outstanding-payments")


def _number(text: str) -> Decimal:
    """A figure as the page shows it (£1,234.56 / $1,234.56 / €1,234.56 / 1,234) back to a number."""
    return Decimal(re.sub(r"[£$€,\s]", "", text))


def _table(page, table_id: str) -> list[list[str]]:
    return page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} tbody tr`)]
            .map(row => [...row.children].map(cell => cell.textContent.trim()))""",
        table_id,
    )


def _traces(page, chart_id: str) -> list[dict]:
    return page.evaluate(
        "(id) => Array.from(document.getElementById(id).data)"
        ".map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y), axis: t.xaxis || 'x'}))",
        chart_id,
    )


@pytest.fixture(scope="module")
def erp_page(built_warehouse, tmp_path_factory: pytest.TempPathFactory):
    """Every page written, the ERP page open over HTTP on 127.0.0.1 (page, what it logged, its URL, customer page)."""
    customers = write_report(built_warehouse.connection, tmp_path_factory.mktemp("report") / "report.html")
    erp = page_path(customers, PAGE)
    with serve_folder(customers.parent) as base, open_page(f"{base}/{erp.name}") as (page, log):
        page.wait_for_function(
            "ids => ids.every(id => document.getElementById(id) && document.getElementById(id).data)",
            arg=list(CHARTS),
            timeout=10_000,
        )
        screenshot(page, "report_erp.png")
        yield page, log, f"{base}/{erp.name}", customers


def test_the_erp_page_loads_offline_and_links_to_the_other_pages(erp_page) -> None:
    page, log, url, customers = erp_page
    assert page.title() == TITLE
    assert log.console_errors == [] and log.page_errors == []
    assert log.requests == [url]  # self-contained: nothing fetched but the page
    links = page.locator("nav.pages a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        customers.name,
        "report_branches.html",
    ]
    for other in (customers, customers.with_name("report_branches.html")):
        assert 'href="report_erp.html"' in other.read_text(encoding="utf-8"), other.name
    for chart_id in CHARTS:
        assert page.locator(f"#{chart_id} .trace.bars .point path").count() > 0, chart_id


def test_monthly_sales_and_purchases_are_the_sums_of_the_current_orders(erp_page, built_warehouse) -> None:
    page, _, _, _ = erp_page
    # Independent of the mart: the current state of each order (not the history facts), per month and currency.
    sales = query(
        built_warehouse.connection,
        """
        select to_char(orders.created_date, 'YYYY-MM'), currencies.currency_code, count(*),
            sum(orders.units_sold * orders.unit_price)
        from erp.fact_sales_order_current as orders
        inner join erp.dim_currency as currencies on orders.currency_id = currencies.currency_id
        group by 1, 2
        """,
    )
    purchases = query(
        built_warehouse.connection,
        """
        select to_char(orders.created_date, 'YYYY-MM'), currencies.currency_code, count(*),
            sum(orders.item_quantity * orders.item_unit_price)
        from erp.fact_purchase_order_current as orders
        inner join erp.dim_currency as currencies on orders.currency_id = currencies.currency_id
        group by 1, 2
        """,
    )
    assert len({month for month, *_ in sales}) >= 3 and len({code for _, code, *_ in sales}) == 3
    expected_sales = {(month, code): (count, value) for month, code, count, value in sales}
    expected_purchases = {(month, code): (count, value) for month, code, count, value in purchases}

    table = {(row[0], row[1]): row[2:] for row in _table(page, "table-monthly-trade")}
    assert set(table) == set(expected_sales) | set(expected_purchases)
    for key, (sales_orders, sales_value, purchase_orders, purchase_value) in table.items():
        assert (_number(sales_orders), _number(sales_value)) == expected_sales.get(key, (0, 0)), key
        assert (_number(purchase_orders), _number(purchase_value)) == expected_purchases.get(key, (0, 0)), key

    drawn = {
        (month, trace["name"]): value
        for trace in _traces(page, "chart-monthly-sales")
        for month, value in zip(trace["x"], trace["y"], strict=True)
    }
    assert drawn == {key: float(value) for key, (_, value) in expected_sales.items()}

    # Purchases vs sales: one panel per currency (its own x axis), a Sales and a Purchases trace in each.
    panels = page.evaluate(
        "(() => { const d = document.getElementById('chart-purchases-vs-sales');"
        " return d.layout.annotations.map(a => a.text); })()"
    )
    assert sorted(panels) == sorted({code for _, code in expected_sales})
    axis_currency = {"x" if n == 1 else f"x{n}": code for n, code in enumerate(panels, start=1)}
    bars = {
        (trace["name"], month, axis_currency[trace["axis"]]): value
        for trace in _traces(page, "chart-purchases-vs-sales")
        for month, value in zip(trace["x"], trace["y"], strict=True)
    }
    expected_bars = {("Sales", *key): float(value) for key, (_, value) in expected_sales.items()}
    expected_bars |= {("Purchases", *key): float(value) for key, (_, value) in expected_purchases.items()}
    assert {key: value for key, value in bars.items() if value} == expected_bars


def test_top_designs_are_the_units_of_the_current_sales_orders(erp_page, built_warehouse) -> None:
    page, _, _, _ = erp_page
    units = dict(
        query(
            built_warehouse.connection,
            """
            select designs.design_name || ' (#' || orders.design_id || ')', sum(orders.units_sold)
            from erp.fact_sales_order_current as orders
            inner join erp.dim_design as designs on orders.design_id = designs.design_id
            group by designs.design_name, orders.design_id
            """,
        )
    )
    chart = page.evaluate(
        "(() => { const t = document.getElementById('chart-top-designs').data[0]; "
        "return [Array.from(t.y), Array.from(t.x)]; })()"
    )
    shown = list(zip(*chart, strict=True))
    # The most sold, in order (designs tied on units may come in either order), each with its own units.
    assert [sold for _, sold in shown] == [float(value) for value in sorted(units.values(), reverse=True)[:TOP_DESIGNS]]
    assert all(float(units[label]) == sold for label, sold in shown)


def test_outstanding_payments_are_the_unpaid_payments_of_the_ground_truth(erp_page, built_warehouse) -> None:
    page, _, _, _ = erp_page
    truth = built_warehouse.settings.truth_dir / TRUTH_FOLDER / "payment.csv"
    with truth.open(newline="", encoding="utf-8") as handle:
        unpaid_in_source = sum(row["paid"] == "false" for row in csv.DictReader(handle))
    assert unpaid_in_source > 0
    headline = page.locator("li[data-figure='unpaid payments'] strong").inner_text()
    assert _number(headline) == unpaid_in_source

    # Per type and currency, from the current payments (not the history fact, where a paid payment was unpaid once).
    expected = query(
        built_warehouse.connection,
        """
        select types.payment_type_name, currencies.currency_code, count(*), sum(payments.payment_amount),
            min(payments.payment_date)
        from erp.fact_payment_current as payments
        inner join erp.dim_payment_type as types on payments.payment_type_id = types.payment_type_id
        inner join erp.dim_currency as currencies on payments.currency_id = currencies.currency_id
        where not payments.paid
        group by 1, 2
        order by 1, 2
        """,
    )
    shown = [
        (kind, code, int(_number(count)), _number(total), first)
        for kind, code, count, total, first in _table(page, "table-outstanding-payments")
    ]
    assert shown == [(kind, code, count, total, first.isoformat()) for kind, code, count, total, first in expected]
    drawn = {
        (trace["name"], code): value
        for trace in _traces(page, "chart-outstanding-payments")
        for code, value in zip(trace["x"], trace["y"], strict=True)
    }
    assert drawn == {(kind, code): float(total) for kind, code, _, total, _ in expected}
