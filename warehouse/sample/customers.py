"""CRM customers: plan each export's rows (clean values + spelling), track the truth, render CSV lines.

A plan is all random draws and nothing else, so the ground truth of any day can be recomputed from the seed
without rendering. Each real customer has one *final* line per export that holds its truth; the other lines
are stale versions (earlier in the same file, other values), exact duplicate copies, or junk without an id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from warehouse.sample import reference as ref
from warehouse.sample.layout import (
    CUSTOMERS_DELTA,
    CUSTOMERS_FIRST,
    CUSTOMERS_STREAM,
    ID_WIDTH,
    chunks,
    junk_offset,
    rng_for,
)
from warehouse.sample.rows import Columns, count_in, pick

FINAL, STALE, DUPLICATE, JUNK = 0, 1, 2, 3
NO_COUNTRY = len(ref.COUNTRY_CODES)  # clean country index of 'ZZ'
MIN_AGE, MAX_AGE = 18, 85


def _country_tokens() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Flat table of country spellings: offset and count per clean country, class per token."""
    texts: list[str] = []
    kinds: list[str] = []
    offsets, counts = [], []
    for code in ref.COUNTRY_CODES:
        variants = ref.country_variants(code)
        offsets.append(len(texts))
        counts.append(len(variants))
        texts += variants
        kinds += ["canonical"] + ["alias"] * (len(variants) - 1)
    offsets.append(len(texts))
    unresolved = ref.MISSING_COUNTRY_TOKENS + ref.UNRECOGNISED_COUNTRY_TOKENS
    counts.append(len(unresolved))
    texts += unresolved
    kinds += ["missing"] * len(ref.MISSING_COUNTRY_TOKENS) + ["unknown"] * len(ref.UNRECOGNISED_COUNTRY_TOKENS)
    return np.array(texts, dtype=object), np.array(offsets), np.array(counts), kinds


COUNTRY_TEXT, COUNTRY_OFFSET, COUNTRY_COUNT, _COUNTRY_KIND = _country_tokens()
COUNTRY_ALIAS = [i for i, kind in enumerate(_COUNTRY_KIND) if kind == "alias"]
COUNTRY_MISSING = [i for i, kind in enumerate(_COUNTRY_KIND) if kind == "missing"]
COUNTRY_UNKNOWN = [i for i, kind in enumerate(_COUNTRY_KIND) if kind == "unknown"]

ACTIVE_TEXT = np.array([t for t, _ in ref.ACTIVE_TRUE_TOKENS + ref.ACTIVE_FALSE_TOKENS], dtype=object)
_N_TRUE = len(ref.ACTIVE_TRUE_TOKENS)
ACTIVE_MISSING = [i for i, text in enumerate(ACTIVE_TEXT) if text in ref.ACTIVE_MISSING]
ACTIVE_UNRECOGNISED = [i for i, text in enumerate(ACTIVE_TEXT) if text in ref.ACTIVE_UNRECOGNISED]

# Age spellings: index age * 3 + style (0 '34', 1 ' 34 ', 2 '34.0') for 0..120, then null tokens.
AGE_NULL_TOKENS = ref.MISSING_AGE_TOKENS + ref.NON_NUMERIC_AGE_TOKENS + ref.OUT_OF_RANGE_AGE_TOKENS
AGE_NULL_BASE = 121 * 3
AGE_TEXT = np.array(
    [text for age in range(121) for text in (f"{age}", f" {age} ", f"{age}.0")] + list(AGE_NULL_TOKENS),
    dtype=object,
)
AGE_NULL_WEIGHTS = (0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1)

# Name spellings: index (first * len(LAST_NAMES) + last) * 6 + style; style 5 is a missing name.
NAME_STYLES = 6
NAME_MISSING_STYLE = 5
NAME_TEXT = np.array(
    [
        text
        for first in ref.FIRST_NAMES
        for last in ref.LAST_NAMES
        for text in (
            f"{first} {last}",
            f"{first} {last}".upper(),
            f"{first} {last}".lower(),
            f"{first}   {last}",
            f"  {first} {last} ",
            "",
        )
    ],
    dtype=object,
)
ID_FORMATS = (f"C{{:0{ID_WIDTH}d}}", f"c{{:0{ID_WIDTH}d}}", f" C{{:0{ID_WIDTH}d}} ", f"  c{{:0{ID_WIDTH}d}}")
MISSING_ID_TOKENS = ("", "  ")


