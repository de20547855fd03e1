"""generate_sample: write day K's CRM export and shop transactions, and the ground truth after days 1..K.

Every day is recomputed from the seed: days before K are planned again (random draws only, no rendering) to
rebuild the customers' state and totals, and day K is planned, rendered and written. So nothing is kept
between calls but the files themselves.

Idempotence: day 1 always starts over (the table is re-created, exports of later days are removed, the export
file is only replaced when its bytes change so an unchanged file keeps its modification time). A day K > 1
that was already generated is left as it is (nothing is written, `transaction_rows` is 0).
"""

from __future__ import annotations

import filecmp
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from warehouse.errors import WarehouseError
from warehouse.sample import customers, layout, shop, transactions, truth
from warehouse.sample.customers import CustomerState
from warehouse.sample.days import check_arguments, days_generated

Progress = Callable[[str], None]
EXPORT_NAME = re.compile(r"customers_(\d{8})\.csv")
CSV_HEADER = "customer_id,name,age,country,is_active\n"


@dataclass(frozen=True)
class SampleSummary:
    """What one call generated."""

    customers_file: Path
    customer_rows: int
    transaction_rows: int
    truth_file: Path
    defects: dict[str, dict[str, int]] = field(default_factory=dict)


class _Reporter:
    """Progress messages at about every 10% of a step, so large scales show life without flooding."""

    def __init__(self, progress: Progress | None, what: str, total: int) -> None:
        self.progress, self.what, self.total, self.done, self.next = progress, what, total, 0, total / 10

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress and (self.done >= self.next or self.done == self.total):
            self.progress(f"{self.what}: {self.done:,}/{self.total:,} rows")
            self.next = self.done + self.total / 10


def _check_previous_days(manifest: dict | None, seed: int, scale: int, day: int, shop_max: int | None) -> int:
    """Days already generated; raise when day K cannot follow them (or the shop lost their rows)."""
    done = days_generated(
        manifest,
        what="sample",
        missing="day 1 was never generated (no manifest in the truth folder)",
        seed=seed,
        scale=scale,
        day=day,
    )
    expected = layout.max_transaction_id(scale, min(day - 1, done))
    if shop_max is None or shop_max < expected:
        raise WarehouseError(
            f"cannot generate sample day {day}: table {shop.TABLE} should hold transaction ids "
            f"up to {expected} "
            f"(days 1..{day - 1}) but its highest id is {shop_max}",
            hint="the shop database was reset; start over with day 1.",
        )
    return done


def _write_export(path: Path, parts: Iterable[list[str]]) -> int:
    """Write the CSV through a temporary file; an unchanged file keeps its mtime."""
    temporary = path.with_name(f".{path.name}.tmp")
    rows = 0
    with temporary.open("w", encoding="utf-8", newline="") as file:
        file.write(CSV_HEADER)
        for lines in parts:
            file.writelines(lines)
            rows += len(lines)
    if path.exists() and filecmp.cmp(temporary, path, shallow=False):
        temporary.unlink()
    else:
        os.replace(temporary, path)
    return rows


def _remove_later_exports(customers_dir: Path) -> None:
    """Day 1 starts over: exports dated after the first one belong to the previous sample."""
    first = f"{layout.FIRST_EXPORT_DATE:%Y%m%d}"
    for path in customers_dir.glob("customers_*.csv"):
        match = EXPORT_NAME.fullmatch(path.name)
        if match and match.group(1) > first:
            path.unlink()


def _customers_day(
    seed: int, scale: int, day: int, state: CustomerState, target: Path | None, progress: Progress | None
) -> dict[str, int]:
    """Plan day K's export into `state`; write it to `target` when given. Returns its defect counts."""
    counts: Counter[str] = Counter()
    reporter = _Reporter(progress, f"customers {layout.customers_file_name(day)}", layout.customer_rows(scale, day))

    def parts() -> Iterable[list[str]]:
        for rows in customers.plan_export(seed, scale, day, state):
            counts.update(customers.count_defects(rows))
            if target is not None:
                yield customers.render_lines(rows)
                reporter.advance(len(rows))

    if target is None:
        for _ in parts():
            pass
    else:
        _write_export(target, parts())
    return dict(counts)


