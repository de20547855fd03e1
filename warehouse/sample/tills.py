"""Branch tills: plan the café chain's till files (orders, defects), render their bytes, and their truth rows.

Every branch drops one file per trading day, named `<branch_slug>_<DD-MM-YYYY>_<HH-MM-SS>.csv` (the time is the
branch's opening time): no header, seven columns `DD/MM/YYYY HH:MM`, branch name, customer name, basket
(`<Regular|Large> <product>[ - <flavour>] - <price>` items joined by `", "`), total (`4.6`, `6.0`, `10.35`),
`CARD|CASH`, card number (empty for cash). The older pilot layout, `YYYY-MM-DD-<branch-slug>.csv`, has seconds in
the time, a flat `size,name,price` basket list with an empty size for one-size items, the payment method before
the total, and `<card type>,<number>` or `None` last.

A trading day is planned from (seed, date) alone with `random.Random`, so its files are the same whatever the
scale or the sample day that writes them. Defects are exact counts per trading day (FILE_DEFECTS_PER_DAY,
ORDER_DEFECTS_PER_DAY), placed at random. Writing them is tills_generator.py's job; docs/sample_data.md
("Branch tills") describes the files and their defects.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from typing import Any, NamedTuple

from warehouse.sample import layout
from warehouse.sample import menu as m

CURRENT, PILOT = "current", "pilot"
EXCEL_HEADER = "date,branch_name,customer,orders,total_price,payment_method,card_number"

# Exact defect counts per trading day (18 branch files, ~5,000 orders). File defects fall on distinct branches.
FILE_DEFECTS_PER_DAY = {
    "closed_day_empty_file": 1,  # the branch was closed: its file is empty (0 bytes)
    "duplicate_file": 1,  # a branch's file exported a second time, under a later time in its name
    "excel_touched_file": 1,  # saved by Excel: header line, `8/8/2023 9:00`, `5.49417E+15`, `6` for 6.0, CRLF
    "branch_name_variant": 1,  # a branch writes its name the other way (`Newcastle Upon Tyne`)
}
ORDER_DEFECTS_PER_DAY = {
    "unknown_product": 5,  # an item that is not on the menu (`Pumpkin spice latte`, `Flavoured latte - Gingerbread`)
    "price_mismatch": 5,  # an item whose price is not the menu's for its size
    "total_mismatch": 8,  # the total is not the sum of the item prices
}
# Why an order line is rejected, first one that applies; every order of a duplicate file is `duplicate_file`.
REJECT_REASONS = ("duplicate_file", "unknown_product", "price_mismatch", "total_mismatch")
PILOT_FILES = 3  # consecutive days of the pilot branch, on day 1 only
PILOT_ORDERS = 540
PILOT_LEAD_DAYS = 120  # the pilot's first day is this long before the first trading day

CURRENT_NAME = re.compile(r"[a-z_-]+_\d{2}-\d{2}-\d{4}_\d{2}-\d{2}-\d{2}\.csv")
PILOT_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z-]+\.csv")


class Item(NamedTuple):
    """One basket item as written: size ("" for one-size), product, flavour ("" for none), price in pence."""

    size: str
    product: str
    flavour: str
    price: int


@dataclass(slots=True)
class Order:
    """One line of a till file as written, and the defect injected into it ("" for none)."""

    second: int  # of the day
    customer: str
    items: list[Item]
    total: int
    payment: str
    card: str  # "" for cash
    card_type: str = ""  # pilot layout only
    defect: str = ""


@dataclass
class TillFile:
    """One file of one branch and day: its name, layout, what it says, and its file-level defect ("" for none)."""

    name: str
    layout: str
    branch: m.Branch
    trading_date: date
    branch_text: str
    orders: list[Order]
    defect: str = ""
    duplicate_of: str = ""

    @property
    def header_lines(self) -> int:
        return 1 if self.defect == "excel_touched_file" else 0


# ---------------------------------------------------------------------------------------------------------- dates


def trading_dates(scale: int, day: int) -> list[date]:
    """The trading days whose files sample day `day` writes: `scale` days up to 2025-06-30 on day 1, then one a day."""
    last = layout.export_date(day)
    if day > 1:
        return [last]
    return [last - timedelta(days=back) for back in range(scale - 1, -1, -1)]


def pilot_dates(scale: int) -> list[date]:
    """The pilot's days, before the first trading day of the history."""
    first = trading_dates(scale, 1)[0] - timedelta(days=PILOT_LEAD_DAYS)
    return [first + timedelta(days=i) for i in range(PILOT_FILES)]