@dataclass
class CustomerRows(Columns):
    """Rows of one export (or a part of it) in file order: what each line says and what it cleans to."""

    kind: np.ndarray  # FINAL, STALE, DUPLICATE or JUNK
    customer: np.ndarray  # customer number - 1, -1 for junk
    id_style: np.ndarray  # index into ID_FORMATS (into MISSING_ID_TOKENS for junk)
    first: np.ndarray
    last: np.ndarray
    name_style: np.ndarray
    age: np.ndarray  # clean age, -1 when it cleans to null
    age_token: np.ndarray  # index into AGE_TEXT
    country: np.ndarray  # clean country index, NO_COUNTRY for 'ZZ'
    country_token: np.ndarray  # index into COUNTRY_TEXT
    active: np.ndarray  # clean is_active
    active_token: np.ndarray  # index into ACTIVE_TEXT
    big_spender: np.ndarray  # drives the customer's transactions, not part of the CSV


@dataclass
class CustomerState:
    """Clean attributes of every real customer so far, indexed by customer number - 1."""

    size: int
    age: np.ndarray
    country: np.ndarray
    active: np.ndarray
    first: np.ndarray
    last: np.ndarray
    big_spender: np.ndarray

    @classmethod
    def empty(cls, capacity: int) -> CustomerState:
        """Room for `capacity` customers, none known yet."""
        return cls(
            size=0,
            age=np.full(capacity, -1, dtype=np.int16),
            country=np.zeros(capacity, dtype=np.int16),
            active=np.zeros(capacity, dtype=bool),
            first=np.zeros(capacity, dtype=np.int16),
            last=np.zeros(capacity, dtype=np.int16),
            big_spender=np.zeros(capacity, dtype=bool),
        )

    def apply(self, rows: CustomerRows) -> None:
        """Take the values of every final line: new customers appear, changed ones are overwritten."""
        final = rows.take(rows.kind == FINAL)
        index = final.customer
        for name in ("age", "country", "active", "first", "last", "big_spender"):
            getattr(self, name)[index] = getattr(final, name)
        if len(index):
            self.size = max(self.size, int(index.max()) + 1)


def _styled(
    rng: np.random.Generator,
    kind: int,
    customer: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    age: np.ndarray,
    country: np.ndarray,
    active: np.ndarray,
    big_spender: np.ndarray,
) -> CustomerRows:
    """Rows for these clean values, each spelled with randomly drawn noise that cleans back to them."""
    n = len(customer)
    age_style = pick(rng, n, (0.94, 0.03, 0.03))
    age_null = AGE_NULL_BASE + pick(rng, n, AGE_NULL_WEIGHTS)
    age_token = np.where(age < 0, age_null, np.maximum(age, 0) * 3 + age_style).astype(np.int16)

    canonical = rng.random(n) < 0.75
    variant = 1 + (rng.random(n) * (COUNTRY_COUNT[country] - 1)).astype(np.int64)
    variant = np.where(country == NO_COUNTRY, (rng.random(n) * COUNTRY_COUNT[country]).astype(np.int64), variant)
    variant = np.where(canonical & (country != NO_COUNTRY), 0, variant)
    country_token = (COUNTRY_OFFSET[country] + variant).astype(np.int32)

    true_token = pick(rng, n, tuple(w for _, w in ref.ACTIVE_TRUE_TOKENS))
    false_token = _N_TRUE + pick(rng, n, tuple(w for _, w in ref.ACTIVE_FALSE_TOKENS))
    return CustomerRows(
        kind=np.full(n, kind, dtype=np.int8),
        customer=customer.astype(np.int64),
        id_style=pick(rng, n, (0.95, 0.025, 0.015, 0.01)),
        first=first.astype(np.int16),
        last=last.astype(np.int16),
        name_style=pick(rng, n, (0.86, 0.03, 0.03, 0.03, 0.03, 0.02)),
        age=age.astype(np.int16),
        age_token=age_token,
        country=country.astype(np.int16),
        country_token=country_token,
        active=active.astype(bool),
        active_token=np.where(active, true_token, false_token).astype(np.int16),
        big_spender=big_spender.astype(bool),
    )


