"""The one-screen summary printed after a run: rows landed, time per step, and the headline figures."""

from __future__ import annotations

import psycopg2

from warehouse.database import Connection
from warehouse.domains import ALL_DOMAINS
from warehouse.job import RunReport

# Headline queries on the marts, by domain (warehouse/domains.py): a domain the deployment does not have has no
# lines, and a mart that does not exist yet is simply left out of the summary.
HEADLINES = {
    "core": {
        "customers": "select count(*) from marts.dim_customers",
        "high-value customers": "select count(*) from marts.rpt_high_value_customers",
    },
    "tills": {
        "café orders (clean)": "select count(*) from tills.orders",
        "café revenue (£, whole pounds)": "select coalesce(round(sum(revenue)), 0) from tills.rpt_tills_branch_ranking",
        "café best branch by revenue": (
            "select branch_name from tills.rpt_tills_branch_ranking where revenue_rank = 1 order by branch_name limit 1"
        ),
    },
    "erp": {
        "ERP sales orders (current)": "select count(*) from erp.fact_sales_order_current",
        "ERP payments not yet paid": "select count(*) from erp.fact_payment_current where not paid",
    },
}
# Data-quality figures of each source's latest load, from the data-quality report mart.
QUALITY = """
    select distinct on (source_name)
        source_name, rows_in, clean_rows, rejected_rows, exact_duplicates_removed + stale_versions_replaced,
        completeness, consistency, integrity, error_rate, is_reconciled
    from marts.rpt_data_quality
    order by source_name, loaded_at desc
"""


def rows_table(rows_by_table: dict[str, int]) -> str:
    """Rows landed per raw table, one line each."""
    if not rows_by_table:
        return "rows landed: none (no new data)"
    width = max(len(table) for table in rows_by_table)
    lines = ["rows landed:"] + [f"  raw.{table:<{width}}  {count:>12,}" for table, count in rows_by_table.items()]
    return "\n".join(lines)


def headline_figures(connection: Connection, domains: tuple[str, ...] = ALL_DOMAINS) -> list[str]:
    """Each headline figure of the deployment's domains that can be read from the marts."""
    lines = []
    headlines = {label: statement for domain in domains for label, statement in HEADLINES.get(domain, {}).items()}
    with psycopg2.connect(connection.libpq_dsn()) as conn:
        for label, statement in headlines.items():
            with conn.cursor() as cursor:
                try:
                    cursor.execute(statement)
                    row = cursor.fetchone()
                    if row is not None:
                        value = row[0]
                        shown = f"{value:>12,}" if not isinstance(value, str) else f"{value:>12}"
                        lines.append(f"  {label:<32} {shown}")
                except psycopg2.Error:
                    conn.rollback()
    return lines


def quality_lines(connection: Connection) -> list[str]:
    """One line per source: rows in → clean / rejected / duplicates, and the seed's quality figures."""
    try:
        with psycopg2.connect(connection.libpq_dsn()) as conn, conn.cursor() as cursor:
            cursor.execute(QUALITY)
            rows = cursor.fetchall()
    except psycopg2.Error:
        return []
    lines = []
    for source, rows_in, clean, rejected, duplicates, complete, consistent, integrity, errors, reconciled in rows:
        lines.append(
            f"  {source:<18} latest load: {rows_in:,} in = {clean:,} clean + {rejected:,} rejected + "
            f"{duplicates:,} duplicates ({'reconciled' if reconciled else 'NOT RECONCILED'})"
        )
        lines.append(
            f"  {'':<18} completeness {complete:.1%}, consistency {consistent:.1%}, integrity {integrity:.1%}, "
            f"error rate {errors:.2%}"
        )
    return lines


def render(report: RunReport, connection: Connection, domains: tuple[str, ...] = ALL_DOMAINS) -> str:
    """The summary of a main-job run in a deployment of `domains`."""
    lines = ["", f"=== warehouse run summary (run {report.run_id}) ==="]
    off = [name for name in ALL_DOMAINS if name not in domains]
    if off:
        lines.append(f"domains: {', '.join(domains)} (not in this deployment: {', '.join(off)}; WAREHOUSE_DOMAINS)")
    lines.append(rows_table(report.rows_landed))
    lines += [f"note: {note}" for note in report.notes]
    lines.append("time per step:")
    lines += [f"  {step:<12} {seconds:8.1f} s" for step, seconds in report.step_seconds.items()]
    lines.append(f"  {'total':<12} {sum(report.step_seconds.values()):8.1f} s")
    if report.dbt is not None:
        counts = ", ".join(f"{status} {count}" for status, count in sorted(report.dbt.status_counts.items()))
        lines.append(f"dbt build: {counts or 'nothing to build'}")
    figures = headline_figures(connection, domains)
    if figures:
        lines += ["headline figures:", *figures]
    quality = quality_lines(connection)
    if quality:
        lines += ["data quality (marts.rpt_data_quality):", *quality]
    if report.report_path:
        from warehouse.report import page_path, report_pages

        beside = ", ".join(page_path(report.report_path, page).name for page in report_pages(domains)[1:])
        lines.append(f"report: {report.report_path}" + (f" (beside it: {beside})" if beside else ""))
    return "\n".join(lines)
