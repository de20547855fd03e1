"""The report: self-contained HTML pages drawn from the marts, customers here and the others in report_<page>.py.

A page is a data reader and a template (`Page`): customers here, branches (report_branches.py) and the ERP
(report_erp.py), each written beside the customer page as `<report>_<page>.html`. Queries read the marts as they are
(ordered, limited, never aggregated here), plotly draws the charts and a Jinja2 template per page
(`templates/<page>.html.j2`, all on `_page.html.j2`) lays it out, with plotly.js inlined once per page so each
file opens offline. The pages link to each other.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import jinja2
import plotly.graph_objects as go
import plotly.io
import plotly.offline
import psycopg2
import psycopg2.extras
from markupsafe import Markup

from warehouse.database import Connection
from warehouse.domains import ALL_DOMAINS, CORE
from warehouse.errors import WarehouseError, file_error

TITLE = "Customer warehouse report"
TOP_CUSTOMERS = 10
EMPTY = "\N{EN DASH}"  # shown where a figure does not apply

# The marts the report reads; the report refuses to draw from a half-built warehouse.
REQUIRED_MARTS = (
    "dim_customers",
    "rpt_customer_totals",
    "rpt_high_value_customers_by_age_band",
    "rpt_high_value_customers_by_country",
    "rpt_spend_by_country",
    "rpt_data_quality",
)

# One query per part of the page. Each reads one mart as it is: it may order and limit, never aggregate.
QUERIES = {
    "totals": """
        select
            customers,
            active_customers,
            high_value_customers,
            transaction_count,
            total_spent
        from marts.rpt_customer_totals
    """,
    "age_bands": """
        select
            age_band,
            active_customers,
            high_value_customers,
            share_of_high_value_customers,
            high_value_rate,
            total_spent,
            avg_spent_per_customer,
            high_value_threshold
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
            avg_spent_per_customer,
            high_value_threshold
        from marts.rpt_high_value_customers_by_country
        order by high_value_customers desc, country_code
    """,
    "spend_by_country": """
        select
            country_code,
            country_name,
            customers,
            transaction_count,
            total_spent,
            share_of_spend
        from marts.rpt_spend_by_country
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
    totals: Row
    age_bands: list[Row]
    countries: list[Row]
    spend_by_country: list[Row]
    top_customers: list[Row]
    data_quality: list[Row]
    last_run: Row | None


def connect_to_warehouse(connection: Connection):
    """A psycopg2 connection to the warehouse; WarehouseError saying how to start it when it cannot be reached."""
    try:
        return psycopg2.connect(connection.libpq_dsn(), connect_timeout=10)
    except psycopg2.OperationalError as error:
        raise WarehouseError(
            f"cannot connect to the warehouse {connection.dbname} at {connection.host}:{connection.port}: "
            f"{str(error).strip()}",
            hint="start it with `warehouse db up` (or check WAREHOUSE_HOST/PORT/USER/PASSWORD), then try again.",
        ) from error


def require_marts(cursor, schema: str, names: tuple[str, ...]) -> None:
    """WarehouseError naming the marts of `schema` that do not exist: a page never draws from a half-built warehouse."""
    cursor.execute(
        "select name from unnest(%s::text[]) as name where to_regclass(quote_ident(%s) || '.' || name) is null",
        (list(names), schema),
    )
    missing = [row["name"] for row in cursor.fetchall()]
    if missing:
        raise WarehouseError(
            f"the report needs the marts {', '.join(f'{schema}.{name}' for name in missing)}, "
            f"which do not exist in database {cursor.connection.info.dbname}",
            hint="run `warehouse run` first (it loads the sources and builds the marts), then report again.",
        )


def read_report_data(cursor, generated_at: datetime) -> ReportData:
    """Query the customer marts with a RealDictCursor; WarehouseError naming the missing marts."""
    require_marts(cursor, "marts", REQUIRED_MARTS)
    results: dict[str, list[Row]] = {}
    for name, statement in QUERIES.items():
        cursor.execute(statement, {"top_customers": TOP_CUSTOMERS})
        results[name] = [dict(row) for row in cursor.fetchall()]
    return ReportData(
        generated_at=generated_at,
        # every row of the mart carries the var dbt built it with; the age-band mart lists every band
        threshold=results["age_bands"][0]["high_value_threshold"],
        totals=results["totals"][0],
        age_bands=results["age_bands"],
        countries=results["countries"],
        spend_by_country=results["spend_by_country"],
        top_customers=results["top_customers"],
        data_quality=results["data_quality"],
        last_run=_last_run(cursor),
    )


