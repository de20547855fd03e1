"""Change capture by key range: which ranges of a source table to copy, decided from fingerprints of the source.

A source table with an integer key (not necessarily unique) is cut into ranges of that key. Each range is always
captured whole: all of its rows, copied in one snapshot, with its row count and a fingerprint (the sum of a 64-bit
hash of every row's text) recorded beside them in the warehouse. On every run the source's ranges are counted and
fingerprinted again (one scan of the table) and compared with what the warehouse last captured:

- a range whose count or fingerprint differs is captured again whole. That catches an UPDATE (a corrected amount),
  a DELETE (a cancelled sale; a range may come back empty), a row that committed after the rows around it were
  loaded (sequence values are taken before commit), and a back-filled row with an old key;
- keys above the last captured range are new ranges, cut to about RANGE_ROWS rows each (evenly by value; where
  the keys are far from dense, at every RANGE_ROWS-th key). A range that grew past twice that (rows back-filled
  into it) is cut the same way when it is captured again: the first part keeps its low end.

The warehouse keeps every capture (history survives); for each range the latest capture is the current one, and
the rows of earlier captures of that range are stale versions. The ranges never overlap: a range is only ever
captured again with the same bounds, new ranges start above the last one, and the first starts at the lowest
bigint so a back-filled key below every other still falls in a range.

The record of captures lives in the warehouse (raw.<table>_captures), not in dlt's state folder, so it is lost
exactly when the rows are: a warehouse recreated from nothing captures the whole table again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1
# Rows per new range: a changed row costs its whole range again (a copy, and dbt reprocessing its keys).
RANGE_ROWS = 2_000
# Rows per copied file: several files let dlt's load workers run their COPYs side by side.
ROWS_PER_FILE = 350_000


@dataclass(frozen=True)
class KeyRange:
    """Keys `low`..`high` (both inclusive) of a source table, with the row count and fingerprint of a capture."""

    low: int
    high: int
    rows: int
    fingerprint: str


@dataclass(frozen=True)
class SourceCount:
    """What the source holds in one range (or above the last one): rows, fingerprint, lowest and highest key."""

    rows: int
    fingerprint: str
    lowest: int | None = None
    highest: int | None = None


def thresholds(captured: Sequence[KeyRange]) -> list[int]:
    """The lower bounds for width_bucket: each captured range's low, then the first key above the last range.

    Bucket i (1..n) is captured range i; bucket n + 1 holds the keys above them; with nothing captured every key
    is in bucket 0.
    """
    if not captured:
        return []
    lows = [captured_range.low for captured_range in captured]
    # No key can lie above a range that ends at the highest bigint (and high + 1 would not be one).
    return lows if captured[-1].high == BIGINT_MAX else [*lows, captured[-1].high + 1]


def changed_ranges(captured: Sequence[KeyRange], counts: dict[int, SourceCount]) -> list[KeyRange]:
    """The captured ranges whose rows in the source differ now, with the source's count and fingerprint."""
    changed = []
    for bucket, captured_range in enumerate(captured, start=1):
        now = counts.get(bucket, SourceCount(0, "0"))
        if (now.rows, now.fingerprint) != (captured_range.rows, captured_range.fingerprint):
            changed.append(KeyRange(captured_range.low, captured_range.high, now.rows, now.fingerprint))
    return changed


def new_range_bounds(captured: Sequence[KeyRange], above: SourceCount | None) -> list[tuple[int, int]]:
    """(low, high) of the new ranges for the keys above the captured ones, about RANGE_ROWS rows each.

    The keys are cut evenly by value (ids are dense enough for that); the first new range starts right above the
    last captured one (at the lowest bigint when nothing is captured yet), the last ends at the highest key.
    """
    if above is None or not above.rows or above.lowest is None or above.highest is None:
        return []
    start = captured[-1].high + 1 if captured else BIGINT_MIN
    lowest, highest = above.lowest, above.highest
    parts = max(1, min(math.ceil(above.rows / RANGE_ROWS), highest - lowest + 1))
    edges = [lowest - 1 + (highest - lowest + 1) * part // parts for part in range(1, parts)]
    bounds = [start - 1, *edges, highest]
    return [(low + 1, high) for low, high in itertools.pairwise(bounds)]


def bounds_from_cuts(low: int, cuts: Sequence[int], high: int) -> list[tuple[int, int]]:
    """(low, high) ranges covering `low`..`high`, each ending at a cut key (the last at `high`)."""
    ends = [cut for cut in sorted(set(cuts)) if low <= cut < high] + [high]
    starts = [low, *(end + 1 for end in ends[:-1])]
    return list(zip(starts, ends, strict=True))


def oversized(ranges: Sequence[KeyRange]) -> list[KeyRange]:
    """Ranges holding more than twice RANGE_ROWS rows: keys far from dense, or many rows back-filled into one range.

    They are cut again at every RANGE_ROWS-th key, so one change never costs a huge range.
    """
    return [key_range for key_range in ranges if key_range.rows > 2 * RANGE_ROWS]


def files_of(ranges: Sequence[KeyRange]) -> list[list[KeyRange]]:
    """The ranges to copy, in key order, grouped into files of about ROWS_PER_FILE rows (a range is never split)."""
    files: list[list[KeyRange]] = []
    rows = 0
    for key_range in sorted(ranges, key=lambda r: r.low):
        if not files or (rows + key_range.rows > ROWS_PER_FILE and files[-1]):
            files.append([])
            rows = 0
        files[-1].append(key_range)
        rows += key_range.rows
    return files


def intervals(ranges: Sequence[KeyRange]) -> list[tuple[int, int]]:
    """Adjacent ranges merged into (low, high) intervals, for a short WHERE clause."""
    merged: list[tuple[int, int]] = []
    for key_range in sorted(ranges, key=lambda r: r.low):
        if merged and merged[-1][1] + 1 == key_range.low:
            merged[-1] = (merged[-1][0], key_range.high)
        else:
            merged.append((key_range.low, key_range.high))
    return merged
