"""The customer report: one self-contained HTML file (inline CSS, inline SVG charts) drawn from the marts."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import psycopg2
import psycopg2.extras
import yaml

from warehouse.database import Connection
from warehouse.errors import WarehouseError
from warehouse.settings import load_settings

TITLE = "Customer warehouse report"
TOP_CUSTOMERS = 10
EMPTY = "\N{EN DASH}"  # shown where a figure does not apply

# The marts the report reads; the report refuses to draw from a half-built warehouse.
REQUIRED_MARTS = (
    "dim_customers",
    "rpt_high_value_customers",
    "rpt_high_value_customers_by_age_band",
    "rpt_high_value_customers_by_country",
    "rpt_data_quality",
)

QUERIES = {
    "headline": """
        select
            count(*) as customers,
            count(*) filter (where is_active) as active_customers,
            count(*) filter (where is_high_value) as high_value_customers,
            coalesce(sum(transaction_count), 0) as transactions,
            coalesce(sum(total_spent), 0) as total_spent
        from marts.dim_customers
    """,
    "age_bands": """
        select
            age_band,
            active_customers,
            high_value_customers,
            share_of_high_value_customers,
            high_value_rate,
            total_spent,
            avg_spent_per_customer
        from marts.rpt_high_value_customers_by_age_band
        order by age_band_order
    """,
    "countries": """
        select
            country_code,
            country_name,
            active_customers,
            high_value_customers,
            share_of_high_value_customers,
            high_value_rate,
            total_spent,
            avg_spent_per_customer
        from marts.rpt_high_value_customers_by_country
        order by high_value_customers desc, country_code
    """,
    "spend_by_country": """
        select
            country_code,
            country_name,
            count(*) as customers,
            sum(transaction_count) as transactions,
            sum(total_spent) as total_spent,
            round(sum(total_spent) / nullif(sum(sum(total_spent)) over (), 0), 4) as share_of_spend
        from marts.dim_customers
        group by country_code, country_name
        order by total_spent desc, country_code
    """,
    "top_customers": """
        select
            customer_id,
            country_code,
            age_band,
            transaction_count,
            total_spent,
            is_active,
            is_high_value
        from marts.dim_customers
        order by total_spent desc, customer_id
        limit %(top_customers)s
    """,
    "data_quality": """
        select distinct on (source_name)
            source_name,
            load_id,
            loaded_at,
            rows_in,
            clean_rows,
            rejected_rows,
            exact_duplicates_removed,
            stale_versions_replaced,
            completeness,
            consistency,
            integrity,
            error_rate,
            is_reconciled
        from marts.rpt_data_quality
        order by source_name, loaded_at desc
    """,
}

Row = dict[str, object]


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from the marts (and ops.run_log when present)."""

    generated_at: datetime
    threshold: Decimal
    headline: Row
    age_bands: list[Row]
    countries: list[Row]
    spend_by_country: list[Row]
    top_customers: list[Row]
    data_quality: list[Row]
    last_run: Row | None


def high_value_threshold(project_dir: Path | None = None) -> Decimal:
    """The var high_value_threshold of the project's dbt_project.yml (500 when it is not set)."""
    project_dir = project_dir or load_settings().project_dir
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    except OSError:
        project = {}
    return Decimal(str((project.get("vars") or {}).get("high_value_threshold", 500)))