def _last_run(cursor) -> Row | None:
    """The latest row of ops.run_log, or None when the table does not exist (yet) or is empty."""
    cursor.execute("select to_regclass('ops.run_log') is not null as present")
    if not cursor.fetchone()["present"]:
        return None
    cursor.execute("select * from ops.run_log order by started_at desc limit 1")
    row = cursor.fetchone()
    return dict(row) if row else None


Links = list[tuple[str, str | None]]  # the pages' navigation: (label, URL; None for the page itself)


@dataclass(frozen=True)
class Page:
    """A page of the report: what it is called, its file, the schema of its marts, its reader and its renderer."""

    label: str  # its name in the navigation between the pages
    suffix: str  # its file is `<report><suffix>.html` beside the customer page ("": the customer page itself)
    schema: str  # where its marts are; without it (its domain not built yet) the page is left out
    read: Callable[..., object]  # (RealDictCursor, generated_at) -> the page's data
    render: Callable[..., str]  # (data, links) -> the page's HTML
    domain: str = CORE  # the domain whose marts it reads (warehouse/domains.py): no page in a deployment without it


def report_pages(domains: tuple[str, ...] = ALL_DOMAINS) -> tuple[Page, ...]:
    """The pages of the deployment's domains, in navigation order; the customer page comes first and is required."""
    from warehouse import report_branches, report_erp  # they build on this module

    pages = (Page("Customers", "", "marts", read_report_data, render_html), report_branches.PAGE, report_erp.PAGE)
    return tuple(page for page in pages if page.domain in domains)


def page_path(output: Path, page: Page) -> Path:
    """Where a page goes: the customer page at `output`, another beside it, `<name><suffix>.html`."""
    return output.with_name(f"{output.stem}{page.suffix}{output.suffix or '.html'}") if page.suffix else output


def _has_schema(cursor, schema: str) -> bool:
    cursor.execute("select to_regnamespace(%s) is not null as present", (schema,))
    return cursor.fetchone()["present"]


def write_report(connection: Connection, output: Path, domains: tuple[str, ...] = ALL_DOMAINS) -> Path:
    """Write the report's pages of the deployment's `domains` (customers to `output`, the others beside it) and
    return the customer page's path."""
    output = Path(output)
    generated_at = datetime.now(timezone.utc)
    conn = connect_to_warehouse(connection)
    try:
        with conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
            present: list[tuple[Page, object]] = []
            for page in report_pages(domains):
                # The customer page is required; a warehouse built before a domain existed has no page for it.
                if not present or _has_schema(cursor, page.schema):
                    present.append((page, page.read(cursor, generated_at)))
    finally:
        conn.close()
    paths = [page_path(output, page) for page, _ in present]
    names = [(page.label, quote(path.name)) for (page, _), path in zip(present, paths, strict=True)]
    pages = {}
    for number, (page, data) in enumerate(present):
        links = [(label, None if other == number else href) for other, (label, href) in enumerate(names)]
        pages[paths[number]] = page.render(data, links if len(links) > 1 else [])
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        for path, page_html in pages.items():
            path.write_text(page_html, encoding="utf-8")
    except OSError as error:
        raise file_error(error, "write the HTML report", "WAREHOUSE_REPORT_PATH", output) from error
    return output


# ---------------------------------------------------------------------------------------------------------------
# Formatting (Jinja2 filters, and the value labels of the charts)


def count(value: object) -> str:
    """1,234"""
    return f"{int(value or 0):,}"


def money(value: object) -> str:
    """$1,234.56; a dash for no value."""
    return EMPTY if value is None else f"${Decimal(value):,.2f}"


def money_short(value: object) -> str:
    """$1.2M, $45k or $999: a bar's label."""
    amount = Decimal(value or 0)
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:.1f}M"
    if amount >= 10_000:
        return f"${amount / 1_000:.0f}k"
    return f"${amount:,.0f}"


def share(value: object) -> str:
    """12.3% of a 0-1 share; a dash for no value."""
    return EMPTY if value is None else f"{Decimal(value) * 100:.1f}%"


