"""generate_tills: write sample day K's branch till files into `<landing>/tills/` and their truth.

Scale and days: day 1 writes `scale` trading days (the last one is day 1's CRM export date, 2025-06-30) and the
pilot's files; each later day K writes the one trading day of day K's export date and leaves every earlier file
as it is. A file is only replaced when its bytes change, so regenerating a day keeps its files' modification times.
Day 1 starts over: till files and truth of an earlier sample that day 1 does not write are removed. A day K > 1
already generated is left as it is.

The truth goes to `<truth>/tills/`: per sample day `files_dayNNN.csv` (one row per till file), `orders_dayNNN.csv`
(one row per order line, keyed by source_file and line_number: the clean values or the reject reason) and
`items_dayNNN.csv` (the clean orders' items with their quantity); `defects.json` (counts per sample day and
cumulative) and `manifest.json` (seed, scale, days generated), written last. Nothing loads these files yet.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from warehouse.sample.days import check_arguments, days_generated
from warehouse.sample.tills import (
    CURRENT_NAME,
    FILE_DEFECTS_PER_DAY,
    FILES_HEADER,
    ITEMS_HEADER,
    ORDER_DEFECTS_PER_DAY,
    ORDERS_HEADER,
    PILOT_NAME,
    add_counts,
    count_defects,
    pilot_dates,
    plan_day,
    render,
    trading_dates,
    truth_rows,
)

TRUTH_FOLDER = "tills"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class TillsSummary:
    """What one call generated."""

    tills_dir: Path
    files_written: int
    order_lines: int
    trading_dates: tuple[date, ...]
    truth_dir: Path
    defects: dict[str, Any] = field(default_factory=dict)


def truth_name(kind: str, day: int) -> str:
    """`orders_day001.csv` and the like: one file of each kind per sample day."""
    return f"{kind}_day{day:03d}.csv"


def _replace(path: Path, data: bytes) -> None:
    """Write a file through a temporary one; an unchanged file keeps its modification time."""
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def read_manifest(truth_dir: Path) -> dict[str, Any] | None:
    """The till sample's manifest in this truth folder, None when there is none."""
    path = truth_dir / TRUTH_FOLDER / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def check_day(truth_dir: Path, *, scale: int, day: int, seed: int) -> int:
    """Days of the till sample already generated; raise when day `day` cannot follow them."""
    check_arguments(scale, day, seed)
    manifest = read_manifest(truth_dir)
    if day == 1:
        return 0
    return days_generated(
        manifest,
        what="the till files of sample",
        missing=f"day 1 of the till sample was never generated (no {TRUTH_FOLDER}/manifest.json in {truth_dir})",
        seed=seed,
        scale=scale,
        day=day,
    )


def _start_over(tills_dir: Path, truth: Path, keep: set[str]) -> None:
    """Day 1: till files and truth files of an earlier sample go, except the ones just written."""
    for path in tills_dir.iterdir():
        ours = CURRENT_NAME.fullmatch(path.name) or PILOT_NAME.fullmatch(path.name)
        if ours and path.name not in keep and path.is_file():
            path.unlink()
    for path in truth.glob("*_day*.csv"):
        if path.name not in keep:
            path.unlink()


def generate_tills(
    *,
    tills_dir: Path,
    truth_dir: Path,
    scale: int = 1,
    day: int = 1,
    seed: int = 42,
    progress: Progress | None = None,
) -> TillsSummary:
    """Write sample day `day`'s till files and their truth (module doc); a day already generated is left as it is."""
    done = check_day(truth_dir, scale=scale, day=day, seed=seed)
    truth = truth_dir / TRUTH_FOLDER
    dates = tuple(trading_dates(scale, day))
    if day <= done:
        if progress:
            progress(f"till files of sample day {day} already generated; nothing to do")
        defects = json.loads((truth / "defects.json").read_text(encoding="utf-8"))["per_day"][str(day)]
        return TillsSummary(tills_dir, 0, 0, dates, truth, defects)
    tills_dir.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    if day == 1:  # until day 1 is complete, no manifest claims the days of an earlier sample
        (truth / "manifest.json").unlink(missing_ok=True)

    temporary = {kind: truth / f".{truth_name(kind, day)}.tmp" for kind in ("files", "orders", "items")}
    handles = {kind: path.open("w", encoding="utf-8", newline="") for kind, path in temporary.items()}
    counts: dict[str, Any] = {}
    written: set[str] = set()
    try:
        writers = {kind: csv.writer(handle, lineterminator="\n") for kind, handle in handles.items()}
        for kind, header in (("files", FILES_HEADER), ("orders", ORDERS_HEADER), ("items", ITEMS_HEADER)):
            writers[kind].writerow(header)
        every = max(1, len(dates) // 10)
        for group, (trading_day, files) in enumerate(plan_day(seed, scale, day)):
            for till in files:
                _replace(tills_dir / till.name, render(till))
                written.add(till.name)
                orders, items, file_row = truth_rows(till)
                writers["orders"].writerows(orders)
                writers["items"].writerows(items)
                writers["files"].writerow(file_row)
            counts = add_counts(counts, count_defects(files))
            if progress and trading_day is not None and group % every == 0:
                progress(f"till files: trading day {trading_day} of {dates[0]}..{dates[-1]}")
    finally:
        for handle in handles.values():
            handle.close()
    for kind, path in temporary.items():
        os.replace(path, truth / truth_name(kind, day))
        written.add(truth_name(kind, day))
    if day == 1:
        _start_over(tills_dir, truth, written)

    previous = {} if day == 1 else json.loads((truth / "defects.json").read_text(encoding="utf-8"))["per_day"]
    per_day = {**{k: v for k, v in previous.items() if int(k) < day}, str(day): counts}
    cumulative: dict[str, Any] = {}
    for value in per_day.values():
        cumulative = add_counts(cumulative, value)
    document = {
        "seed": seed,
        "scale": scale,
        "days_generated": day,
        "per_trading_day": {"files": FILE_DEFECTS_PER_DAY, "orders": ORDER_DEFECTS_PER_DAY},
        "per_day": per_day,
        "cumulative": cumulative,
    }
    _replace(truth / "defects.json", (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    first = trading_dates(scale, 1)[0]
    manifest = {
        "seed": seed,
        "scale": scale,
        "days_generated": day,
        "trading_dates": [first.isoformat(), dates[-1].isoformat()],
        "pilot_dates": [d.isoformat() for d in pilot_dates(scale)],
    }
    _replace(truth / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    return TillsSummary(tills_dir, counts["files"]["written"], counts["orders"]["lines"], dates, truth, counts)
