"""Shop transactions: plan each day's rows (category, clean values, spelling), sum the truth, render COPY.

Every row has exactly one category: valid, an exact duplicate copy of a valid row, one of two versions of a
conflicting id, or exactly one reject reason. So the injected count per reject reason is exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from warehouse.sample import reference as ref
from warehouse.sample.customers import ID_FORMATS, CustomerState
from warehouse.sample.layout import (
    HISTORY_DAYS,
    HISTORY_START,
    TRANSACTION_REASONS,
    TRANSACTIONS_STREAM,
    UNKNOWN_CUSTOMER_BASE,
    chunks,
    max_transaction_id,
    rng_for,
    transaction_ids_per_unit,
    transaction_mix,
)
from warehouse.sample.rows import Columns, pick

VALID, DUPLICATE, CONFLICT = 0, 1, 2
REASON_CATEGORY = {reason: 3 + i for i, reason in enumerate(TRANSACTION_REASONS)}
MISSING_CUSTOMER, UNKNOWN_CUSTOMER = -1, -2
NULL = "\\N"  # COPY text format
MISSING_TEXT = tuple(NULL if token is None else token for token in ref.MISSING_TOKENS)
AMOUNT_TOKENS = MISSING_TEXT + ref.UNPARSEABLE_AMOUNT_TOKENS
DATE_TOKENS = MISSING_TEXT + ref.INVALID_DATE_TOKENS
BIG_SPENDER_SHARE = 0.3  # share of transactions made by the ~8% big spenders
MAX_VALID_CENTS = 999_999  # amounts above 10000.00 are rejected
_HISTORY_START = np.datetime64(HISTORY_START.isoformat(), "D")


@dataclass
class TransactionRows(Columns):
    """Rows of one chunk of one day, in table order."""

    transaction_id: np.ndarray
    category: np.ndarray  # VALID, DUPLICATE, CONFLICT or REASON_CATEGORY[reason]
    customer: np.ndarray  # customer number - 1, MISSING_CUSTOMER or UNKNOWN_CUSTOMER
    customer_style: np.ndarray  # index into ID_FORMATS (into MISSING_TEXT when missing)
    unknown_number: np.ndarray  # the id number used when the customer is unknown
    cents: np.ndarray  # clean amount in cents
    amount_style: np.ndarray  # 0 '12.50', 1 '$12.50', 2 '$1,234.50', 3 ' 12.50 '
    amount_token: np.ndarray  # index into AMOUNT_TOKENS, -1 when the amount is spelled from cents
    date_offset: np.ndarray  # days since HISTORY_START
    date_style: np.ndarray  # 0 'YYYY-MM-DD', 1 'YYYY/MM/DD', 2 'YYYY-MM-DD HH:MM:SS'
    seconds: np.ndarray  # time of day for style 2
    future_year: np.ndarray  # a year typo that puts the date in the future, 0 when none
    date_token: np.ndarray  # index into DATE_TOKENS, -1 when the date is spelled from date_offset


def _amount_cents(rng: np.random.Generator, big_spender: np.ndarray) -> np.ndarray:
    """Lognormal amounts; big spenders buy dearer. Always a valid amount (0.01 to 10000)."""
    normal = rng.lognormal(np.log(35), 0.8, len(big_spender))
    big = rng.lognormal(np.log(150), 0.7, len(big_spender))
    return np.clip(np.rint(np.where(big_spender, big, normal) * 100), 100, MAX_VALID_CENTS).astype(np.int64)


def _pick_customers(rng: np.random.Generator, n: int, known: int, big_ids: np.ndarray) -> np.ndarray:
    """Customers of n transactions: a fixed share goes to big spenders, the rest to anyone."""
    anyone = rng.integers(0, known, n)
    if len(big_ids) == 0:
        return anyone
    big = big_ids[rng.integers(0, len(big_ids), n)]
    return np.where(rng.random(n) < BIG_SPENDER_SHARE, big, anyone)


def _plan_chunk(
    rng: np.random.Generator, mix: dict[str, int], units: int, first_id: int, day: int, state: CustomerState
) -> TransactionRows:
    """One chunk: one row per id in a shuffled mix of categories, then second versions and copies."""
    categories = [VALID, CONFLICT, *REASON_CATEGORY.values()]
    counts = [mix["valid"], mix["conflicting_duplicate_key"] // 2, *(mix[r] for r in TRANSACTION_REASONS)]
    category = rng.permutation(np.repeat(np.array(categories, dtype=np.int8), np.array(counts) * units))
    n = len(category)
    big_ids = np.flatnonzero(state.big_spender[: state.size])
    customer = _pick_customers(rng, n, state.size, big_ids)
    is_ = {reason: category == code for reason, code in REASON_CATEGORY.items()}

    cents = _amount_cents(rng, state.big_spender[customer])
    non_positive = np.where(rng.random(n) < 0.3, 0, -rng.integers(1, 50_000, n))
    cents = np.where(is_["non_positive_amount"], non_positive, cents)
    cents = np.where(is_["amount_out_of_range"], rng.integers(1_000_001, 5_000_000, n), cents)
    missing = rng.integers(0, len(MISSING_TEXT), n)
    amount_token = np.where(is_["missing_amount"], missing, -1)
    unparseable = len(MISSING_TEXT) + rng.integers(0, len(ref.UNPARSEABLE_AMOUNT_TOKENS), n)
    amount_token = np.where(is_["unparseable_amount"], unparseable, amount_token)
    date_token = np.where(is_["missing_date"], missing, -1)
    invalid = len(MISSING_TEXT) + rng.integers(0, len(ref.INVALID_DATE_TOKENS), n)
    date_token = np.where(is_["invalid_date"], invalid, date_token)
    future_year = np.array(ref.FUTURE_YEARS)[rng.integers(0, len(ref.FUTURE_YEARS), n)]
    customer_style = pick(rng, n, (0.95, 0.02, 0.02, 0.01))

    rows = TransactionRows(
        transaction_id=np.arange(first_id, first_id + n, dtype=np.int64),
        category=category,
        customer=np.where(
            is_["missing_customer_id"],
            MISSING_CUSTOMER,
            np.where(is_["unknown_customer"], UNKNOWN_CUSTOMER, customer),
        ),
        customer_style=np.where(is_["missing_customer_id"], missing, customer_style).astype(np.int16),
        unknown_number=UNKNOWN_CUSTOMER_BASE + rng.integers(0, 9_000_000, n),
        cents=cents,
        amount_style=pick(rng, n, (0.75, 0.12, 0.08, 0.05)),
        amount_token=amount_token.astype(np.int16),
        date_offset=(rng.integers(0, HISTORY_DAYS, n) if day == 1 else np.full(n, HISTORY_DAYS + day - 1)).astype(
            np.int32
        ),
        date_style=np.where(is_["future_date"], 0, pick(rng, n, (0.8, 0.1, 0.1))).astype(np.int16),
        seconds=rng.integers(0, 86_400, n).astype(np.int32),
        future_year=np.where(is_["future_date"], future_year, 0).astype(np.int16),
        date_token=date_token.astype(np.int16),
    )
    second = rows.take(category == CONFLICT)
    second.cents = second.cents + rng.integers(100, 5_000, len(second))
    valid_at = np.flatnonzero(category == VALID)
    copy_at = np.sort(rng.choice(valid_at, mix["exact_duplicate"] * units, replace=False))
    copies = rows.take(copy_at)
    copies.category[:] = DUPLICATE
    keys = np.concatenate(
        [
            rows.transaction_id.astype(float),
            second.transaction_id + 0.5,
            copies.transaction_id + rng.integers(1, 300, len(copies)) + 0.25,
        ]
    )
    return TransactionRows.stack([rows, second, copies]).take(np.argsort(keys, kind="stable"))


def plan_day(seed: int, scale: int, day: int, state: CustomerState) -> Iterator[TransactionRows]:
    """Day K's new transactions, chunk by chunk; `state` must hold the customers known on day K."""
    mix = transaction_mix(day)
    ids_per_unit = transaction_ids_per_unit(day)
    first_id = max_transaction_id(scale, day - 1) + 1
    for chunk in chunks(scale, sum(mix.values())):
        rng = rng_for(seed, day, TRANSACTIONS_STREAM, chunk.index)
        yield _plan_chunk(rng, mix, chunk.units, first_id + chunk.first_unit * ids_per_unit, day, state)