def read_report_data(connection: Connection, threshold: Decimal | None = None) -> ReportData:
    """Query the marts; WarehouseError naming the missing marts when the warehouse is not built."""
    try:
        conn = psycopg2.connect(connection.libpq_dsn(), connect_timeout=10)
    except psycopg2.OperationalError as error:
        raise WarehouseError(
            f"cannot connect to the warehouse {connection.dbname} at {connection.host}:{connection.port}: "
            f"{str(error).strip()}",
            hint="start it with `warehouse db up` (or check WAREHOUSE_HOST/PORT/USER/PASSWORD), then try again.",
        ) from error
    try:
        with conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
            cursor.execute(
                "select name from unnest(%s::text[]) as name where to_regclass('marts.' || name) is null",
                (list(REQUIRED_MARTS),),
            )
            missing = [row["name"] for row in cursor.fetchall()]
            if missing:
                raise WarehouseError(
                    f"the report needs the marts {', '.join('marts.' + name for name in missing)}, "
                    f"which do not exist in database {connection.dbname}",
                    hint="run `warehouse run` first (it loads the sources and builds the marts), then report again.",
                )
            results: dict[str, list[Row]] = {}
            for name, statement in QUERIES.items():
                cursor.execute(statement, {"top_customers": TOP_CUSTOMERS})
                results[name] = [dict(row) for row in cursor.fetchall()]
            last_run = _last_run(cursor)
    finally:
        conn.close()
    return ReportData(
        generated_at=datetime.now(timezone.utc),
        threshold=high_value_threshold() if threshold is None else threshold,
        headline=results["headline"][0],
        age_bands=results["age_bands"],
        countries=results["countries"],
        spend_by_country=results["spend_by_country"],
        top_customers=results["top_customers"],
        data_quality=results["data_quality"],
        last_run=last_run,
    )


def _last_run(cursor) -> Row | None:
    """The latest row of ops.run_log, or None when the table does not exist (yet) or is empty."""
    cursor.execute("select to_regclass('ops.run_log') is not null as present")
    if not cursor.fetchone()["present"]:
        return None
    cursor.execute("select * from ops.run_log order by started_at desc limit 1")
    row = cursor.fetchone()
    return dict(row) if row else None


def write_report(connection: Connection, output: Path) -> Path:
    """Write the self-contained HTML report of the marts to `output` and return its path."""
    data = read_report_data(connection)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(data), encoding="utf-8")
    return output


# ---------------------------------------------------------------------------------------------------------------
# Formatting


def _count(value: object) -> str:
    return f"{int(value or 0):,}"


def _money(value: object) -> str:
    return f"${Decimal(value or 0):,.2f}"


def _share(value: object) -> str:
    return EMPTY if value is None else f"{Decimal(value) * 100:.1f}%"


def _money_short(value: object) -> str:
    amount = Decimal(value or 0)
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:.1f}M"
    if amount >= 10_000:
        return f"${amount / 1_000:.0f}k"
    return f"${amount:,.0f}"


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, date):
        return value.isoformat()
    return EMPTY if value is None else str(value)


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


# ---------------------------------------------------------------------------------------------------------------
# Charts: inline SVG, one <rect class="bar"> per row, titled and labelled for screen readers.

BAR_COLOUR = "#2563eb"
ZERO_COLOUR = "#cbd5e1"


def _scale(values: list[Decimal]) -> Decimal:
    top = max(values, default=Decimal(0))
    return top if top > 0 else Decimal(1)


def horizontal_bar_chart(
    chart_id: str, title: str, description: str, bars: list[tuple[str, Decimal, str]], label_width: int = 150
) -> str:
    """Horizontal bars: (label, value, value text) per bar, largest scale = widest bar."""
    bar_height, gap, top, bar_area, value_width = 22, 8, 8, 560, 90
    width = label_width + bar_area + value_width
    height = top * 2 + len(bars) * (bar_height + gap)
    scale = _scale([value for _, value, _ in bars])
    marks = []
    for index, (label, value, text) in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = float(Decimal(value) / scale * bar_area) if value else 0.0
        colour = BAR_COLOUR if value else ZERO_COLOUR
        marks.append(
            f'<g class="mark"><text class="label" x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" '
            f'text-anchor="end">{_e(label)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{max(length, 1.5):.1f}" height="{bar_height}" '
            f'fill="{colour}" data-label="{_e(label)}" data-value="{_e(value)}"><title>{_e(label)}: {_e(text)}'
            f"</title></rect>"
            f'<text class="value" x="{label_width + max(length, 1.5) + 6:.1f}" y="{y + bar_height * 0.7:.1f}">'
            f"{_e(text)}</text></g>"
        )
    return _svg(chart_id, title, description, width, height, "".join(marks))


