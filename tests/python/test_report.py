"""The HTML report, opened in headless Chromium: offline, every chart drawn, the numbers those of the marts."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from browser import open_page, screenshot, serve_folder
from conftest import Workspace

from warehouse import run_log
from warehouse.errors import WarehouseError
from warehouse.report import TITLE, TOP_CUSTOMERS, write_report

# chart id -> how many rows its mart gives (one bar per row).
CHART_ROWS = {
    "chart-age-bands": "select count(*) from marts.rpt_high_value_customers_by_age_band",
    "chart-countries": "select count(*) from marts.rpt_high_value_customers_by_country",
    "chart-spend": "select count(distinct country_code) from marts.dim_customers",
    "chart-top-customers": f"select least(count(*), {TOP_CUSTOMERS}) from marts.dim_customers",
}


def _rows(built_warehouse, statement: str) -> list[tuple]:
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def _number(text: str) -> Decimal:
    """A figure as the page shows it ($1,234.56 / 1,234 / 12.3%) back to a number."""
    return Decimal(re.sub(r"[$,%\s]", "", text))


def _table(page, table_id: str) -> list[list[str]]:
    return page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} tbody tr`)]
            .map(row => [...row.children].map(cell => cell.textContent.trim()))""",
        table_id,
    )


@pytest.fixture(scope="module")
def report_path(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(built_warehouse.connection, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def report_page(report_path: Path):
    """The report opened over HTTP on 127.0.0.1 in headless Chromium (page, what it logged, its URL)."""
    with serve_folder(report_path.parent) as base, open_page(f"{base}/{report_path.name}") as (page, log):
        yield page, log, f"{base}/{report_path.name}"


def test_report_loads_offline_without_errors(report_page) -> None:
    page, log, url = report_page
    assert page.title() == TITLE
    assert page.locator("h1").inner_text() == TITLE
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page.locator("#generated-at").inner_text())
    assert page.locator("#threshold").inner_text() == "> $500"
    assert log.console_errors == []
    assert log.page_errors == []
    # The page is self-contained: the only request is the page itself (no CDN, font, script or image).
    assert log.requests == [url]
    assert log.failed_requests == [] and log.bad_responses == []
    path = screenshot(page, "report.png")
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("chart_id", sorted(CHART_ROWS))
def test_each_chart_draws_one_bar_per_mart_row_sized_by_value(report_page, built_warehouse, chart_id: str) -> None:
    page, _, _ = report_page
    chart = page.locator(f"svg#{chart_id}")
    assert chart.get_attribute("role") == "img"
    title = page.locator(f"#{chart_id}-title").text_content()
    assert title and chart.get_attribute("aria-labelledby").startswith(f"{chart_id}-title")
    expected_bars = _rows(built_warehouse, CHART_ROWS[chart_id])[0][0]
    bars = page.evaluate(
        """(id) => [...document.querySelectorAll(`svg#${id} rect.bar`)].map(bar => {
            const box = bar.getBBox();
            return {value: Number(bar.dataset.value), width: box.width, height: box.height,
                    title: bar.querySelector('title').textContent};
        })""",
        chart_id,
    )
    assert expected_bars > 0
    assert len(bars) == expected_bars
    assert all(bar["width"] > 0 and bar["height"] > 0 for bar in bars), "every bar is drawn"
    # The bar's length follows its value: the largest value has the longest bar, a zero the shortest.
    length = "height" if chart_id == "chart-age-bands" else "width"
    largest = max(bars, key=lambda bar: bar["value"])
    smallest = min(bars, key=lambda bar: bar["value"])
    assert largest[length] == max(bar[length] for bar in bars)
    assert smallest[length] == min(bar[length] for bar in bars)
    assert largest[length] > smallest[length]
    assert all(bar["title"] for bar in bars), "each bar has a <title> for screen readers"


def test_age_band_and_country_figures_match_the_marts(report_page, built_warehouse) -> None:
    page, _, _ = report_page
    age_bands = _rows(
        built_warehouse,
        "select age_band, active_customers, high_value_customers, total_spent "
        "from marts.rpt_high_value_customers_by_age_band order by age_band_order",
    )
    shown = _table(page, "table-age-bands")
    assert [(row[0], _number(row[1]), _number(row[2]), _number(row[5])) for row in shown] == age_bands

    countries = _rows(
        built_warehouse,
        "select country_code, high_value_customers, total_spent from marts.rpt_high_value_customers_by_country",
    )
    shown = {re.search(r"\((\w\w)\)$", row[0]).group(1): (_number(row[2]), _number(row[5])) for row in
             _table(page, "table-countries")}  # fmt: skip
    assert shown == {code: (count, spent) for code, count, spent in countries}
    bar_titles = page.locator("svg#chart-countries rect.bar title").all_text_contents()
    assert sorted(bar_titles) == sorted(f"{row[0]}: {row[2]}" for row in _table(page, "table-countries"))


def test_spend_and_top_customers_match_the_transactions(report_page, built_warehouse) -> None:
    page, _, _ = report_page
    # Independent of the report's own query: sum the transaction fact per customer's country.
    spend = _rows(
        built_warehouse,
        """
        select customers.country_code, sum(transactions.amount)
        from marts.fct_transactions as transactions
        inner join marts.dim_customers as customers on transactions.customer_id = customers.customer_id
        group by customers.country_code
        """,
    )
    shown = {re.search(r"\((\w\w)\)$", row[0]).group(1): _number(row[3]) for row in _table(page, "table-spend")}
    assert {code: total for code, total in shown.items() if total} == dict(spend)

    top = _rows(
        built_warehouse,
        f"""
        select customer_id, sum(amount) as total
        from marts.fct_transactions
        group by customer_id
        order by total desc, customer_id
        limit {TOP_CUSTOMERS}
        """,
    )
    shown = [(row[0], _number(row[4])) for row in _table(page, "table-top-customers")]
    assert shown == top
    # Customer IDs only: no name column anywhere in the report.
    assert "name" not in [header.lower() for header in page.locator("#table-top-customers th").all_inner_texts()]


def test_headline_and_data_quality_match_the_marts(report_page, built_warehouse) -> None:
    page, _, _ = report_page
    high_value = _rows(built_warehouse, "select count(*) from marts.rpt_high_value_customers")[0][0]
    figure = page.locator("li[data-figure^='high-value customers'] strong").inner_text()
    assert _number(figure) == high_value

    latest = _rows(
        built_warehouse,
        """
        select distinct on (source_name) source_name, rows_in, clean_rows, rejected_rows, error_rate, is_reconciled
        from marts.rpt_data_quality
        order by source_name, loaded_at desc
        """,
    )
    headers = page.locator("#table-data-quality thead th").all_inner_texts()
    figures = {row[0]: row[1:] for row in _table(page, "table-data-quality")}
    assert headers[1:] == [source for source, *_ in latest]
    for column, (_, rows_in, clean, rejected, error_rate, reconciled) in enumerate(latest):
        assert _number(figures["Rows in"][column]) == rows_in
        assert _number(figures["Clean rows"][column]) == clean
        assert _number(figures["Rejected rows"][column]) == rejected
        assert figures["Error rate"][column] == f"{error_rate * 100:.1f}%"
        assert figures["Reconciled"][column] == ("yes" if reconciled else "no")


def test_report_shows_the_last_run_when_ops_run_log_exists(built_warehouse, tmp_path: Path) -> None:
    connection = built_warehouse.connection
    had_table = _rows(built_warehouse, "select to_regclass('ops.run_log') is not null")[0][0]
    if not had_table:
        assert 'id="last-run"' not in write_report(connection, tmp_path / "before.html").read_text()
    record = run_log.start_run(connection, "refresh")
    try:
        run_log.finish_run(connection, record, "failed", error="dbt build failed: model fct_transactions")
        text = write_report(connection, tmp_path / "after.html").read_text(encoding="utf-8")
    finally:
        with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
            cursor.execute("delete from ops.run_log where run_id = %s", (record.run_id,))
            if not had_table:
                cursor.execute("drop table ops.run_log")
    section = re.search(r'<section id="last-run".*?</section>', text, re.S)
    assert section, "the last run is shown"
    assert 'class="status-failed">failed<' in section.group(0)
    assert record.run_id in section.group(0) and "refresh" in section.group(0)
    assert "dbt build failed: model fct_transactions" in section.group(0)


def test_report_without_marts_tells_to_run_the_warehouse_first(workspace: Workspace, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    with pytest.raises(WarehouseError) as raised:
        write_report(workspace.connection, output)
    assert "marts.dim_customers" in raised.value.message
    assert "run `warehouse run` first" in raised.value.hint
    assert not output.exists()
