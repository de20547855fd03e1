"""The HTML report, opened in headless Chromium: offline, every chart drawn, the numbers those of the marts."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from browser import open_page, screenshot, serve_folder
from conftest import Workspace, query

from warehouse import run_log
from warehouse.database import Connection
from warehouse.dbt_runner import run_dbt
from warehouse.errors import WarehouseError
from warehouse.report import TITLE, TOP_CUSTOMERS, write_report

# chart id -> the mart rows it draws, in order: (bar label, bar value), one bar per row.
CHART_ROWS = {
    "chart-age-bands": """
        select age_band, high_value_customers
        from marts.rpt_high_value_customers_by_age_band
        order by age_band_order
    """,
    "chart-countries": """
        select country_name || ' (' || country_code || ')', high_value_customers
        from marts.rpt_high_value_customers_by_country
        order by high_value_customers desc, country_code
    """,
    "chart-spend": """
        select country_name || ' (' || country_code || ')', total_spent
        from marts.rpt_spend_by_country
        order by total_spent desc, country_code
    """,
    "chart-top-customers": f"""
        select customer_id, total_spent
        from marts.dim_customers
        order by total_spent desc, customer_id
        limit {TOP_CUSTOMERS}
    """,
}
HORIZONTAL_CHARTS = {"chart-countries", "chart-spend", "chart-top-customers"}


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
        # plotly draws each chart from the page's inline scripts; wait until all four have their bars
        page.wait_for_function(
            "ids => ids.every(id => document.querySelector(`#${id} .trace.bars`))",
            arg=sorted(CHART_ROWS),
            timeout=10_000,
        )
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
    expected = [(str(label), float(value)) for label, value in _rows(built_warehouse, CHART_ROWS[chart_id])]
    assert expected, "the mart has rows to draw"
    figure = page.locator(f"figure#{chart_id}-figure")
    assert figure.get_attribute("aria-labelledby") == f"{chart_id}-title"
    assert page.locator(f"#{chart_id}-title").text_content().strip(), "each chart has a caption"
    # What plotly was given (the figure's one bar trace) and what it drew (one SVG path per bar).
    chart = page.evaluate(
        """(id) => {
            const plot = document.getElementById(id);
            const trace = plot.data[0];
            return {
                traces: plot.data.length, type: trace.type, orientation: trace.orientation,
                x: Array.from(trace.x), y: Array.from(trace.y), text: Array.from(trace.text),
                bars: [...plot.querySelectorAll('.trace.bars .point path')].map(bar => {
                    const box = bar.getBBox();
                    return {width: box.width, height: box.height};
                }),
            };
        }""",
        chart_id,
    )
    horizontal = chart_id in HORIZONTAL_CHARTS
    labels, values = (chart["y"], chart["x"]) if horizontal else (chart["x"], chart["y"])
    assert chart["traces"] == 1 and chart["type"] == "bar"
    assert chart["orientation"] == ("h" if horizontal else "v")
    assert list(zip(labels, values, strict=True)) == expected
    assert len(chart["text"]) == len(expected) and all(chart["text"]), "each bar is labelled with its value"
    # Drawn: one bar per row, its length proportional to its value (a zero is a bar of no length).
    lengths = [bar["width" if horizontal else "height"] for bar in chart["bars"]]
    assert len(lengths) == len(expected)
    largest = max(values)
    assert largest > 0
    longest = max(lengths)
    for value, length in zip(values, lengths, strict=True):
        assert length == pytest.approx(longest * value / largest, abs=1.0), (value, length)


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
    # The chart's bar labels are the table's high-value counts, row for row.
    bar_texts = page.evaluate("Array.from(document.getElementById('chart-countries').data[0].text)")
    assert bar_texts == [row[2] for row in _table(page, "table-countries")]


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


def test_report_shows_the_threshold_dbt_ran_with(report_page, built_warehouse, tmp_path: Path, monkeypatch) -> None:
    """A build with `--vars '{high_value_threshold: 750}'` reports 750 and the high-value figures above it."""
    server, dbname = built_warehouse.connection, f"{built_warehouse.connection.dbname}_threshold"
    # A copy of the shared built warehouse, so the other tests keep reading the marts built with the default.
    _admin(server, f"create database {dbname} template {server.dbname}")
    try:
        copy = Connection(**{**server.__dict__, "dbname": dbname})
        monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
        run_dbt(
            [
                "run",
                "--select",
                "dim_customers+",
                "--vars",
                "{high_value_threshold: 750}",
            ],
            copy,
            built_warehouse.settings,
        )
        report = write_report(copy, tmp_path / "report.html")
        # Independent of the marts' arithmetic: active customers above 750 per band, from dim_customers.
        above_750 = dict(
            query(
                copy,
                """
                select age_band, count(*) filter (where is_active and total_spent > 750)
                from marts.dim_customers
                group by age_band
                """,
            )
        )
        # A second tab of the module's browser (Playwright's sync API runs one browser per thread at a time).
        errors: list[str] = []
        page = report_page[0].context.browser.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            with serve_folder(report.parent) as base:
                page.goto(f"{base}/{report.name}", wait_until="load")
            assert page.locator("#threshold").inner_text() == "> $750"
            assert "spent > $750 in total" in page.locator("#age-bands > p").inner_text()
            figure = page.locator("li[data-figure='high-value customers (> $750)'] strong").inner_text()
            assert _number(figure) == sum(above_750.values())
            shown = {row[0]: _number(row[2]) for row in _table(page, "table-age-bands")}
            assert shown == {band: above_750.get(band, 0) for band in shown}
            assert errors == []
        finally:
            page.close()
        # ... and the shared warehouse still has the marts of the default threshold
        default_count = _rows(built_warehouse, "select count(*) from marts.rpt_high_value_customers")[0][0]
        assert sum(above_750.values()) < default_count
    finally:
        _admin(server, f"drop database if exists {dbname} with (force)")


def _admin(server: Connection, statement: str) -> None:
    """Run a statement that cannot run in a transaction (create/drop database) on the server's postgres database."""
    conn = psycopg2.connect(server.libpq_dsn("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()
