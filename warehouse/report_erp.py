"""The ERP page of the report: the tote-bag company's sales, purchases and unpaid payments, from schema `erp`.

Written beside the customer page by warehouse/report.py (`<report>_erp.html`, PAGE), with the same rules: queries
read one mart each as it is (the rpt_erp_ marts, built on the current state of each order and payment), plotly
draws, the page works offline. Amounts stay in their currency: nothing is added across currencies.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import cycle

import plotly.graph_objects as go
from markupsafe import Markup
from plotly.subplots import make_subplots

from warehouse import report
from warehouse.report import Row

TITLE = "ERP report"
SCHEMA = "erp"
TOP_DESIGNS = 10
CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}
COLOURS = ("#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444")  # one per currency or payment type, in order
SALES_COLOUR, PURCHASES_COLOUR = COLOURS[0], COLOURS[1]

REQUIRED_MARTS = ("rpt_erp_monthly_trade", "rpt_erp_top_designs", "rpt_erp_outstanding_payments")

QUERIES = {
    "monthly": """
        select month_start, currency_id, currency_code, sales_orders, units_sold, sales_value, purchase_orders,
            purchase_value
        from erp.rpt_erp_monthly_trade
        order by month_start, currency_code, currency_id
    """,
    "top_designs": """
        select design_id, design_name, sales_orders, units_sold, units_rank
        from erp.rpt_erp_top_designs
        order by units_rank, design_id
        limit %(top_designs)s
    """,
    "outstanding": """
        select payment_type_name, payment_type_id, currency_code, currency_id, payment_count, outstanding_amount,
            earliest_payment_date
        from erp.rpt_erp_outstanding_payments
        order by payment_type_name, currency_code, payment_type_id, currency_id
    """,
}


@dataclass(frozen=True)
class ErpData:
    """Everything the ERP page shows, read from the rpt_erp_ marts."""

    generated_at: datetime
    monthly: list[Row]
    top_designs: list[Row]
    outstanding: list[Row]


def read_erp_data(cursor, generated_at: datetime) -> ErpData:
    """Query the ERP marts with a RealDictCursor; WarehouseError naming the missing marts."""
    report.require_marts(cursor, SCHEMA, REQUIRED_MARTS)
    results: dict[str, list[Row]] = {}
    for name, statement in QUERIES.items():
        cursor.execute(statement, {"top_designs": TOP_DESIGNS})
        results[name] = [dict(row) for row in cursor.fetchall()]
    return ErpData(generated_at=generated_at, **results)


# ---------------------------------------------------------------------------------------------------------------
# Formatting


def currency(row: Row) -> str:
    """The row's currency code (`currency 7` for one dim_currency does not hold)."""
    return str(row["currency_code"] or f"currency {row['currency_id']}")


def payment_type(row: Row) -> str:
    """The row's payment type name (`type 7` for one dim_payment_type does not hold)."""
    return str(row["payment_type_name"] or f"type {row['payment_type_id']}")


def amount(value: object, code: str) -> str:
    """£1,234.56, $1,234.56, €1,234.56 or `CHF 1,234.56`; a dash for no value."""
    if value is None:
        return report.EMPTY
    return f"{CURRENCY_SYMBOLS.get(code, code + ' ')}{Decimal(value):,.2f}"


def amount_short(value: object, code: str) -> str:
    """£1.2M, £45k or £999: a bar's label."""
    figure = Decimal(value or 0)
    symbol = CURRENCY_SYMBOLS.get(code, code + " ")
    if figure >= 1_000_000:
        return f"{symbol}{figure / 1_000_000:.1f}M"
    if figure >= 10_000:
        return f"{symbol}{figure / 1_000:.0f}k"
    return f"{symbol}{figure:,.0f}"


def month(value: date) -> str:
    """2025-03"""
    return value.strftime("%Y-%m")


def design(row: Row) -> str:
    """`Wooden (#12)`: design names repeat (twelve material words), the id tells them apart."""
    return f"{row['design_name'] or 'unknown design'} (#{row['design_id']})"


# ---------------------------------------------------------------------------------------------------------------
# Charts


def _layout(figure: go.Figure, height: int) -> None:
    figure.update_layout(
        barmode="group",
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        template="none",
        font={"family": report.FONT, "size": 12, "color": "#0f172a"},
        legend={"orientation": "h", "y": -0.15},
    )
    figure.update_xaxes(type="category", automargin=True)
    figure.update_yaxes(rangemode="tozero", automargin=True, gridcolor=report.GRID_COLOUR)


