"""The report's branches page, opened in headless Chromium: offline, linked, its figures those of the tills facts."""

from __future__ import annotations

import re
from decimal import Decimal

import psycopg2
import pytest
from browser import open_page, serve_folder

from warehouse.report import page_path, write_report
from warehouse.report_branches import PAGE, TITLE, TOP_PRODUCTS

CHARTS = ("chart-branch-revenue", "chart-top-products", "chart-hourly-trade", "chart-average-spend")


def _rows(built_warehouse, statement: str) -> list[tuple]:
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def _number(text: str) -> Decimal:
    """A figure as the page shows it (£1,234.56 / 1,234) back to a number."""
    return Decimal(re.sub(r"[£,\s]", "", text))


def _table(page, table_id: str) -> list[list[str]]:
    return page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} tbody tr`)]
            .map(row => [...row.children].map(cell => cell.textContent.trim()))""",
        table_id,
    )


@pytest.fixture(scope="module")
def branches_page(built_warehouse, tmp_path_factory: pytest.TempPathFactory):
    """Both pages written, the branches page open over HTTP on 127.0.0.1 (page, what it logged, its URL, folder)."""
    customers = write_report(built_warehouse.connection, tmp_path_factory.mktemp("report") / "report.html")
    branches = page_path(customers, PAGE)
    with serve_folder(customers.parent) as base, open_page(f"{base}/{branches.name}") as (page, log):
        page.wait_for_function(
            "ids => ids.every(id => document.getElementById(id) && document.getElementById(id).data)",
            arg=list(CHARTS),
            timeout=10_000,
        )
        yield page, log, f"{base}/{branches.name}", customers


def test_the_branches_page_loads_offline_and_links_to_the_customer_page(branches_page) -> None:
    page, log, url, customers = branches_page
    assert page.title() == TITLE
    assert log.console_errors == [] and log.page_errors == []
    assert log.requests == [url]  # self-contained: nothing fetched but the page
    links = page.locator("nav.pages a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [customers.name, "report_erp.html"]
    assert 'href="report_branches.html"' in customers.read_text(encoding="utf-8")
    # Every chart is drawn: bars, or the heatmap's cells.
    for chart_id in CHARTS:
        drawn = page.locator(f"#{chart_id} .trace.bars .point path, #{chart_id} .hm image, #{chart_id} .heatmaplayer *")
        assert drawn.count() > 0, chart_id


def test_branch_revenue_and_ranking_are_sums_of_the_orders(branches_page, built_warehouse) -> None:
    page, _, _, _ = branches_page
    # Independent of the ranking mart: sum the order fact per branch.
    expected = _rows(
        built_warehouse,
        """
        select branches.branch_name, count(*), sum(orders.total)
        from tills.orders as orders
        inner join tills.branches as branches on orders.branch_id = branches.branch_id
        group by branches.branch_name
        order by sum(orders.total) desc, branches.branch_name
        """,
    )
    assert expected, "the built warehouse has till orders"
    shown = [(row[0], int(_number(row[1])), _number(row[2])) for row in _table(page, "table-branch-ranking")]
    assert shown == [(name, count, total) for name, count, total in expected]
    chart = page.evaluate("(() => { const t = document.getElementById('chart-branch-revenue').data[0]; "
                          "return [Array.from(t.y), Array.from(t.x)]; })()")  # fmt: skip
    assert chart == [[name for name, _, _ in expected], [float(total) for _, _, total in expected]]
    best = page.locator("li[data-figure='best branch by revenue'] strong").inner_text()
    assert best == expected[0][0]


def test_top_products_are_the_units_of_the_order_items(branches_page, built_warehouse) -> None:
    page, _, _, _ = branches_page
    # Independent of the mart: units per product from the order items.
    units = dict(
        _rows(
            built_warehouse,
            """
            select concat_ws(' ', products.size, products.product_name || coalesce(' - ' || products.flavour, '')),
                sum(items.quantity)
            from tills.order_items as items
            inner join tills.products as products on items.product_id = products.product_id
            group by products.product_id, products.size, products.product_name, products.flavour
            """,
        )
    )
    shown = [(row[0], _number(row[1])) for row in _table(page, "table-top-products")]
    # The most sold, in order (products tied on units may come in either order), each with its own units.
    assert [sold for _, sold in shown] == sorted(units.values(), reverse=True)[:TOP_PRODUCTS]
    assert all(units[name] == sold for name, sold in shown)


def test_hourly_trade_and_average_spend_draw_the_mart_rows(branches_page, built_warehouse) -> None:
    page, _, _, _ = branches_page
    hourly = _rows(
        built_warehouse,
        "select branch_name, hour_of_day, average_orders_per_trading_day from tills.rpt_tills_hourly_trade",
    )
    heatmap = page.evaluate(
        "(() => { const t = document.getElementById('chart-hourly-trade').data[0]; "
        "return {x: Array.from(t.x), y: Array.from(t.y), z: t.z.map(r => Array.from(r))}; })()"
    )
    drawn = {
        (branch, int(hour[:2])): value
        for branch, row in zip(heatmap["y"], heatmap["z"], strict=True)
        for hour, value in zip(heatmap["x"], row, strict=True)
        if value is not None
    }
    assert drawn == {(branch, hour): float(value) for branch, hour, value in hourly}

    # Average spend: each payment method's bar per branch is the mean order total of the fact.
    spend = _rows(
        built_warehouse,
        """
        select orders.payment_method, branches.branch_name, round(avg(orders.total), 2)
        from tills.orders as orders
        inner join tills.branches as branches on orders.branch_id = branches.branch_id
        group by 1, 2
        """,
    )
    traces = page.evaluate(
        "Array.from(document.getElementById('chart-average-spend').data)"
        ".map(t => [t.name, Array.from(t.x), Array.from(t.y)])"
    )
    bars = {(name, branch): value for name, xs, ys in traces for branch, value in zip(xs, ys, strict=True)}
    assert bars == {(method, branch): float(value) for method, branch, value in spend}
