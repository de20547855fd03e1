"""The ERP sample's business days: plan every working day's designs and orders with their later events, and
render the tables' state at any moment as COPY text.

A working day w (0 = the first day of the history) creates, between 08:00 and 18:59, exactly
SALES_PER_DAY * scale sales orders, PURCHASES_PER_DAY * scale purchase orders and (1 + w % 2) * scale designs,
each order with its transaction and payment at the same instant. An order may be corrected once 1 hour to 4 days
later (units, price, delivery or payment date; the payment follows its amount and date) and its payment may be
paid 0.5-6 days later; an event that falls on a weekend moves to the Monday. Every row's value at a moment T is
a pure function of its plan and T (`OrdersState`), so any sample day can be rebuilt from the seed alone.

Each working day draws from its own generator, seeded by (seed, working day, stream), so ids and values do not
depend on the sample day that writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from warehouse.sample.erp_reference import DESIGN_NAMES, FILE_LOCATIONS, INITIAL_DESIGNS
from warehouse.sample.layout import rng_for
from warehouse.sample.rows import Columns

FIRST_DAY = date(2025, 6, 30)  # sample day 1's working day (a Monday, the CRM export's date): the history's last
HISTORY_WORKING_DAYS = 125  # day 1 holds this many working days (2025-01-07 .. 2025-06-30)
SALES_PER_DAY = 20  # per working day and scale unit (the real source: ~21)
PURCHASES_PER_DAY = 8  # (the real source: ~9)
ORDERS_PER_DAY = SALES_PER_DAY + PURCHASES_PER_DAY
CORRECTED_SHARE = 0.06  # orders corrected once, 1 hour to 4 days after they were created
PAID_SHARE = 0.61  # payments paid, 0.5-6 days after they were created
LATE_DELIVERY_SHARE = 0.01  # agreed delivery 30-650 days ahead instead of 0-7
SALES_STREAM, PURCHASES_STREAM, DESIGNS_STREAM = 11, 12, 13
NEVER = np.iinfo(np.int64).max
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH_DAY_OF_WEEK = 3  # 1970-01-01 was a Thursday (Monday = 0)
ITEM_CODE_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
DESIGN_SUFFIX_ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)
# Corrections: units/quantity, unit price, agreed delivery date, agreed payment date.
UNITS, PRICE, DELIVERY, PAYMENT_DATE = 0, 1, 2, 3
CORRECTION_KINDS = (0.35, 0.25, 0.25, 0.15)


# ------------------------------------------------------------------------------------------------------ layout
def last_working_day(day: int) -> int:
    """The working day index of sample day `day`'s last working day (day 1: the history's last)."""
    return HISTORY_WORKING_DAYS - 1 + day - 1


def working_date(index: int) -> date:
    """The date of working day `index` (Monday to Friday; no bank holidays)."""
    first = np.datetime64(FIRST_DAY.isoformat(), "D")
    return np.busday_offset(first, index - (HISTORY_WORKING_DAYS - 1), roll="forward").astype(date)


def sample_date(day: int) -> date:
    """The working day sample day `day` adds (day 1: the history's last day)."""
    return working_date(last_working_day(day))


def cut_ms(day: int) -> int:
    """The last millisecond of sample day `day`: the moment its state is taken."""
    return _ms(sample_date(day) + timedelta(days=1)) - 1


def designs_before(scale: int, index: int) -> int:
    """Designs that exist before working day `index` starts (the initial ones and 1.5 a day per scale unit)."""
    return INITIAL_DESIGNS + scale * (index + index // 2)


def max_ids(scale: int, day: int) -> dict[str, int]:
    """The highest id of each growing table once sample days 1..day are written."""
    days = last_working_day(day) + 1
    return {
        "design": designs_before(scale, days),
        "sales_order": SALES_PER_DAY * scale * days,
        "purchase_order": PURCHASES_PER_DAY * scale * days,
        "transaction": ORDERS_PER_DAY * scale * days,
        "payment": ORDERS_PER_DAY * scale * days,
    }


def _ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_MS


def _off_weekend(ms: np.ndarray) -> np.ndarray:
    """Moments on a Saturday or Sunday moved to the same time on the Monday after (NEVER stays NEVER)."""
    weekday = (ms // DAY_MS + _EPOCH_DAY_OF_WEEK) % 7
    shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0)) * DAY_MS
    return np.where(ms == NEVER, NEVER, ms + shift)


# ------------------------------------------------------------------------------------------------------ plans
@dataclass
class Orders(Columns):
    """Sales or purchase orders with their transaction, payment and later events (one row per order)."""

    order_id: np.ndarray
    transaction_id: np.ndarray
    created: np.ndarray  # ms since 1970
    staff: np.ndarray
    counterparty: np.ndarray
    quantity: np.ndarray  # units_sold / item_quantity
    cents: np.ndarray  # unit_price / item_unit_price in cents
    currency: np.ndarray
    delivery_days: np.ndarray  # agreed delivery date - created date
    payment_days: np.ndarray  # agreed payment date - created date
    location: np.ndarray
    design: np.ndarray  # sales only (0 for purchases)
    company_ac: np.ndarray
    counterparty_ac: np.ndarray
    corrected_at: np.ndarray  # NEVER when never corrected
    new_quantity: np.ndarray  # the values after the correction (the same when that value is not corrected)
    new_cents: np.ndarray
    new_delivery_days: np.ndarray
    new_payment_days: np.ndarray
    paid_at: np.ndarray  # NEVER when never paid


@dataclass
class Designs(Columns):
    """Designs created during the history and later days."""

    design_id: np.ndarray
    created: np.ndarray
    name: np.ndarray  # index into DESIGN_NAMES
    location: np.ndarray  # index into FILE_LOCATIONS
    suffix: np.ndarray  # 4 lower-case letters and digits, as bytes


def _times(rng: np.random.Generator, index: int, n: int) -> np.ndarray:
    """n sorted moments of working day `index` between 08:00:00.000 and 18:59:59.999."""
    start = _ms(working_date(index)) + 8 * HOUR_MS
    return np.sort(start + rng.integers(0, 11 * HOUR_MS, n))


def _changed(rng: np.random.Generator, values: np.ndarray, step: tuple[int, int], low: int, high: int) -> np.ndarray:
    """Each value moved up or down by a step in `step`, staying within [low, high] and never unchanged."""
    delta = rng.integers(step[0], step[1] + 1, len(values))
    down = values - delta
    up = values + delta
    return np.where((rng.random(len(values)) < 0.5) & (down >= low), down, np.where(up <= high, up, down))


def _plan_orders(rng: np.random.Generator, index: int, n: int, first_id: int, sales: bool, scale: int) -> Orders:
    """One working day's orders of one kind, with their events (transaction ids are filled in later)."""
    created = _times(rng, index, n)
    if sales:
        quantity, cents = rng.integers(1000, 100_001, n), rng.integers(200, 401, n)
        design = rng.integers(1, designs_before(scale, index) + 1, n)
    else:
        quantity, cents = rng.integers(1, 1000, n), rng.integers(300, 99_908, n)
        design = np.zeros(n, dtype=np.int64)
    delivery = np.where(rng.random(n) < LATE_DELIVERY_SHARE, rng.integers(30, 651, n), rng.integers(0, 8, n))
    payment = rng.integers(0, 7, n)
    corrected = rng.random(n) < CORRECTED_SHARE
    kind = rng.choice(len(CORRECTION_KINDS), size=n, p=CORRECTION_KINDS)
    corrected_at = _off_weekend(np.where(corrected, created + rng.integers(HOUR_MS, 4 * DAY_MS, n), NEVER))
    units_step, price_step = ((1, 5000), (1, 20)) if sales else ((1, 50), (1, 5000))
    quantity_range, cents_range = ((1000, 100_000), (200, 400)) if sales else ((1, 999), (300, 99_907))
    new_quantity = np.where(corrected & (kind == UNITS), _changed(rng, quantity, units_step, *quantity_range), quantity)
    new_cents = np.where(corrected & (kind == PRICE), _changed(rng, cents, price_step, *cents_range), cents)
    new_delivery = np.where(corrected & (kind == DELIVERY), delivery + rng.integers(1, 8, n), delivery)
    new_payment = np.where(corrected & (kind == PAYMENT_DATE), payment + rng.integers(1, 6, n), payment)
    paid_at = _off_weekend(
        np.where(rng.random(n) < PAID_SHARE, created + rng.integers(DAY_MS // 2, 6 * DAY_MS, n), NEVER)
    )
    paid_at = np.where(corrected & (paid_at != NEVER), np.maximum(paid_at, corrected_at + 1000), paid_at)
    return Orders(
        order_id=np.arange(first_id, first_id + n, dtype=np.int64),
        transaction_id=np.zeros(n, dtype=np.int64),
        created=created,
        staff=rng.integers(1, 21, n),
        counterparty=rng.integers(1, 21, n),
        quantity=quantity,
        cents=cents,
        currency=rng.integers(1, 4, n),
        delivery_days=delivery,
        payment_days=payment,
        location=rng.integers(1, 31, n),
        design=design,
        company_ac=rng.integers(10_000_000, 100_000_000, n),
        counterparty_ac=rng.integers(10_000_000, 100_000_000, n),
        corrected_at=corrected_at,
        new_quantity=new_quantity,
        new_cents=new_cents,
        new_delivery_days=new_delivery,
        new_payment_days=new_payment,
        paid_at=paid_at,
    )


def plan_working_day(seed: int, scale: int, index: int) -> tuple[Designs, Orders, Orders]:
    """Working day `index`'s new designs, sales orders and purchase orders, with ids and events."""
    n_sales, n_purchases = SALES_PER_DAY * scale, PURCHASES_PER_DAY * scale
    sales = _plan_orders(
        rng_for(seed, index, SALES_STREAM), index, n_sales, n_sales * index + 1, sales=True, scale=scale
    )
    purchases = _plan_orders(
        rng_for(seed, index, PURCHASES_STREAM), index, n_purchases, n_purchases * index + 1, sales=False, scale=scale
    )
    # One transaction (and one payment, of the same id) per order, numbered in the order they were created.
    keys = np.concatenate([sales.created * 2, purchases.created * 2 + 1])
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.argsort(keys, kind="stable")] = np.arange(len(keys))
    first_transaction = (n_sales + n_purchases) * index + 1
    sales.transaction_id = first_transaction + rank[:n_sales]
    purchases.transaction_id = first_transaction + rank[n_sales:]

    rng = rng_for(seed, index, DESIGNS_STREAM)
    n_designs = scale * (1 + index % 2)
    first_design = designs_before(scale, index) + 1
    designs = Designs(
        design_id=np.arange(first_design, first_design + n_designs, dtype=np.int64),
        created=_times(rng, index, n_designs),
        name=rng.integers(0, len(DESIGN_NAMES), n_designs),
        location=rng.integers(0, len(FILE_LOCATIONS), n_designs),
        suffix=DESIGN_SUFFIX_ALPHABET[rng.integers(0, len(DESIGN_SUFFIX_ALPHABET), (n_designs, 4))],
    )
    return designs, sales, purchases


@dataclass
class Plan:
    """Every planned row up to a working day: designs, sales orders, purchase orders."""

    designs: Designs
    sales: Orders
    purchases: Orders


def plan(seed: int, scale: int, day: int) -> Plan:
    """Every row created up to the end of sample day `day` (the history and days 2..day)."""
    parts = [plan_working_day(seed, scale, index) for index in range(last_working_day(day) + 1)]
    return Plan(
        designs=Designs.stack([part[0] for part in parts]),
        sales=Orders.stack([part[1] for part in parts]),
        purchases=Orders.stack([part[2] for part in parts]),
    )


# ------------------------------------------------------------------------------------------------------ state
@dataclass
class OrdersState:
    """Orders and their payments as the source holds them at a moment."""

    orders: Orders
    quantity: np.ndarray
    cents: np.ndarray
    delivery_days: np.ndarray
    payment_days: np.ndarray
    last_updated: np.ndarray
    paid: np.ndarray
    payment_last_updated: np.ndarray


def state_at(orders: Orders, moment: int) -> OrdersState:
    """The orders' values at `moment` (ms): the correction and the payment applied once their time has come."""
    corrected = orders.corrected_at <= moment
    paid = orders.paid_at <= moment
    touches_payment = (
        (orders.new_quantity != orders.quantity)
        | (orders.new_cents != orders.cents)
        | (orders.new_payment_days != orders.payment_days)
    )
    last = np.where(corrected, orders.corrected_at, orders.created)
    payment_last = np.where(corrected & touches_payment, orders.corrected_at, orders.created)
    payment_last = np.where(paid, np.maximum(payment_last, orders.paid_at), payment_last)
    return OrdersState(
        orders=orders,
        quantity=np.where(corrected, orders.new_quantity, orders.quantity),
        cents=np.where(corrected, orders.new_cents, orders.cents),
        delivery_days=np.where(corrected, orders.new_delivery_days, orders.delivery_days),
        payment_days=np.where(corrected, orders.new_payment_days, orders.payment_days),
        last_updated=last,
        paid=paid,
        payment_last_updated=payment_last,
    )


# ------------------------------------------------------------------------------------------------------ text
def stamps(ms: np.ndarray) -> list[str]:
    """timestamp(3) text: 'YYYY-MM-DD HH:MM:SS.fff'."""
    return [text.replace("T", " ") for text in np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms").tolist()]


def dates_after(ms: np.ndarray, days: np.ndarray) -> list[str]:
    """'YYYY-MM-DD' of the day of `ms` plus `days` (the source's text dates)."""
    return np.datetime_as_string((ms // DAY_MS + days).astype("datetime64[D]")).tolist()


def money(cents: np.ndarray) -> list[str]:
    """numeric(10,2) text."""
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]


def item_codes(purchase_order_ids: np.ndarray) -> list[str]:
    """7 upper-case letters and digits, different for every purchase order (a bijection of the id mod 36**7)."""
    value = (purchase_order_ids.astype(np.uint64) * np.uint64(2_654_435_761) + np.uint64(12_345)) % np.uint64(36**7)
    digits = np.empty((len(value), 7), dtype=np.uint8)
    for position in range(6, -1, -1):
        digits[:, position] = ITEM_CODE_ALPHABET[(value % np.uint64(36)).astype(np.int64)]
        value //= np.uint64(36)
    return [code.decode() for code in digits.view("S7").ravel().tolist()]


def _lines(columns: list[list[str]]) -> str:
    return "".join("\t".join(row) + "\n" for row in zip(*columns, strict=True))


def _ints(values: np.ndarray) -> list[str]:
    return [str(value) for value in values.tolist()]


def design_copy(designs: Designs) -> str:
    """design rows as COPY text, in the table's column order."""
    created = stamps(designs.created)
    names = np.array(DESIGN_NAMES)[designs.name].tolist()
    days = np.datetime_as_string(designs.created.astype("datetime64[ms]").astype("datetime64[D]")).tolist()
    files = [
        f"{name.lower()}-{day.replace('-', '')}-{suffix.decode()}.json"
        for name, day, suffix in zip(names, days, designs.suffix.view("S4").ravel().tolist(), strict=True)
    ]
    locations = np.array(FILE_LOCATIONS)[designs.location].tolist()
    return _lines([_ints(designs.design_id), created, names, locations, files, created])


def sales_order_copy(state: OrdersState, rows: np.ndarray) -> str:
    """sales_order rows (positions `rows` of the state) as COPY text."""
    o = state.orders.take(rows)
    return _lines(
        [
            _ints(o.order_id),
            stamps(o.created),
            stamps(state.last_updated[rows]),
            _ints(o.design),
            _ints(o.staff),
            _ints(o.counterparty),
            _ints(state.quantity[rows]),
            money(state.cents[rows]),
            _ints(o.currency),
            dates_after(o.created, state.delivery_days[rows]),
            dates_after(o.created, state.payment_days[rows]),
            _ints(o.location),
        ]
    )


def purchase_order_copy(state: OrdersState, rows: np.ndarray) -> str:
    """purchase_order rows as COPY text."""
    o = state.orders.take(rows)
    return _lines(
        [
            _ints(o.order_id),
            stamps(o.created),
            stamps(state.last_updated[rows]),
            _ints(o.staff),
            _ints(o.counterparty),
            item_codes(o.order_id),
            _ints(state.quantity[rows]),
            money(state.cents[rows]),
            _ints(o.currency),
            dates_after(o.created, state.delivery_days[rows]),
            dates_after(o.created, state.payment_days[rows]),
            _ints(o.location),
        ]
    )


def order_updates(state: OrdersState, rows: np.ndarray) -> str:
    """The order columns a correction changes, as COPY text: id, last_updated, quantity, price, the two dates."""
    o = state.orders.take(rows)
    return _lines(
        [
            _ints(o.order_id),
            stamps(state.last_updated[rows]),
            _ints(state.quantity[rows]),
            money(state.cents[rows]),
            dates_after(o.created, state.delivery_days[rows]),
            dates_after(o.created, state.payment_days[rows]),
        ]
    )


def transaction_copy(sales: Orders, purchases: Orders) -> str:
    """transaction rows of these orders (never updated), in transaction_id order."""
    n = len(sales) + len(purchases)
    ids = np.concatenate([sales.transaction_id, purchases.transaction_id])
    order = np.argsort(ids, kind="stable")
    is_sale = np.concatenate([np.ones(len(sales), bool), np.zeros(len(purchases), bool)])[order]
    order_ids = _ints(np.concatenate([sales.order_id, purchases.order_id])[order])
    created = stamps(np.concatenate([sales.created, purchases.created])[order])
    flags = is_sale.tolist()
    return (
        _lines(
            [
                _ints(ids[order]),
                ["SALE" if sale else "PURCHASE" for sale in flags],
                [oid if sale else "\\N" for oid, sale in zip(order_ids, flags, strict=True)],
                ["\\N" if sale else oid for oid, sale in zip(order_ids, flags, strict=True)],
                created,
                created,
            ]
        )
        if n
        else ""
    )


def _payment_columns(state: OrdersState, rows: np.ndarray, payment_type: str) -> dict[str, list[str]]:
    o = state.orders.take(rows)
    return {
        "payment_id": _ints(o.transaction_id),
        "created_at": stamps(o.created),
        "last_updated": stamps(state.payment_last_updated[rows]),
        "transaction_id": _ints(o.transaction_id),
        "counterparty_id": _ints(o.counterparty),
        "payment_amount": money(state.quantity[rows] * state.cents[rows]),
        "currency_id": _ints(o.currency),
        "payment_type_id": [payment_type] * len(o),
        "paid": np.where(state.paid[rows], "true", "false").tolist(),
        "payment_date": dates_after(o.created, state.payment_days[rows]),
        "company_ac_number": _ints(o.company_ac),
        "counterparty_ac_number": _ints(o.counterparty_ac),
    }


SALES_RECEIPT, PURCHASE_PAYMENT = "1", "3"  # payment_type_id of a sale's and a purchase's payment (no refunds)
PAYMENT_CHANGES = ("last_updated", "payment_amount", "paid", "payment_date")


def payment_copy(sales: OrdersState, sales_rows: np.ndarray, purchases: OrdersState, purchase_rows: np.ndarray) -> str:
    """payment rows of these orders (a sales order's payment is a SALES_RECEIPT, a purchase's a PURCHASE_PAYMENT)."""
    return _payments(sales, sales_rows, purchases, purchase_rows, None)


def payment_updates(
    sales: OrdersState, sales_rows: np.ndarray, purchases: OrdersState, purchase_rows: np.ndarray
) -> str:
    """The payment columns that change (PAYMENT_CHANGES) after the id, as COPY text."""
    return _payments(sales, sales_rows, purchases, purchase_rows, ("payment_id", *PAYMENT_CHANGES))


def _payments(
    sales: OrdersState,
    sales_rows: np.ndarray,
    purchases: OrdersState,
    purchase_rows: np.ndarray,
    wanted: tuple[str, ...] | None,
) -> str:
    parts = [
        _payment_columns(sales, sales_rows, SALES_RECEIPT),
        _payment_columns(purchases, purchase_rows, PURCHASE_PAYMENT),
    ]
    names = wanted or tuple(parts[0])
    ids = np.concatenate([sales.orders.transaction_id[sales_rows], purchases.orders.transaction_id[purchase_rows]])
    order = np.argsort(ids, kind="stable").tolist()
    columns = []
    for name in names:
        joined = parts[0][name] + parts[1][name]
        columns.append([joined[i] for i in order])
    return _lines(columns)


CHUNK_ORDERS = 30_000  # orders rendered at a time: the text of all of them, but the lists of one chunk only


def order_texts(
    sales: OrdersState, purchases: OrdersState, sales_rows: np.ndarray, purchase_rows: np.ndarray, scale: int
) -> dict[str, str]:
    """The sales_order, purchase_order, transaction and payment rows of these orders (positions in the plan, in id
    order) as COPY text, rendered a few working days at a time so that memory stays bounded."""
    per_sale, per_purchase = SALES_PER_DAY * scale, PURCHASES_PER_DAY * scale
    step = max(1, CHUNK_ORDERS // (ORDERS_PER_DAY * scale))
    days = np.concatenate([sales_rows // per_sale, purchase_rows // per_purchase])
    parts: dict[str, list[str]] = {table: [] for table in ("sales_order", "purchase_order", "transaction", "payment")}
    for first in range(int(days.min(initial=0)), int(days.max(initial=-1)) + 1, step):
        s = sales_rows[(sales_rows >= first * per_sale) & (sales_rows < (first + step) * per_sale)]
        p = purchase_rows[(purchase_rows >= first * per_purchase) & (purchase_rows < (first + step) * per_purchase)]
        parts["sales_order"].append(sales_order_copy(sales, s))
        parts["purchase_order"].append(purchase_order_copy(purchases, p))
        parts["transaction"].append(transaction_copy(sales.orders.take(s), purchases.orders.take(p)))
        parts["payment"].append(payment_copy(sales, s, purchases, p))
    return {table: "".join(texts) for table, texts in parts.items()}
