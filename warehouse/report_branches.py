"""The branches page of the report: the café chain's tills, drawn from the marts of schema `tills`.

Written beside the customer page by warehouse/report.py (`<report>_branches.html`, PAGE), with the same rules: queries
read one mart each as it is (ordered, limited, never aggregated here), plotly draws, the page works offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import plotly.graph_objects as go
from markupsafe import Markup

from warehouse import report
from warehouse.report import Row

TITLE = "Branches report"
SCHEMA = "tills"
TOP_PRODUCTS = 10
PAYMENT_COLOURS = {"CARD": report.BAR_COLOUR, "CASH": "#f59e0b"}

REQUIRED_MARTS = (
    "rpt_tills_branch_ranking",
    "rpt_tills_top_products",
    "rpt_tills_hourly_trade",
    "rpt_tills_average_spend",
)

QUERIES = {
    "ranking": """
        select branch_name, order_count, revenue, average_order_value, revenue_rank, orders_rank
        from tills.rpt_tills_branch_ranking
        order by revenue_rank, branch_name
    """,
    "top_products": """
        select product_name, size, flavour, units_sold, revenue, units_rank
        from tills.rpt_tills_top_products
        order by units_rank, product_name, size, flavour
        limit %(top_products)s
    """,
    "hourly": """
        select branch_name, hour_of_day, order_count, average_orders_per_trading_day
        from tills.rpt_tills_hourly_trade
        order by branch_name, hour_of_day
    """,
    "average_spend": """
        select branch_name, payment_method, order_count, revenue, average_order_value
        from tills.rpt_tills_average_spend
        order by branch_name, payment_method
    """,
}


@dataclass(frozen=True)
class BranchesData:
    """Everything the branches page shows, read from the tills marts."""

    generated_at: datetime
    ranking: list[Row]
    top_products: list[Row]
    hourly: list[Row]
    average_spend: list[Row]


def read_branches_data(cursor, generated_at: datetime) -> BranchesData:
    """Query the tills marts with a RealDictCursor; WarehouseError naming the missing marts."""
    report.require_marts(cursor, SCHEMA, REQUIRED_MARTS)
    results: dict[str, list[Row]] = {}
    for name, statement in QUERIES.items():
        cursor.execute(statement, {"top_products": TOP_PRODUCTS})
        results[name] = [dict(row) for row in cursor.fetchall()]
    return BranchesData(generated_at=generated_at, **results)


def product(row: Row) -> str:
    """`Large Flavoured latte - Vanilla`, `Babyccino` (a one-size product has no size)."""
    name = f"{row['product_name']} - {row['flavour']}" if row["flavour"] else str(row["product_name"])
    return f"{row['size']} {name}" if row["size"] else name


def pounds(value: object) -> str:
    """£1,234.56 (the tills' prices are in pounds); a dash for no value."""
    return report.EMPTY if value is None else f"£{Decimal(value):,.2f}"


def pounds_short(value: object) -> str:
    """£1.2M, £45k or £999: a bar's label."""
    amount = Decimal(value or 0)
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:.1f}M"
    if amount >= 10_000:
        return f"£{amount / 1_000:.0f}k"
    return f"£{amount:,.0f}"


def hour(value: object) -> str:
    """`09:00`"""
    return f"{int(value):02d}:00"


def hourly_heatmap(chart_id: str, rows: list[Row]) -> Markup:
    """Average orders per trading day, branch by hour of day, as a plotly heatmap (a gap where a branch is shut)."""
    branches = sorted({str(row["branch_name"]) for row in rows})
    hours = sorted({int(row["hour_of_day"]) for row in rows})
    cells = {(str(row["branch_name"]), int(row["hour_of_day"])): row["average_orders_per_trading_day"] for row in rows}
    z = [[None if (branch, h) not in cells else float(cells[branch, h]) for h in hours] for branch in branches]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[hour(h) for h in hours],
            y=branches,
            colorscale="Blues",
            hovertemplate="%{y}, %{x}: %{z} orders a day<extra></extra>",
            colorbar={"title": {"text": "orders a day"}},
        )
    )
    figure.update_layout(
        height=max(300, 90 + 26 * len(branches)),
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        template="none",
        font={"family": report.FONT, "size": 12, "color": "#0f172a"},
        xaxis={"type": "category", "automargin": True},
        yaxis={"type": "category", "automargin": True, "autorange": "reversed"},
    )
    # Branch names are the canonical ones of a seed, not free text.
    return report.figure_html(figure, chart_id)


def spend_by_payment(chart_id: str, rows: list[Row]) -> Markup:
    """Average order value per branch, one bar per payment method (one trace each, in PAYMENT_COLOURS order)."""
    figure = go.Figure()
    for method, colour in PAYMENT_COLOURS.items():
        method_rows = [row for row in rows if row["payment_method"] == method]
        figure.add_trace(
            go.Bar(
                name=method,
                x=[str(row["branch_name"]) for row in method_rows],
                y=[float(row["average_order_value"]) for row in method_rows],
                text=[pounds(row["average_order_value"]) for row in method_rows],
                marker_color=colour,
                hovertemplate="%{x} (" + method + "): %{text}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        height=380,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        template="none",
        font={"family": report.FONT, "size": 12, "color": "#0f172a"},
        xaxis={"type": "category", "automargin": True},
        yaxis={"rangemode": "tozero", "automargin": True, "gridcolor": report.GRID_COLOUR},
        legend={"orientation": "h"},
    )
    # Branch names are the canonical ones of a seed, not free text.
    return report.figure_html(figure, chart_id)


def charts(data: BranchesData) -> dict[str, Markup]:
    """The page's four charts by id."""
    return {
        "chart-branch-revenue": report.bar_chart(
            "chart-branch-revenue",
            [str(row["branch_name"]) for row in data.ranking],
            [row["revenue"] for row in data.ranking],
            [pounds_short(row["revenue"]) for row in data.ranking],
            horizontal=True,
        ),
        "chart-top-products": report.bar_chart(
            "chart-top-products",
            [product(row) for row in data.top_products],
            [row["units_sold"] for row in data.top_products],
            [report.count(row["units_sold"]) for row in data.top_products],
            horizontal=True,
        ),
        "chart-hourly-trade": hourly_heatmap("chart-hourly-trade", data.hourly),
        "chart-average-spend": spend_by_payment("chart-average-spend", data.average_spend),
    }


def render_html(data: BranchesData, links: report.Links) -> str:
    """The branches page as one HTML string; `links` are the report's pages."""
    best_by_revenue = next((row for row in data.ranking if row["revenue_rank"] == 1), None)
    best_by_orders = next((row for row in data.ranking if row["orders_rank"] == 1), None)
    return report.render_page(
        "branches.html.j2",
        title=TITLE,
        generated_at=data.generated_at,
        ranking=data.ranking,
        top_products=data.top_products,
        top_products_limit=TOP_PRODUCTS,
        average_spend=data.average_spend,
        best_by_revenue=best_by_revenue,
        best_by_orders=best_by_orders,
        pages=links,
        product=product,
        pounds=pounds,
        charts=charts(data),
    )


PAGE = report.Page("Branches", "_branches", SCHEMA, read_branches_data, render_html, domain="tills")
