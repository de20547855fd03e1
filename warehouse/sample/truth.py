"""Ground truth files: customers_truth.csv, defects.json and manifest.json in the truth folder."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from warehouse.sample import layout
from warehouse.sample.customers import CustomerState
from warehouse.sample.layout import CUSTOMERS_DELTA, ID_WIDTH, TRANSACTION_REASONS
from warehouse.sample.reference import COUNTRY_CODES, UNKNOWN_COUNTRY_CODE

CUSTOMERS_TRUTH = "customers_truth.csv"
DEFECTS = "defects.json"
MANIFEST = "manifest.json"
TRUTH_HEADER = (
    "customer_id,age,country_code,is_active,total_spent,avg_transaction_value,transaction_count,is_high_value\n"
)
HIGH_VALUE_CENTS = 50_000  # total_spent > 500
_CODES = np.array([*COUNTRY_CODES, UNKNOWN_COUNTRY_CODE], dtype=object)


def _replace(path: Path, text: str) -> None:
    """Write a small file atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def read_manifest(truth_dir: Path) -> dict[str, Any] | None:
    """The manifest of the sample in this folder, None when there is none."""
    path = truth_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def read_defects(truth_dir: Path) -> dict[str, Any]:
    """defects.json as written by `write_defects`."""
    return json.loads((truth_dir / DEFECTS).read_text(encoding="utf-8"))


def write_manifest(truth_dir: Path, *, seed: int, scale: int, days: int) -> Path:
    """Record what has been generated, written last so that it only names completed days."""
    files = [layout.customers_file_name(day) for day in range(1, days + 1)]
    manifest = {
        "seed": seed,
        "scale": scale,
        "days_generated": days,
        "customers_files": files,
        "max_transaction_id": layout.max_transaction_id(scale, days),
    }
    path = truth_dir / MANIFEST
    _replace(path, json.dumps(manifest, indent=2) + "\n")
    return path


def _money(cents: np.ndarray) -> list[str]:
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]


def write_customers_truth(path: Path, state: CustomerState, cents: np.ndarray, count: np.ndarray) -> None:
    """One line per clean customer, in customer_id order, computed from the true values."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as file:
        file.write(TRUTH_HEADER)
        for start in range(0, state.size, layout.CHUNK_ROWS):
            part = slice(start, min(start + layout.CHUNK_ROWS, state.size))
            total, n = cents[part], count[part]
            average = np.where(n > 0, (2 * total + n) // (2 * np.maximum(n, 1)), 0)  # round half up
            active = state.active[part]
            high = active & (total > HIGH_VALUE_CENTS)
            ages = [str(age) if age >= 0 else "" for age in state.age[part].tolist()]
            averages = [value if has else "" for value, has in zip(_money(average), (n > 0).tolist(), strict=False)]
            columns = zip(
                range(part.start + 1, part.stop + 1),
                ages,
                _CODES[state.country[part]].tolist(),
                np.where(active, "true", "false").tolist(),
                _money(total),
                averages,
                n.tolist(),
                np.where(high, "true", "false").tolist(),
                strict=False,
            )
            file.writelines(f"C{i:0{ID_WIDTH}d},{a},{c},{s},{t},{v},{k},{h}\n" for i, a, c, s, t, v, k, h in columns)
    os.replace(temporary, path)


def _sum(dicts: list[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counts in dicts:
        total.update(counts)
    return {key: total[key] for key in dicts[0]}


def reconciliation(scale: int, days: int, cumulative: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    """Expected figures per source after days 1..K: raw = clean + rejected + duplicates (+ stale versions)."""
    customers, transactions = cumulative["customers"], cumulative["transactions"]
    superseded = (days - 1) * CUSTOMERS_DELTA["changed"] * scale  # earlier exports' versions of changed customers
    tx_rejected = {"conflicting_duplicate_key": transactions["conflicting_duplicate_key"]}
    tx_rejected |= {reason: transactions[reason] for reason in TRANSACTION_REASONS}
    return {
        "customers": {
            "raw_rows": sum(layout.customer_rows(scale, day) for day in range(1, days + 1)),
            "clean_rows": layout.customers_after(scale, days),
            "rejected": {"missing_customer_id": customers["missing_customer_id"]},
            "exact_duplicates": customers["exact_duplicate"],
            "stale_versions": customers["stale_version"] + superseded,
        },
        "transactions": {
            "raw_rows": sum(layout.transaction_rows(scale, day) for day in range(1, days + 1)),
            "clean_rows": sum(layout.transaction_mix(day)["valid"] * scale for day in range(1, days + 1)),
            "rejected": tx_rejected,
            "exact_duplicates": transactions["exact_duplicate"],
        },
    }


def write_defects(truth_dir: Path, *, seed: int, scale: int, per_day: list[dict[str, dict[str, int]]]) -> Path:
    """defects.json: injected counts per day and cumulative, and the expected reconciliation."""
    cumulative = {source: _sum([day[source] for day in per_day]) for source in ("customers", "transactions")}
    document = {
        "seed": seed,
        "scale": scale,
        "days_generated": len(per_day),
        "per_day": {str(day): counts for day, counts in enumerate(per_day, start=1)},
        "cumulative": cumulative,
        "reconciliation": reconciliation(scale, len(per_day), cumulative),
    }
    path = truth_dir / DEFECTS
    _replace(path, json.dumps(document, indent=2) + "\n")
    return path