# ------------------------------------------------------------------------------------------------------- planning


@cache
def _clock(opens: time, closes: time, step: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Every `step`-second instant of the trading hours and the cumulative weight of its hour."""
    instants = tuple(range(opens.hour * 3600, closes.hour * 3600, step))
    weights = [m.HOUR_WEIGHTS[instant // 3600] for instant in instants]
    return instants, tuple(itertools.accumulate(weights))


def _times(rng: random.Random, n: int, opens: time, closes: time, step: int) -> list[int]:
    """n order times (second of the day) within trading hours, busier at the busy hours, in order."""
    instants, cumulative = _clock(opens, closes, step)
    return sorted(rng.choices(instants, cum_weights=cumulative, k=n))


@cache
def _names() -> tuple[str, ...]:
    return tuple(f"{first} {last}" for first in m.FIRST_NAMES for last in m.LAST_NAMES)


def _customers(rng: random.Random, seconds: list[int]) -> list[str]:
    """Faker-style names, never the same for two orders of one file in the same minute."""
    names = _names()
    drawn = rng.choices(names, k=len(seconds))
    taken = set()
    for i, second in enumerate(seconds):
        while (second // 60, drawn[i]) in taken:
            drawn[i] = rng.choice(names)
        taken.add((second // 60, drawn[i]))
    return drawn


def _item_counts(rng: random.Random, n: int) -> list[int]:
    """1-6 items an order."""
    return rng.choices(range(1, 7), weights=m.ITEM_COUNT_WEIGHTS, k=n)


@cache
def _branch_items(branch: m.Branch) -> tuple[Item, ...]:
    """Every item a branch sells: its products in both sizes at the menu's price."""
    items = []
    for sku in branch.products:
        product, _, flavour = sku.partition(" - ")
        items += [Item(size, product, flavour, m.MENU[(size, product, flavour)]) for size in m.SIZES]
    return tuple(items)


@cache
def regulars(seed: int, branch: m.Branch) -> tuple[tuple[str, str], ...]:
    """A branch's regular card customers (name, 16-digit card), the same on every day of the seed."""
    rng = random.Random(f"tills/{seed}/regulars/{branch.name}")  # nosec B311: sample data, reproducible on purpose
    return tuple((rng.choice(_names()), str(rng.randrange(10**15, 10**16))) for _ in range(m.REGULARS))


def _orders(
    rng: random.Random,
    n: int,
    opens: time,
    closes: time,
    step: int,
    menu: Sequence[Item],
    regular_customers: Sequence[tuple[str, str]] = (),
) -> list[Order]:
    """n orders of one file, in time order; card orders get a random 16-digit number (first digit 1-9), or are a
    regular's (REGULAR_SHARE of them) with the regular's name and card, unless that name already ordered in the
    same minute."""
    seconds = _times(rng, n, opens, closes, step)
    customers = _customers(rng, seconds)
    taken = {(second // 60, customer) for second, customer in zip(seconds, customers, strict=True)}
    orders = []
    for second, customer, count in zip(seconds, customers, _item_counts(rng, n), strict=True):
        items = rng.choices(menu, k=count)
        card = rng.random() < m.CARD_SHARE
        number = str(rng.randrange(10**15, 10**16)) if card else ""
        if card and regular_customers and rng.random() < m.REGULAR_SHARE:
            name, regular_card = rng.choice(regular_customers)
            if (second // 60, name) not in taken:
                taken.add((second // 60, name))
                customer, number = name, regular_card
        total = sum(item.price for item in items)
        orders.append(Order(second, customer, items, total, "CARD" if card else "CASH", number))
    return orders


def _inject(rng: random.Random, order: Order, defect: str) -> None:
    """Make `order` carry one order defect; everything else about it stays consistent."""
    order.defect = defect
    if defect == "total_mismatch":
        order.total += rng.choice([d for d in (-50, -20, -10, 5, 10, 20, 50, 100) if order.total + d > 0])
        return
    at = rng.randrange(len(order.items))
    item = order.items[at]
    if defect == "unknown_product":
        product, flavour, regular, large = rng.choice(m.UNKNOWN_PRODUCTS)
        order.items[at] = Item(item.size, product, flavour, regular if item.size == "Regular" else large)
    else:  # price_mismatch
        price = item.price + rng.choice([d for d in (-30, -20, -10, 10, 20, 30, 50) if item.price + d > 0])
        order.items[at] = item._replace(price=price)
    order.total = sum(i.price for i in order.items)


def current_name(branch: m.Branch, day: date, at: time) -> str:
    """`<branch_slug>_<DD-MM-YYYY>_<HH-MM-SS>.csv`."""
    return f"{branch.slug}_{day:%d-%m-%Y}_{at:%H-%M-%S}.csv"


def plan_trading_day(seed: int, day: date) -> list[TillFile]:
    """The files of one trading day, from (seed, date) alone: one per branch plus the duplicate export."""
    rng = random.Random(f"tills/{seed}/{day.isoformat()}")  # nosec B311: sample data, reproducible on purpose
    branches = m.BRANCHES
    counts = [round(branch.orders * rng.uniform(0.92, 1.08)) for branch in branches]
    variant = rng.choice([i for i, branch in enumerate(branches) if branch.name in m.BRANCH_VARIANTS])
    closed, duplicate, excel = rng.sample([i for i in range(len(branches)) if i != variant], 3)
    counts[closed] = 0
    defects = {variant: "branch_name_variant", closed: "closed_day_empty_file", excel: "excel_touched_file"}

    files = [
        TillFile(
            name=current_name(branch, day, branch.opens),
            layout=CURRENT,
            branch=branch,
            trading_date=day,
            branch_text=m.BRANCH_VARIANTS[branch.name] if i == variant else branch.name,
            orders=_orders(
                rng, counts[i], branch.opens, branch.closes, 60, _branch_items(branch), regulars(seed, branch)
            ),
            defect=defects.get(i, ""),
        )
        for i, branch in enumerate(branches)
    ]
    orders = [order for till in files for order in till.orders]
    wanted = [defect for defect, n in ORDER_DEFECTS_PER_DAY.items() for _ in range(n)]
    for at, defect in zip(rng.sample(range(len(orders)), len(wanted)), wanted, strict=True):
        _inject(rng, orders[at], defect)

    original = files[duplicate]
    later = time(original.branch.opens.hour, rng.randrange(1, 60), rng.randrange(60))
    copy = TillFile(
        name=current_name(original.branch, day, later),
        layout=CURRENT,
        branch=original.branch,
        trading_date=day,
        branch_text=original.branch_text,
        orders=original.orders,
        defect="duplicate_file",
        duplicate_of=original.name,
    )
    files.insert(duplicate + 1, copy)
    return files


def plan_pilot_file(seed: int, day: date) -> TillFile:
    """One file of the pilot layout (the Isle of Wight, 09:00-18:00, the pilot menu, card types, its regulars)."""
    rng = random.Random(f"tills/{seed}/pilot/{day.isoformat()}")  # nosec B311: sample data, reproducible on purpose
    branch = m.BRANCH_BY_NAME[m.PILOT_BRANCH]
    menu = [Item(*entry) for entry in m.PILOT_MENU]
    regular_customers = regulars(seed, branch)
    regular_cards = {card for _, card in regular_customers}
    orders = _orders(rng, PILOT_ORDERS, m.PILOT_OPENS, m.PILOT_CLOSES, 1, menu, regular_customers)
    for order in orders:
        if order.card in regular_cards:  # a regular of the branch: the same card as on the later trading days
            order.card_type = "visa16"
        elif order.card:
            order.card_type, prefixes, digits = rng.choice(m.PILOT_CARD_TYPES)
            prefix = rng.choice(prefixes)
            order.card = prefix + str(rng.randrange(10 ** (digits - len(prefix)))).zfill(digits - len(prefix))
    return TillFile(
        name=f"{day:%Y-%m-%d}-{branch.pilot_slug}.csv",
        layout=PILOT,
        branch=branch,
        trading_date=day,
        branch_text=branch.name,
        orders=orders,
    )


def plan_day(seed: int, scale: int, day: int) -> Iterator[tuple[date | None, list[TillFile]]]:
    """Every file sample day `day` writes, a group at a time: the pilot's (day 1, date None), then each trading day."""
    if day == 1:
        yield None, [plan_pilot_file(seed, pilot_day) for pilot_day in pilot_dates(scale)]
    for trading_day in trading_dates(scale, day):
        yield trading_day, plan_trading_day(seed, trading_day)


# ------------------------------------------------------------------------------------------------------ rendering


@cache
def money(pence: int) -> str:
    """`2.45`, `0.70`: two decimals."""
    return f"{pence // 100}.{pence % 100:02d}"


@cache
def short_money(pence: int) -> str:
    """Without trailing zero padding, as Python prints a float: `4.6`, `6.0`, `10.35`."""
    return f"{pence // 100}.{pence % 100 // 10}" if pence % 10 == 0 else money(pence)


def excel_number(pence: int) -> str:
    """What Excel's General format writes back: `6` for 6.0, `4.6`, `10.35`."""
    return str(pence // 100) if pence % 100 == 0 else short_money(pence)


def excel_card(number: str) -> str:
    """A 16-digit number as Excel's General format writes it back: `5.49417E+15`."""
    if not number:
        return ""
    mantissa, _, exponent = f"{int(number):.5E}".partition("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


def _name(item: Item) -> str:
    return f"{item.product} - {item.flavour}" if item.flavour else item.product


@cache
def item_text(item: Item) -> str:
    """`Large Flavoured latte - Vanilla - 2.85`."""
    return f"{item.size} {_name(item)} - {money(item.price)}"


@cache
def pilot_item_text(item: Item) -> str:
    """`,Babyccino,0.0` or `Large,Latte,2.45`: the pilot's `size,name,price` triple."""
    return f"{item.size},{_name(item)},{short_money(item.price)}"


@cache
def _minute_text(second: int) -> str:
    return f"{second // 3600:02d}:{second // 60 % 60:02d}"


def clock_text(second: int) -> str:
    """`HH:MM:SS` of a second of the day."""
    return f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


def _rows(till: TillFile) -> Iterator[tuple[str, ...]]:
    day, branch = till.trading_date, till.branch_text
    if till.layout == PILOT:
        for o in till.orders:
            card = f"{o.card_type},{o.card}" if o.card else "None"
            basket = ",".join(map(pilot_item_text, o.items))
            yield (
                f"{day:%Y-%m-%d} {clock_text(o.second)}",
                branch,
                o.customer,
                basket,
                o.payment,
                money(o.total),
                card,
            )
    elif till.defect == "excel_touched_file":
        prefix = f"{day.day}/{day.month}/{day.year} "
        for o in till.orders:
            at = f"{prefix}{o.second // 3600}:{o.second // 60 % 60:02d}"
            basket = ", ".join(map(item_text, o.items))
            yield (at, branch, o.customer, basket, excel_number(o.total), o.payment, excel_card(o.card))
    else:
        prefix = f"{day:%d/%m/%Y} "
        for o in till.orders:
            basket = ", ".join(map(item_text, o.items))
            yield (prefix + _minute_text(o.second), branch, o.customer, basket, short_money(o.total), o.payment, o.card)


def render(till: TillFile) -> bytes:
    """The bytes of one till file: CSV with minimal quoting (the basket, when it holds commas)."""
    if till.defect == "closed_day_empty_file":
        return b""
    excel = till.defect == "excel_touched_file"
    text = io.StringIO()
    if excel:
        text.write(EXCEL_HEADER + "\r\n")
    csv.writer(text, lineterminator="\r\n" if excel else "\n").writerows(_rows(till))
    return text.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------------------- truth


FILES_HEADER = ("source_file", "layout", "branch", "trading_date", "header_lines", "order_lines", "file_defect")
FILES_HEADER += ("duplicate_of",)
ORDERS_HEADER = ("source_file", "line_number", "outcome", "reject_reason", "branch", "ordered_at")
ORDERS_HEADER += ("payment_method", "total")
ITEMS_HEADER = ("source_file", "line_number", "product", "size", "flavour", "price", "quantity")


def reject_reason(till: TillFile, order: Order) -> str:
    """Why this order line must be rejected, "" when it is clean."""
    return "duplicate_file" if till.defect == "duplicate_file" else order.defect


def quantities(items: list[Item]) -> dict[Item, int]:
    """Each distinct item of a basket and how often it is listed, in order of first appearance."""
    counted: dict[Item, int] = {}
    for item in items:
        counted[item] = counted.get(item, 0) + 1
    return counted


def truth_rows(till: TillFile) -> tuple[list[tuple], list[tuple], tuple]:
    """The file's rows in orders_dayNNN.csv, items_dayNNN.csv and files_dayNNN.csv."""
    name, branch, day = till.name, till.branch.name, till.trading_date.isoformat()
    orders, items = [], []
    for line, order in enumerate(till.orders, start=1 + till.header_lines):
        reason = reject_reason(till, order)
        if reason:
            orders.append((name, line, "rejected", reason, "", "", "", ""))
            continue
        at = f"{day} {clock_text(order.second)}"
        orders.append((name, line, "clean", "", branch, at, order.payment, money(order.total)))
        items += [
            (name, line, i.product, i.size, i.flavour, money(i.price), n) for i, n in quantities(order.items).items()
        ]
    file_row = (name, till.layout, branch, day, till.header_lines, len(till.orders), till.defect, till.duplicate_of)
    return orders, items, file_row


def count_defects(files: list[TillFile]) -> dict[str, dict[str, Any]]:
    """Files, order lines and clean items of these files by class, as defects.json holds them."""
    file_counts = Counter({"written": len(files), "pilot_layout": sum(f.layout == PILOT for f in files)})
    file_counts.update(f.defect for f in files if f.defect)
    lines = [(f, o) for f in files for o in f.orders]
    rejected = Counter(reject_reason(f, o) for f, o in lines)
    clean = [o for f, o in lines if not reject_reason(f, o)]
    return {
        "files": {key: file_counts[key] for key in ("written", "pilot_layout", *FILE_DEFECTS_PER_DAY)},
        "orders": {
            "lines": len(lines),
            "clean": len(clean),
            "rejected": {reason: rejected[reason] for reason in REJECT_REASONS},
            "branch_name_variant": sum(f.defect == "branch_name_variant" for f, _ in lines),
        },
        "items": {"rows": sum(len(quantities(o.items)) for o in clean), "units": sum(len(o.items) for o in clean)},
    }


def add_counts(total: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    """`counts` added to `total`, key by key, at any depth."""
    return {
        key: add_counts(total.get(key, {}), value) if isinstance(value, dict) else total.get(key, 0) + value
        for key, value in counts.items()
    }