def add_to_totals(rows: TransactionRows, cents: np.ndarray, count: np.ndarray) -> None:
    """Add the valid rows to each customer's total cents and transaction count."""
    valid = rows.category == VALID
    customer = rows.customer[valid]
    cents += np.bincount(customer, weights=rows.cents[valid], minlength=len(cents)).astype(np.int64)
    count += np.bincount(customer, minlength=len(count)).astype(np.int64)


def _money(cents: int, style: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    if style == 0:
        return f"{sign}{whole}.{fraction:02d}"
    if style == 1:
        return f"${sign}{whole}.{fraction:02d}"
    if style == 2:
        return f"${sign}{whole:,}.{fraction:02d}"
    return f" {sign}{whole}.{fraction:02d} "


def _date(iso: str, style: int, seconds: int, future_year: int) -> str:
    if future_year:
        return f"{future_year}{iso[4:]}".replace("-02-29", "-02-28")  # stay a real calendar date
    if style == 0:
        return iso
    if style == 1:
        return iso.replace("-", "/")
    return f"{iso} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def render_copy(rows: TransactionRows) -> str:
    """The rows as COPY text (tab-separated, \\N for null)."""
    customers = [
        MISSING_TEXT[style]
        if customer == MISSING_CUSTOMER
        else ID_FORMATS[style].format(unknown if customer == UNKNOWN_CUSTOMER else customer + 1)
        for customer, style, unknown in zip(
            rows.customer.tolist(), rows.customer_style.tolist(), rows.unknown_number.tolist(), strict=False
        )
    ]
    amounts = [
        AMOUNT_TOKENS[token] if token >= 0 else _money(cents, style)
        for cents, style, token in zip(
            rows.cents.tolist(), rows.amount_style.tolist(), rows.amount_token.tolist(), strict=False
        )
    ]
    iso = np.datetime_as_string(_HISTORY_START + rows.date_offset.astype("timedelta64[D]")).tolist()
    dates = [
        DATE_TOKENS[token] if token >= 0 else _date(day, style, seconds, future)
        for day, style, seconds, future, token in zip(
            iso,
            rows.date_style.tolist(),
            rows.seconds.tolist(),
            rows.future_year.tolist(),
            rows.date_token.tolist(),
            strict=False,
        )
    ]
    return "".join(
        f"{tid}\t{customer}\t{amount}\t{date}\n"
        for tid, customer, amount, date in zip(rows.transaction_id.tolist(), customers, amounts, dates, strict=False)
    )


def count_defects(rows: TransactionRows) -> dict[str, int]:
    """Injected defects: exact counts per reject reason, duplicates, and the classes of cleaned noise."""
    counts = {
        "exact_duplicate": int((rows.category == DUPLICATE).sum()),
        "conflicting_duplicate_key": int((rows.category == CONFLICT).sum()),
    }
    counts |= {reason: int((rows.category == code).sum()) for reason, code in REASON_CATEGORY.items()}
    spelled_date = (rows.date_token < 0) & (rows.future_year == 0)
    counts |= {
        "customer_id_noise": int(((rows.customer >= 0) & (rows.customer_style != 0)).sum()),
        "amount_formatted": int(((rows.amount_token < 0) & (rows.amount_style != 0)).sum()),
        "date_alternative_format": int((spelled_date & (rows.date_style != 0)).sum()),
    }
    return counts