def _new_customers(rng: np.random.Generator, customer: np.ndarray) -> CustomerRows:
    """Final lines of customers seen for the first time, with fresh clean values."""
    n = len(customer)
    age = np.clip(np.rint(rng.normal(44, 15, n)), MIN_AGE, MAX_AGE).astype(np.int16)
    age[rng.random(n) < 0.05] = -1
    shares = (*tuple(share * 0.97 for share in ref.COUNTRY_SHARES), 0.03)
    return _styled(
        rng,
        FINAL,
        customer,
        first=rng.integers(0, len(ref.FIRST_NAMES), n),
        last=rng.integers(0, len(ref.LAST_NAMES), n),
        age=age,
        country=pick(rng, n, shares),
        active=rng.random(n) < 0.8,
        big_spender=rng.random(n) < 0.08,
    )


def _other_country(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """A valid country different from each given one."""
    moved = (country + rng.integers(1, NO_COUNTRY, len(country))) % NO_COUNTRY
    return np.where(country == NO_COUNTRY, rng.integers(0, NO_COUNTRY, len(country)), moved).astype(np.int16)


def _stale_versions(rng: np.random.Generator, finals: CustomerRows) -> CustomerRows:
    """Earlier lines of these customers with other values (always another country, so never identical)."""
    return _styled(
        rng,
        STALE,
        finals.customer,
        finals.first,
        finals.last,
        finals.age,
        _other_country(rng, finals.country),
        rng.random(len(finals)) < 0.8,
        finals.big_spender,
    )


def _junk_rows(rng: np.random.Generator, start: int, n: int) -> CustomerRows:
    """Lines without a customer_id. Numbered globally so no two are ever identical (name, age, country)."""
    number = (np.arange(start, start + n, dtype=np.int64) * 7919 + 12345) % (
        len(ref.FIRST_NAMES) * len(ref.LAST_NAMES) * (MAX_AGE - MIN_AGE + 1) * NO_COUNTRY
    )
    first, number = number % len(ref.FIRST_NAMES), number // len(ref.FIRST_NAMES)
    last, number = number % len(ref.LAST_NAMES), number // len(ref.LAST_NAMES)
    age, country = MIN_AGE + number % (MAX_AGE - MIN_AGE + 1), number // (MAX_AGE - MIN_AGE + 1)
    rows = _styled(rng, JUNK, np.full(n, -1), first, last, age, country, rng.random(n) < 0.8, np.zeros(n, dtype=bool))
    rows.id_style = rng.integers(0, len(MISSING_ID_TOKENS), n).astype(np.int16)
    rows.name_style[rows.name_style == NAME_MISSING_STYLE] = 0
    return rows


def _assemble(
    rng: np.random.Generator, finals: CustomerRows, stale: int, duplicates: int, junk: CustomerRows
) -> CustomerRows:
    """Order final lines by id; stale versions go before and exact copies after their final line."""
    n = len(finals)
    chosen = rng.permutation(n)[: stale + duplicates]
    stale_at, duplicate_at = chosen[:stale], chosen[stale:]
    copies = finals.take(duplicate_at)
    copies.kind[:] = DUPLICATE
    keys = np.concatenate(
        [
            np.arange(n, dtype=float),
            stale_at - rng.uniform(0.01, 300, stale),
            duplicate_at + rng.uniform(0.01, 300, duplicates),
            rng.uniform(-0.5, n, len(junk)),
        ]
    )
    rows = CustomerRows.stack([finals, _stale_versions(rng, finals.take(stale_at)), copies, junk])
    return rows.take(np.argsort(keys, kind="stable"))


def plan_first_export(seed: int, scale: int) -> Iterator[CustomerRows]:
    """The full export of day 1, chunk by chunk in file order."""
    per_unit = sum(CUSTOMERS_FIRST.values())
    for chunk in chunks(scale, per_unit):
        rng = rng_for(seed, 1, CUSTOMERS_STREAM, chunk.index)
        real = CUSTOMERS_FIRST["real"]
        first_customer = chunk.first_unit * real
        finals = _new_customers(rng, np.arange(first_customer, first_customer + real * chunk.units))
        junk_start = chunk.first_unit * CUSTOMERS_FIRST["missing_customer_id"]
        junk = _junk_rows(rng, junk_start, CUSTOMERS_FIRST["missing_customer_id"] * chunk.units)
        stale, duplicates = CUSTOMERS_FIRST["stale_version"], CUSTOMERS_FIRST["exact_duplicate"]
        yield _assemble(rng, finals, stale * chunk.units, duplicates * chunk.units, junk)


def plan_delta_export(seed: int, scale: int, day: int, state: CustomerState) -> CustomerRows:
    """Day K's delta export: changed customers (country and/or is_active) and new ones, from K-1's state."""
    rng = rng_for(seed, day, CUSTOMERS_STREAM)
    changed = np.sort(rng.choice(state.size, CUSTOMERS_DELTA["changed"] * scale, replace=False))
    what = pick(rng, len(changed), (0.45, 0.45, 0.10))  # country, is_active, both
    country = state.country[changed].copy()
    country[what != 1] = _other_country(rng, country[what != 1])
    active = state.active[changed] ^ (what != 0)
    changed_rows = _styled(
        rng,
        FINAL,
        changed,
        state.first[changed],
        state.last[changed],
        state.age[changed],
        country,
        active,
        state.big_spender[changed],
    )
    new = _new_customers(rng, np.arange(state.size, state.size + CUSTOMERS_DELTA["new"] * scale))
    junk = _junk_rows(rng, junk_offset(scale, day), CUSTOMERS_DELTA["missing_customer_id"] * scale)
    stale, duplicates = CUSTOMERS_DELTA["stale_version"], CUSTOMERS_DELTA["exact_duplicate"]
    return _assemble(rng, CustomerRows.stack([changed_rows, new]), stale * scale, duplicates * scale, junk)


def plan_export(seed: int, scale: int, day: int, state: CustomerState) -> Iterator[CustomerRows]:
    """Day K's export in file order, applying each part to `state` as it goes."""
    parts = plan_first_export(seed, scale) if day == 1 else iter([plan_delta_export(seed, scale, day, state)])
    for rows in parts:
        state.apply(rows)
        yield rows


def render_lines(rows: CustomerRows) -> list[str]:
    """The CSV lines (with newline) of these rows; no value contains a comma, quote or newline."""
    ids = [
        MISSING_ID_TOKENS[style] if customer < 0 else ID_FORMATS[style].format(customer + 1)
        for customer, style in zip(rows.customer.tolist(), rows.id_style.tolist(), strict=False)
    ]
    name_index = (rows.first.astype(np.int64) * len(ref.LAST_NAMES) + rows.last) * NAME_STYLES + rows.name_style
    names = NAME_TEXT[name_index].tolist()
    ages = AGE_TEXT[rows.age_token].tolist()
    countries = COUNTRY_TEXT[rows.country_token].tolist()
    actives = ACTIVE_TEXT[rows.active_token].tolist()
    return [f"{i},{n},{a},{c},{s}\n" for i, n, a, c, s in zip(ids, names, ages, countries, actives, strict=False)]


def count_defects(rows: CustomerRows) -> dict[str, int]:
    """Injected defects in these rows: rejected/removed classes (exact) and every class of cleaned noise."""
    real = rows.kind != JUNK
    age_null = rows.age_token - AGE_NULL_BASE
    n_missing, n_non_numeric = len(ref.MISSING_AGE_TOKENS), len(ref.NON_NUMERIC_AGE_TOKENS)
    return {
        "missing_customer_id": int((rows.kind == JUNK).sum()),
        "exact_duplicate": int((rows.kind == DUPLICATE).sum()),
        "stale_version": int((rows.kind == STALE).sum()),
        "customer_id_noise": int(((rows.id_style != 0) & real).sum()),
        "name_noise": int(((rows.name_style > 0) & (rows.name_style < NAME_MISSING_STYLE)).sum()),
        "name_missing": int((rows.name_style == NAME_MISSING_STYLE).sum()),
        "age_noise": int(((rows.age_token < AGE_NULL_BASE) & (rows.age_token % 3 != 0)).sum()),
        "age_missing": int(((age_null >= 0) & (age_null < n_missing)).sum()),
        "age_non_numeric": int(((age_null >= n_missing) & (age_null < n_missing + n_non_numeric)).sum()),
        "age_out_of_range": int((age_null >= n_missing + n_non_numeric).sum()),
        "country_alias": count_in(rows.country_token, COUNTRY_ALIAS),
        "country_missing": count_in(rows.country_token, COUNTRY_MISSING),
        "country_unknown": count_in(rows.country_token, COUNTRY_UNKNOWN),
        "is_active_missing": count_in(rows.active_token, ACTIVE_MISSING),
        "is_active_unrecognised": count_in(rows.active_token, ACTIVE_UNRECOGNISED),
    }