def _transactions_day(
    seed: int,
    scale: int,
    day: int,
    state: CustomerState,
    totals: tuple[np.ndarray, np.ndarray],
    dsn: str | None,
    progress: Progress | None,
) -> dict[str, int]:
    """Plan day K's transactions into `totals`; insert them into the shop table when `dsn` is given."""
    counts: Counter[str] = Counter()
    conn = shop.connect(dsn) if dsn else None
    reporter = _Reporter(progress, f"transactions day {day}", layout.transaction_rows(scale, day))
    try:
        if conn is not None:
            if day == 1:
                shop.recreate_table(conn)
            else:
                shop.delete_after(conn, layout.max_transaction_id(scale, day - 1))
        for rows in transactions.plan_day(seed, scale, day, state):
            counts.update(transactions.count_defects(rows))
            transactions.add_to_totals(rows, *totals)
            if conn is not None:
                shop.copy_rows(conn, transactions.render_copy(rows))
                reporter.advance(len(rows))
        if conn is not None:
            shop.create_index(conn)
            conn.commit()
    finally:
        if conn is not None:
            conn.close()
    return dict(counts)


def _already_generated(customers_dir: Path, truth_dir: Path, day: int, scale: int) -> SampleSummary:
    defects = truth.read_defects(truth_dir)["per_day"][str(day)]
    return SampleSummary(
        customers_file=customers_dir / layout.customers_file_name(day),
        customer_rows=layout.customer_rows(scale, day),
        transaction_rows=0,
        truth_file=truth_dir / truth.CUSTOMERS_TRUTH,
        defects=defects,
    )


def generate_sample(
    *,
    customers_dir: Path,
    source_dsn: str,
    truth_dir: Path,
    scale: int = 1,
    day: int = 1,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> SampleSummary:
    """Generate day `day` of the dirty sample sources and the truth after days 1..day (module doc)."""
    check_arguments(scale, day, seed)
    customers_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    if day > 1:
        with shop.connect(source_dsn) as conn:
            shop_max = shop.current_max_id(conn)
        conn.close()
        done = _check_previous_days(truth.read_manifest(truth_dir), seed, scale, day, shop_max)
        if day <= done:
            if progress:
                progress(f"sample day {day} already generated; nothing to do")
            return _already_generated(customers_dir, truth_dir, day, scale)
    else:
        _remove_later_exports(customers_dir)

    state = CustomerState.empty(layout.customers_after(scale, day))
    totals = (np.zeros(state.age.shape, dtype=np.int64), np.zeros(state.age.shape, dtype=np.int64))
    per_day = []
    for current in range(1, day + 1):
        is_target = current == day
        if progress and not is_target:
            progress(f"replaying day {current} to rebuild the truth")
        target = customers_dir / layout.customers_file_name(current) if is_target else None
        customer_defects = _customers_day(seed, scale, current, state, target, progress)
        dsn = source_dsn if is_target else None
        transaction_defects = _transactions_day(seed, scale, current, state, totals, dsn, progress)
        per_day.append({"customers": customer_defects, "transactions": transaction_defects})

    truth_file = truth_dir / truth.CUSTOMERS_TRUTH
    truth.write_customers_truth(truth_file, state, *totals)
    truth.write_defects(truth_dir, seed=seed, scale=scale, per_day=per_day)
    truth.write_manifest(truth_dir, seed=seed, scale=scale, days=day)
    return SampleSummary(
        customers_file=customers_dir / layout.customers_file_name(day),
        customer_rows=layout.customer_rows(scale, day),
        transaction_rows=layout.transaction_rows(scale, day),
        truth_file=truth_file,
        defects=per_day[-1],
    )
