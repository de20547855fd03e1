"""generate_erp: write sample day K of the ERP ("totesys") into its database and its truth into `<truth>/erp/`.

Day 1 re-creates the 11 tables and fills them (COPY) with the reference rows and HISTORY_WORKING_DAYS working days
of designs, orders, transactions and payments as they stand at the end of day 1. Day K > 1 adds one working day:
it inserts the rows created that day and updates the older rows whose correction or payment came that day (a
newer `last_updated`), all in one database transaction. A day already generated is left as it is; day K needs days
1..K-1 of the same seed and scale (manifest.json and the tables' highest ids). Rows above day K-1's highest ids
(from a day K whose manifest was never written) are deleted first, so such a day is simply written again.

The truth is every table's state at the end of the day, one CSV per table, computed from the plan (not read back),
and manifest.json, written last. See docs/sample_data.md, "ERP (totesys)".
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from psycopg2.extensions import connection as PgConnection

from warehouse.errors import WarehouseError
from warehouse.sample import erp, erp_schema
from warehouse.sample.days import check_arguments, days_generated
from warehouse.sample.erp_reference import REFERENCE_CREATED, build_reference, initial_designs

TRUTH_FOLDER = "erp"
MANIFEST = "manifest.json"
REFERENCE_TABLES = ("currency", "department", "staff", "address", "counterparty", "payment_type")
ORDER_CHANGES = ("last_updated", "{quantity}", "{price}", "agreed_delivery_date", "agreed_payment_date")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ErpSummary:
    """What one call wrote: rows inserted and updated per table, and the working day added."""

    truth_dir: Path
    working_date: date
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)


def read_manifest(truth_dir: Path) -> dict[str, Any] | None:
    """The ERP sample's manifest in this truth folder, None when there is none."""
    path = truth_dir / TRUTH_FOLDER / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def check_day(truth_dir: Path, *, scale: int, day: int, seed: int) -> int:
    """Days of the ERP sample already generated (its manifest); raise when day `day` cannot follow them."""
    check_arguments(scale, day, seed)
    if day == 1:
        return 0
    return days_generated(
        read_manifest(truth_dir),
        what="the ERP of sample",
        missing=f"day 1 of the ERP sample was never generated (no {TRUTH_FOLDER}/{MANIFEST} in {truth_dir})",
        seed=seed,
        scale=scale,
        day=day,
    )


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _reference_copy(rows: list[tuple]) -> str:
    """Reference rows as COPY text, each with the reference rows' created_at and last_updated."""
    return "".join(
        "\t".join("\\N" if value is None else str(value) for value in row)
        + f"\t{REFERENCE_CREATED}\t{REFERENCE_CREATED}\n"
        for row in rows
    )


def _initial_design_copy() -> str:
    return "".join(
        f"{design_id}\t{REFERENCE_CREATED}\t{name}\t{location}\t{file_name}\t{REFERENCE_CREATED}\n"
        for design_id, name, location, file_name in initial_designs()
    )


def _csv_from_copy(table: str, text: str) -> str:
    """A growing table's COPY text as CSV with a header (its values hold no comma, quote or tab)."""
    return ",".join(erp_schema.columns(table)) + "\n" + text.replace("\t", ",").replace("\\N", "")