def when(value: object) -> str:
    """A timestamp in UTC, a date, or a dash."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, date):
        return value.isoformat()
    return EMPTY if value is None else str(value)


def yes_no(value: object) -> str:
    """yes / no"""
    return "yes" if value else "no"


def seconds(value: object) -> str:
    """12.3 s; a dash for no value."""
    return EMPTY if value is None else f"{Decimal(value):.1f} s"


def country(row: Row) -> str:
    """Country name (code)."""
    return f"{row['country_name']} ({row['country_code']})"


# ---------------------------------------------------------------------------------------------------------------
# Charts: plotly bar charts, one bar per mart row, as <div>s for the template (plotly.js is inlined once).

BAR_COLOUR = "#2563eb"
GRID_COLOUR = "#e2e8f0"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def bar_chart(chart_id: str, labels: list[str], values: list[object], texts: list[str], horizontal: bool) -> Markup:
    """A bar chart of `values` (one bar per label, in the given order) as a plotly <div> with its script."""
    numbers = [float(value or 0) for value in values]
    # plotly reads <b>, <a href=…> and entities in its labels: escaped, a label from the data shows as it is
    labels = [html.escape(label, quote=False) for label in labels]
    bar = go.Bar(
        x=numbers if horizontal else labels,
        y=labels if horizontal else numbers,
        orientation="h" if horizontal else "v",
        text=[html.escape(text, quote=False) for text in texts],
        textposition="outside",
        cliponaxis=False,
        marker_color=BAR_COLOUR,
        hovertemplate="%{" + ("y" if horizontal else "x") + "}: %{text}<extra></extra>",
    )
    figure = go.Figure(bar)
    category_axis = {"type": "category", "automargin": True, "ticks": ""}
    value_axis = {"rangemode": "tozero", "automargin": True, "gridcolor": GRID_COLOUR, "zeroline": False}
    figure.update_layout(
        height=max(260, 90 + 30 * len(labels)) if horizontal else 360,
        margin={"l": 10, "r": 60, "t": 20, "b": 10},
        template="none",  # the default template adds ~10 kB of unused trace styles to every chart
        font={"family": FONT, "size": 12, "color": "#0f172a"},
        xaxis=value_axis if horizontal else category_axis,
        # horizontal bars read top-down in the order of the rows
        yaxis={**category_axis, "autorange": "reversed"} if horizontal else value_axis,
        showlegend=False,
    )
    # plotly writes the data as JSON inside its own <script> (and the labels are escaped above), not as markup
    return Markup(  # nosec B704
        plotly.io.to_html(
            figure, full_html=False, include_plotlyjs=False, div_id=chart_id, config=PLOTLY_CONFIG, validate=True
        )
    )


def figure_html(figure: go.Figure, chart_id: str) -> Markup:
    """A plotly figure as a <div> with its script (plotly.js itself is inlined once per page)."""
    # plotly writes the data as JSON inside its own <script>; labels from the data are escaped by the caller
    return Markup(  # nosec B704
        plotly.io.to_html(figure, full_html=False, include_plotlyjs=False, div_id=chart_id, config=PLOTLY_CONFIG)
    )


def charts(data: ReportData) -> dict[str, Markup]:
    """The report's four charts by id."""
    return {
        "chart-age-bands": bar_chart(
            "chart-age-bands",
            [str(row["age_band"]) for row in data.age_bands],
            [row["high_value_customers"] for row in data.age_bands],
            [count(row["high_value_customers"]) for row in data.age_bands],
            horizontal=False,
        ),
        "chart-countries": bar_chart(
            "chart-countries",
            [country(row) for row in data.countries],
            [row["high_value_customers"] for row in data.countries],
            [count(row["high_value_customers"]) for row in data.countries],
            horizontal=True,
        ),
        "chart-spend": bar_chart(
            "chart-spend",
            [country(row) for row in data.spend_by_country],
            [row["total_spent"] for row in data.spend_by_country],
            [money_short(row["total_spent"]) for row in data.spend_by_country],
            horizontal=True,
        ),
        "chart-top-customers": bar_chart(
            "chart-top-customers",
            [str(row["customer_id"]) for row in data.top_customers],
            [row["total_spent"] for row in data.top_customers],
            [money(row["total_spent"]) for row in data.top_customers],
            horizontal=True,
        ),
    }


# ---------------------------------------------------------------------------------------------------------------
# Page

# Nothing may be fetched: scripts and styles are inline, images only data: URLs (plotly's toolbar icons).
CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("warehouse", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(
    count=count, money=money, share=share, when=when, yes_no=yes_no, seconds=seconds, country=country
)


def render_page(template: str, **context: object) -> str:
    """A page of the report from its template, with what every page has (policy, plotly.js, the dash)."""
    return _environment.get_template(template).render(
        **context,
        empty=EMPTY,
        content_security_policy=CONTENT_SECURITY_POLICY,
        plotly_js=Markup(plotly.offline.get_plotlyjs()),  # nosec B704 - the library's own bundled script
    )


def render_html(data: ReportData, links: Links) -> str:
    """The customer page as one HTML string; `links` are the report's pages (empty: the only page)."""
    return render_page(
        "report.html.j2",
        **asdict(data),
        title=TITLE,
        above=f"> {money(data.threshold).removesuffix('.00')}",
        top_customers_limit=TOP_CUSTOMERS,
        pages=links,
        charts=charts(data),
    )