def vertical_bar_chart(chart_id: str, title: str, description: str, bars: list[tuple[str, Decimal, str]]) -> str:
    """Vertical bars with the label under each bar and its value above it."""
    bar_width, gap, left, top, plot_height, bottom = 72, 28, 16, 24, 220, 28
    width = left * 2 + len(bars) * (bar_width + gap)
    height = top + plot_height + bottom
    scale = _scale([value for _, value, _ in bars])
    marks = [
        f'<line class="axis" x1="{left}" x2="{width - left}" y1="{top + plot_height}" y2="{top + plot_height}" '
        f'stroke="#94a3b8"/>'
    ]
    for index, (label, value, text) in enumerate(bars):
        x = left + gap / 2 + index * (bar_width + gap)
        length = float(Decimal(value) / scale * plot_height) if value else 0.0
        length = max(length, 1.5)
        y = top + plot_height - length
        colour = BAR_COLOUR if value else ZERO_COLOUR
        centre = x + bar_width / 2
        marks.append(
            f'<g class="mark"><rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_width}" '
            f'height="{length:.1f}" fill="{colour}" data-label="{_e(label)}" data-value="{_e(value)}">'
            f"<title>{_e(label)}: {_e(text)}</title></rect>"
            f'<text class="value" x="{centre:.1f}" y="{y - 6:.1f}" text-anchor="middle">{_e(text)}</text>'
            f'<text class="label" x="{centre:.1f}" y="{top + plot_height + 18}" text-anchor="middle">{_e(label)}'
            f"</text></g>"
        )
    return _svg(chart_id, title, description, width, height, "".join(marks))


def _svg(chart_id: str, title: str, description: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(description)}</desc>'
        f"{body}</svg>"
    )


# ---------------------------------------------------------------------------------------------------------------
# Tables