def _reference_csv(table: str, rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(erp_schema.columns(table))
    writer.writerows(
        [*("" if value is None else value for value in row), REFERENCE_CREATED, REFERENCE_CREATED] for row in rows
    )
    return buffer.getvalue()


def _order_changes(table: str) -> list[str]:
    quantity, price = ("units_sold", "unit_price") if table == "sales_order" else ("item_quantity", "item_unit_price")
    return [name.format(quantity=quantity, price=price) for name in ORDER_CHANGES]


def _check_database(conn: PgConnection, scale: int, day: int) -> dict[str, int]:
    """The highest ids after day K-1; raise when the tables do not hold them (the database was reset)."""
    expected = erp.max_ids(scale, day - 1)
    found = erp_schema.max_ids(conn)
    if found is None or any(found[table] < wanted for table, wanted in expected.items()):
        held = "no ERP tables" if found is None else f"sales_order ids up to {found['sales_order']}"
        raise WarehouseError(
            f"cannot generate the ERP of sample day {day}: the ERP database should hold days 1..{day - 1} "
            f"(sales_order ids up to {expected['sales_order']}) but it holds {held}",
            hint="the ERP database was reset; start over with day 1.",
        )
    return expected


def generate_erp(
    *,
    dsn: str,
    truth_dir: Path,
    scale: int = 1,
    day: int = 1,
    seed: int = 42,
    progress: Progress | None = None,
) -> ErpSummary:
    """Write sample day `day` of the ERP and its truth (module doc); a day already generated is left as it is."""
    done = check_day(truth_dir, scale=scale, day=day, seed=seed)
    truth = truth_dir / TRUTH_FOLDER
    if day <= done:
        if progress:
            progress(f"ERP of sample day {day} already generated; nothing to do")
        return ErpSummary(truth, erp.sample_date(day))
    truth.mkdir(parents=True, exist_ok=True)
    if day == 1:  # until day 1 is complete, no manifest claims the days of an earlier sample
        (truth / MANIFEST).unlink(missing_ok=True)

    planned = erp.plan(seed, scale, day)
    moment = erp.cut_ms(day)
    sales = erp.state_at(planned.sales, moment)
    purchases = erp.state_at(planned.purchases, moment)
    every_sale, every_purchase = np.arange(len(planned.sales)), np.arange(len(planned.purchases))
    texts = {
        "design": _initial_design_copy() + erp.design_copy(planned.designs),
        **erp.order_texts(sales, purchases, every_sale, every_purchase, scale),
    }
    reference = build_reference()
    inserted: dict[str, int] = {}
    updated: dict[str, int] = {}
    conn = erp_schema.connect(dsn)
    try:
        if day == 1:
            erp_schema.recreate(conn)
            for table in erp_schema.LOAD_ORDER:
                text = _reference_copy(reference.rows(table)) if table in REFERENCE_TABLES else texts[table]
                erp_schema.copy_rows(conn, table, text)
                inserted[table] = text.count("\n")
            erp_schema.add_constraints(conn)
        else:
            before = _check_database(conn, scale, day)
            erp_schema.delete_after(conn, before)
            inserted, updated = _write_day(conn, planned, sales, purchases, erp.cut_ms(day - 1), scale)
        erp_schema.reset_sequences(conn)
        conn.commit()
    finally:
        conn.close()

    for table in REFERENCE_TABLES:
        _replace(truth / f"{table}.csv", _reference_csv(table, reference.rows(table)))
    for table, text in texts.items():
        _replace(truth / f"{table}.csv", _csv_from_copy(table, text))
    first, last = erp.working_date(0), erp.sample_date(day)
    manifest = {
        "seed": seed,
        "scale": scale,
        "days_generated": day,
        "working_dates": [first.isoformat(), last.isoformat()],
        "state_at": f"{last.isoformat()} 23:59:59.999",
        "max_ids": erp.max_ids(scale, day),
        "tables": sorted(f"{table}.csv" for table in erp_schema.LOAD_ORDER),
    }
    _replace(truth / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    if progress:
        written = ", ".join(f"{table} {rows:,}" for table, rows in inserted.items() if rows)
        changed = ", ".join(f"{table} {rows:,}" for table, rows in updated.items() if rows) or "none"
        progress(f"ERP day {day} ({last}): inserted {written}; updated {changed}")
    return ErpSummary(truth, last, inserted, updated)


def _write_day(
    conn: PgConnection,
    planned: erp.Plan,
    sales: erp.OrdersState,
    purchases: erp.OrdersState,
    since: int,
    scale: int,
) -> tuple[dict[str, int], dict[str, int]]:
    """Day K > 1: insert the rows created after `since`, update the older rows changed after it."""
    new_sales = np.flatnonzero(planned.sales.created > since)
    new_purchases = np.flatnonzero(planned.purchases.created > since)
    texts = {
        "design": erp.design_copy(planned.designs.take(planned.designs.created > since)),
        **erp.order_texts(sales, purchases, new_sales, new_purchases, scale),
    }
    inserted = {}
    for table, text in texts.items():
        erp_schema.copy_rows(conn, table, text)
        inserted[table] = text.count("\n")

    def older_changed(state: erp.OrdersState, last_updated: np.ndarray) -> np.ndarray:
        return np.flatnonzero((state.orders.created <= since) & (last_updated > since))

    updated = {}
    for table, state in (("sales_order", sales), ("purchase_order", purchases)):
        rows = older_changed(state, state.last_updated)
        updated[table] = erp_schema.update_rows(conn, table, _order_changes(table), erp.order_updates(state, rows))
    paid_sales = older_changed(sales, sales.payment_last_updated)
    paid_purchases = older_changed(purchases, purchases.payment_last_updated)
    updated["payment"] = erp_schema.update_rows(
        conn, "payment", list(erp.PAYMENT_CHANGES), erp.payment_updates(sales, paid_sales, purchases, paid_purchases)
    )
    return inserted, updated
