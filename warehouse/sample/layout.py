"""How many rows of each kind a day holds, where ids start, how the work is chunked, and the seeding.

Every count is an exact multiple of `scale`: per *unit* of the first export there are 5,200 customer rows and
10,500 transaction rows; each later day adds a delta unit. A chunk is a run of whole units (about 100k
rows), and each chunk draws from its own generator seeded by (seed, day, stream, chunk), so any chunk can be
regenerated alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

FIRST_EXPORT_DATE = date(2025, 6, 30)
HISTORY_START = date(2024, 7, 1)  # day-1 transactions are dated HISTORY_START ...
HISTORY_DAYS = 364  # ... up to and including 2025-06-29
ID_WIDTH = 8  # C00000042: room for scale 1000 and many days
UNKNOWN_CUSTOMER_BASE = 90_000_000  # ids from here on never belong to a real customer
CHUNK_ROWS = 100_000

# Customer rows per unit. `real`/`changed`/`new` are the lines holding a customer's truth.
CUSTOMERS_FIRST = {"real": 5000, "stale_version": 80, "exact_duplicate": 60, "missing_customer_id": 60}
CUSTOMERS_DELTA = {
    "changed": 100,
    "new": 50,
    "stale_version": 2,
    "exact_duplicate": 2,
    "missing_customer_id": 2,
}

# Transaction reject reasons in the order docs/data_rules.md checks them (first one wins).
TRANSACTION_REASONS = (
    "missing_customer_id",
    "unknown_customer",
    "missing_amount",
    "unparseable_amount",
    "non_positive_amount",
    "amount_out_of_range",
    "missing_date",
    "invalid_date",
    "future_date",
)
# Transaction rows per unit. `conflicting_duplicate_key` counts rows (two versions per id).
TRANSACTIONS_FIRST = {
    "valid": 10000,
    "exact_duplicate": 100,
    "conflicting_duplicate_key": 100,
    "missing_customer_id": 40,
    "unknown_customer": 40,
    "missing_amount": 30,
    "unparseable_amount": 30,
    "non_positive_amount": 30,
    "amount_out_of_range": 30,
    "missing_date": 30,
    "invalid_date": 40,
    "future_date": 30,
}
TRANSACTIONS_DELTA = {"valid": 197, "exact_duplicate": 2, "conflicting_duplicate_key": 2} | dict.fromkeys(
    TRANSACTION_REASONS, 1
)

# Streams of random numbers, one per purpose, so that adding draws to one never shifts another.
CUSTOMERS_STREAM = 1
TRANSACTIONS_STREAM = 2


def rng_for(seed: int, day: int, stream: int, chunk: int = 0) -> np.random.Generator:
    """The generator of one chunk of one stream of one day."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, day, stream, chunk])))


def customer_mix(day: int) -> dict[str, int]:
    """Customer rows per unit on this day."""
    return CUSTOMERS_FIRST if day == 1 else CUSTOMERS_DELTA


def transaction_mix(day: int) -> dict[str, int]:
    """Transaction rows per unit on this day."""
    return TRANSACTIONS_FIRST if day == 1 else TRANSACTIONS_DELTA


def export_date(day: int) -> date:
    """The date of day K's CRM export and of its new transactions."""
    return FIRST_EXPORT_DATE + timedelta(days=day - 1)


def customers_file_name(day: int) -> str:
    """customers_YYYYMMDD.csv of day K."""
    return f"customers_{export_date(day):%Y%m%d}.csv"


def customer_rows(scale: int, day: int) -> int:
    """Data rows in day K's export file."""
    return sum(customer_mix(day).values()) * scale


def transaction_rows(scale: int, day: int) -> int:
    """Rows inserted into the shop table on day K."""
    return sum(transaction_mix(day).values()) * scale


def customers_after(scale: int, day: int) -> int:
    """Real (clean, deduplicated) customers once days 1..K are generated."""
    return (CUSTOMERS_FIRST["real"] + (day - 1) * CUSTOMERS_DELTA["new"]) * scale


def transaction_ids_per_unit(day: int) -> int:
    """Distinct transaction ids per unit: every row but the duplicate copies and second versions."""
    mix = transaction_mix(day)
    return sum(mix.values()) - mix["exact_duplicate"] - mix["conflicting_duplicate_key"] // 2


def max_transaction_id(scale: int, day: int) -> int:
    """The highest transaction_id once days 1..K are generated (ids start at 1, no gaps); 0 for day 0."""
    if day < 1:
        return 0
    return (transaction_ids_per_unit(1) + (day - 1) * transaction_ids_per_unit(2)) * scale


def junk_offset(scale: int, day: int) -> int:
    """Number of customer rows without an id written before day K (they are numbered to stay distinct)."""
    if day <= 1:
        return 0
    first = CUSTOMERS_FIRST["missing_customer_id"] * scale
    return first + (day - 2) * CUSTOMERS_DELTA["missing_customer_id"] * scale


@dataclass(frozen=True)
class Chunk:
    """A run of whole units: `index` seeds its generator, `first_unit` places its ids."""

    index: int
    first_unit: int
    units: int


def chunks(scale: int, rows_per_unit: int) -> list[Chunk]:
    """Split `scale` units into chunks of about CHUNK_ROWS rows."""
    per_chunk = max(1, CHUNK_ROWS // rows_per_unit)
    return [
        Chunk(index=i, first_unit=first, units=min(per_chunk, scale - first))
        for i, first in enumerate(range(0, scale, per_chunk))
    ]