def _bars(name: str, xs: list[str], values: list[object], texts: list[str], colour: str, **options: object) -> go.Bar:
    """One trace of bars, `texts` the values as the hover shows them (with their currency)."""
    # plotly reads <b>, <a href=…> and entities in its labels: escaped, a value from the data shows as it is
    return go.Bar(
        name=html.escape(name, quote=False),
        x=[html.escape(x, quote=False) for x in xs],
        y=[float(value) for value in values],
        text=[html.escape(text, quote=False) for text in texts],
        textposition="none",
        marker_color=colour,
        hovertemplate="%{x}, " + html.escape(name, quote=False) + ": %{text}<extra></extra>",
        **options,
    )


def currencies(rows: list[Row]) -> list[str]:
    """The currencies of the rows, in order of first appearance."""
    return list(dict.fromkeys(currency(row) for row in rows))


def monthly_sales(chart_id: str, rows: list[Row]) -> Markup:
    """Sales value per month, one trace of bars per currency."""
    figure = go.Figure()
    for code, colour in zip(currencies(rows), cycle(COLOURS)):
        mine = [row for row in rows if currency(row) == code and row["sales_orders"]]
        values = [row["sales_value"] for row in mine]
        texts = [amount(value, code) for value in values]
        figure.add_trace(_bars(code, [month(row["month_start"]) for row in mine], values, texts, colour))
    _layout(figure, 380)
    return report.figure_html(figure, chart_id)


def purchases_vs_sales(chart_id: str, rows: list[Row]) -> Markup:
    """Sales and purchases per month, one panel per currency (its own axis: amounts are not comparable)."""
    codes = currencies(rows)
    figure = make_subplots(
        rows=1,
        cols=max(1, len(codes)),
        subplot_titles=[html.escape(code, quote=False) for code in codes],
        horizontal_spacing=0.06,
    )
    for column, code in enumerate(codes, start=1):
        mine = [row for row in rows if currency(row) == code]
        months = [month(row["month_start"]) for row in mine]
        for name, key, colour in (
            ("Sales", "sales_value", SALES_COLOUR),
            ("Purchases", "purchase_value", PURCHASES_COLOUR),
        ):
            values = [row[key] for row in mine]
            texts = [amount(value, code) for value in values]
            bars = _bars(name, months, values, texts, colour, legendgroup=name, showlegend=column == 1)
            figure.add_trace(bars, row=1, col=column)
    _layout(figure, 400)
    return report.figure_html(figure, chart_id)


def outstanding_payments(chart_id: str, rows: list[Row]) -> Markup:
    """Unpaid amounts per currency, one trace of bars per payment type."""
    figure = go.Figure()
    types = list(dict.fromkeys(payment_type(row) for row in rows))
    for name, colour in zip(types, cycle(COLOURS)):
        mine = [row for row in rows if payment_type(row) == name]
        values = [row["outstanding_amount"] for row in mine]
        texts = [amount(row["outstanding_amount"], currency(row)) for row in mine]
        figure.add_trace(_bars(name, [currency(row) for row in mine], values, texts, colour))
    _layout(figure, 340)
    return report.figure_html(figure, chart_id)


def charts(data: ErpData) -> dict[str, Markup]:
    """The page's four charts by id."""
    return {
        "chart-monthly-sales": monthly_sales("chart-monthly-sales", data.monthly),
        "chart-purchases-vs-sales": purchases_vs_sales("chart-purchases-vs-sales", data.monthly),
        "chart-top-designs": report.bar_chart(
            "chart-top-designs",
            [design(row) for row in data.top_designs],
            [row["units_sold"] for row in data.top_designs],
            [report.count(row["units_sold"]) for row in data.top_designs],
            horizontal=True,
        ),
        "chart-outstanding-payments": outstanding_payments("chart-outstanding-payments", data.outstanding),
    }


def render_html(data: ErpData, links: report.Links) -> str:
    """The ERP page as one HTML string; `links` are the report's pages."""
    return report.render_page(
        "erp.html.j2",
        title=TITLE,
        generated_at=data.generated_at,
        monthly=data.monthly,
        top_designs=data.top_designs,
        top_designs_limit=TOP_DESIGNS,
        outstanding=data.outstanding,
        # the total of the table shown below it, not a figure of its own
        unpaid_payments=sum(int(row["payment_count"]) for row in data.outstanding),
        pages=links,
        currency=currency,
        payment_type=payment_type,
        amount=amount,
        month=month,
        design=design,
        charts=charts(data),
    )


PAGE = report.Page("ERP", "_erp", SCHEMA, read_erp_data, render_html, domain="erp")