def _table(table_id: str, caption: str, headers: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f'<th scope="col"{_num(i, numeric_from)}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{_e(cell)}</th>' if i == 0 else f"<td{_num(i, numeric_from)}>{_e(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table id="{table_id}"><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _num(index: int, numeric_from: int) -> str:
    return ' class="num"' if index >= numeric_from else ""


# ---------------------------------------------------------------------------------------------------------------
# Page

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; color: #0f172a; background: #f8fafc; line-height: 1.45; }
header, main { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; }
h1 { margin: 0 0 4px; font-size: 1.7rem; }
h2 { margin: 0 0 4px; font-size: 1.2rem; }
.meta { color: #475569; margin: 0; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 20px 24px; margin: 18px 0; }
section > p { color: #475569; margin: 0 0 12px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; list-style: none; padding: 0; margin: 16px 0 0; }
.figures li { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.figures strong { display: block; font-size: 1.35rem; }
.figures span { color: #475569; font-size: .85rem; }
.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px; }
.chart text { font-size: 12px; fill: #0f172a; }
.chart text.value { fill: #334155; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; }
caption { text-align: left; color: #475569; padding-bottom: 6px; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: #f1f5f9; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-failed { color: #b91c1c; font-weight: 600; }
.status-success { color: #15803d; font-weight: 600; }
.scroll { overflow-x: auto; }
footer { max-width: 1040px; margin: 0 auto 32px; padding: 0 24px; color: #64748b; font-size: .85rem; }
"""

# Nothing may be fetched: no scripts, no fonts, no images beyond the inline SVG.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(data: ReportData) -> str:
    """The whole page as one HTML string."""
    threshold = f"> ${data.threshold:,.0f}"
    generated = data.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    headline = data.headline
    figures = [
        (_count(headline["customers"]), "customers"),
        (_count(headline["active_customers"]), "active customers"),
        (_count(headline["high_value_customers"]), f"high-value customers ({threshold})"),
        (_count(headline["transactions"]), "valid transactions"),
        (_money(headline["total_spent"]), "total valid spend"),
    ]
    figure_items = "".join(
        f'<li data-figure="{_e(label)}"><strong>{_e(value)}</strong><span>{_e(label)}</span></li>'
        for value, label in figures
    )
    sections = [
        _last_run_section(data.last_run),
        _age_band_section(data, threshold),
        _country_section(data, threshold),
        _spend_section(data),
        _top_customers_section(data),
        _quality_section(data),
    ]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{_e(TITLE)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{_e(TITLE)}</h1>
<p class="meta">Generated <time id="generated-at" datetime="{_e(data.generated_at.isoformat())}">{_e(generated)}</time>
from the marts. High-value customer: active and total spent <span id="threshold">{_e(threshold)}</span>.</p>
<ul class="figures" aria-label="Headline figures">{figure_items}</ul>
</header>
<main>
{"".join(section for section in sections if section)}
</main>
<footer>Customer IDs only: the marts hold no names. Amounts are sums of valid transactions in dollars.</footer>
</body>
</html>
"""


def _last_run_section(run: Row | None) -> str:
    if run is None:
        return ""
    status = str(run.get("status", "unknown"))
    duration = run.get("duration_seconds")
    parts = [
        ("run", run.get("run_id", EMPTY)),
        ("command", run.get("command", EMPTY)),
        ("trigger", run.get("trigger", EMPTY)),
        ("started", _when(run.get("started_at"))),
        ("finished", _when(run.get("finished_at"))),
        ("duration", EMPTY if duration is None else f"{Decimal(duration):.1f} s"),
    ]
    items = " · ".join(f"{_e(label)} <strong>{_e(value)}</strong>" for label, value in parts)
    error = f"<p>Error: {_e(run['error'])}</p>" if run.get("error") else ""
    return (
        f'<section id="last-run" aria-labelledby="last-run-heading"><h2 id="last-run-heading">Last run</h2>'
        f'<p>Status <span class="status-{_e(status)}">{_e(status)}</span> · {items}</p>{error}</section>'
    )


def _high_value_table(table_id: str, caption: str, group_header: str, rows: list, label) -> str:
    """The figures table shared by the high-value demographics sections (one row per group)."""
    return _table(
        table_id,
        caption,
        [
            group_header,
            "Active customers",
            "High-value customers",
            "Share of high-value",
            "High-value rate",
            "Total spent",
            "Avg spent per customer",
        ],
        [
            [
                label(row),
                _count(row["active_customers"]),
                _count(row["high_value_customers"]),
                _share(row["share_of_high_value_customers"]),
                _share(row["high_value_rate"]),
                _money(row["total_spent"]),
                EMPTY if row["avg_spent_per_customer"] is None else _money(row["avg_spent_per_customer"]),
            ]
            for row in rows
        ],
    )


def _age_band_section(data: ReportData, threshold: str) -> str:
    chart = vertical_bar_chart(
        "chart-age-bands",
        "High-value customers by age band",
        "Number of high-value customers in each age band, youngest first; 'unknown' is customers without a valid age.",
        [
            (str(row["age_band"]), Decimal(row["high_value_customers"]), _count(row["high_value_customers"]))
            for row in data.age_bands
        ],
    )
    table = _high_value_table(
        "table-age-bands", "High-value customers by age band", "Age band", data.age_bands, lambda row: row["age_band"]
    )
    return (
        '<section id="age-bands" aria-labelledby="age-bands-heading">'
        '<h2 id="age-bands-heading">High-value customers by age band</h2>'
        f"<p>Active customers who spent {_e(threshold)} in total, per age band "
        "(mart rpt_high_value_customers_by_age_band).</p>"
        f'{chart}<div class="scroll">{table}</div></section>'
    )


def _country_section(data: ReportData, threshold: str) -> str:
    chart = horizontal_bar_chart(
        "chart-countries",
        "High-value customers by country",
        "Number of high-value customers per country, most first; 'Unknown' is customers whose country could "
        "not be read.",
        [
            (
                f"{row['country_name']} ({row['country_code']})",
                Decimal(row["high_value_customers"]),
                _count(row["high_value_customers"]),
            )
            for row in data.countries
        ],
    )
    table = _high_value_table(
        "table-countries",
        "High-value customers by country",
        "Country",
        data.countries,
        lambda row: f"{row['country_name']} ({row['country_code']})",
    )
    return (
        '<section id="countries" aria-labelledby="countries-heading">'
        '<h2 id="countries-heading">High-value customers by country</h2>'
        f"<p>Active customers who spent {_e(threshold)} in total, per country "
        "(mart rpt_high_value_customers_by_country).</p>"
        f'{chart}<div class="scroll">{table}</div></section>'
    )


def _spend_section(data: ReportData) -> str:
    chart = horizontal_bar_chart(
        "chart-spend",
        "Total spend by country",
        "Sum of valid transaction amounts of all customers per country, largest first.",
        [
            (
                f"{row['country_name']} ({row['country_code']})",
                Decimal(row["total_spent"]),
                _money_short(row["total_spent"]),
            )
            for row in data.spend_by_country
        ],
    )
    table = _table(
        "table-spend",
        "Total spend by country (all customers)",
        ["Country", "Customers", "Transactions", "Total spent", "Share of spend"],
        [
            [
                f"{row['country_name']} ({row['country_code']})",
                _count(row["customers"]),
                _count(row["transactions"]),
                _money(row["total_spent"]),
                _share(row["share_of_spend"]),
            ]
            for row in data.spend_by_country
        ],
    )
    return (
        '<section id="spend" aria-labelledby="spend-heading"><h2 id="spend-heading">Spend by country</h2>'
        "<p>All customers, active or not: the sum of their valid transactions (mart dim_customers).</p>"
        f'{chart}<div class="scroll">{table}</div></section>'
    )


def _top_customers_section(data: ReportData) -> str:
    chart = horizontal_bar_chart(
        "chart-top-customers",
        f"Top {TOP_CUSTOMERS} customers by total spent",
        "Customers with the largest sum of valid transactions, by customer ID.",
        [
            (str(row["customer_id"]), Decimal(row["total_spent"]), _money(row["total_spent"]))
            for row in data.top_customers
        ],
        label_width=110,
    )
    table = _table(
        "table-top-customers",
        f"Top {TOP_CUSTOMERS} customers by total spent",
        ["Customer ID", "Country", "Age band", "Transactions", "Total spent", "Active", "High-value"],
        [
            [
                row["customer_id"],
                row["country_code"],
                row["age_band"],
                _count(row["transaction_count"]),
                _money(row["total_spent"]),
                _yes_no(row["is_active"]),
                _yes_no(row["is_high_value"]),
            ]
            for row in data.top_customers
        ],
        numeric_from=3,
    )
    return (
        '<section id="top-customers" aria-labelledby="top-customers-heading">'
        f'<h2 id="top-customers-heading">Top {TOP_CUSTOMERS} customers by total spent</h2>'
        "<p>By customer ID only (mart dim_customers); inactive customers are listed but are never high-value.</p>"
        f'{chart}<div class="scroll">{table}</div></section>'
    )


QUALITY_FIGURES = [
    ("Load ID", "load_id", str),
    ("Loaded at", "loaded_at", _when),
    ("Rows in", "rows_in", _count),
    ("Clean rows", "clean_rows", _count),
    ("Rejected rows", "rejected_rows", _count),
    ("Exact duplicates removed", "exact_duplicates_removed", _count),
    ("Stale versions replaced", "stale_versions_replaced", _count),
    ("Completeness", "completeness", _share),
    ("Consistency", "consistency", _share),
    ("Integrity", "integrity", _share),
    ("Error rate", "error_rate", _share),
    ("Reconciled", "is_reconciled", _yes_no),
]


def _quality_section(data: ReportData) -> str:
    table = _table(
        "table-data-quality",
        "Latest load per source",
        ["Figure", *[str(row["source_name"]) for row in data.data_quality]],
        [[label, *[render(row[column]) for row in data.data_quality]] for label, column, render in QUALITY_FIGURES],
    )
    return (
        '<section id="data-quality" aria-labelledby="data-quality-heading">'
        '<h2 id="data-quality-heading">Data quality of the latest load</h2>'
        "<p>Per source, what became of the rows of its latest load: when reconciled, rows in = clean + rejected "
        "+ duplicates removed + stale versions replaced. Completeness, consistency and integrity are shares of the "
        "rows in (mart rpt_data_quality).</p>"
        f'<div class="scroll">{table}</div></section>'
    )
