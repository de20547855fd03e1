"""A naive, independent implementation of docs/data_rules.md that checks the sample's ground truth.

Written from the document only: it reads the dirty CSV exports and the shop rows, never the generator's plans.
Slow and simple on purpose (plain Python, Decimal, one dict per customer).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

MAX_VALID_AMOUNT = Decimal("10000")
MAX_CUSTOMER_ID_LENGTH = 255
# data_rules.md, "Whitespace": ASCII whitespace, every other Unicode White_Space character, and the zero-width
# format characters U+200B-U+200D, U+2060, U+FEFF. Not str.strip()'s set: that one also strips U+001C-U+001F
# and none of the zero-width characters.
WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(chr(code) for code in range(0x2000, 0x200E))
    + "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
TRUE_WORDS = {"yes", "y", "1", "true", "t"}
# data_rules.md, "Transactions" and "Dates and time zones": ASCII digits only, fractional seconds to the microsecond;
# a UTC offset (at most 14:59) makes the value a moment, whose day is taken in the shop's time zone.
DATE_FORMATS = (
    (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "%Y-%m-%d"),
    (re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}"), "%Y/%m/%d"),
    (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"), "%Y-%m-%d %H:%M:%S"),
)
UTC_OFFSET = re.compile(r"([+-])([0-9]{2})(?::([0-9]{2}))?")
WHOLE_NUMBER = re.compile(r"[+-]?\d+(\.0+)?")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def trim(value: str) -> str:
    """Leading and trailing whitespace (WHITESPACE) removed."""
    return value.strip(WHITESPACE)


def collapse_whitespace(value: str) -> str:
    """Trimmed, every inner whitespace run one space (clean_name before initcap)."""
    return " ".join(part for part in re.split(f"[{re.escape(WHITESPACE)}]+", value) if part)


def _blank(value: str | None) -> bool:
    return value is None or trim(value) == ""


def clean_customer_id(value: str | None) -> str | None:
    return None if _blank(value) else trim(value).upper()


CUSTOMER_ID_REJECT_REASONS = {"missing": "missing_customer_id", "too_long": "customer_id_too_long"}


def customer_id_issue(customer_id: str | None) -> str | None:
    """Why a clean customer_id cannot be a key (missing, too_long); None for a usable key."""
    if customer_id is None:
        return "missing"
    return "too_long" if len(customer_id) > MAX_CUSTOMER_ID_LENGTH else None


def clean_age(value: str | None) -> int | None:
    if _blank(value) or not WHOLE_NUMBER.fullmatch(trim(value)):
        return None
    age = int(Decimal(trim(value)))
    return age if 0 <= age <= 120 else None


def clean_country(value: str | None, aliases: dict[str, str]) -> str:
    return "ZZ" if _blank(value) else aliases.get(trim(value).lower(), "ZZ")


def clean_active(value: str | None) -> bool:
    return not _blank(value) and trim(value).lower() in TRUE_WORDS


def load_aliases(seeds_dir: Path) -> dict[str, str]:
    with (seeds_dir / "country_aliases.csv").open(encoding="utf-8", newline="") as file:
        return {row["alias"]: row["country_code"] for row in csv.DictReader(file)}


@dataclass
class CustomerResult:
    customers: dict[str, dict] = field(default_factory=dict)
    raw_rows: int = 0
    rejected: Counter = field(default_factory=Counter)
    exact_duplicates: int = 0
    stale_versions: int = 0


def clean_customers(files: list[Path], aliases: dict[str, str]) -> CustomerResult:
    """Every export, oldest first; exact duplicates removed per file; the latest file and line win."""
    result = CustomerResult()
    for path in sorted(files, key=lambda p: (p.stat().st_mtime, p.name)):
        seen: set[tuple[str, ...]] = set()
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            assert next(reader) == ["customer_id", "name", "age", "country", "is_active"]
            for row in reader:
                result.raw_rows += 1
                if tuple(row) in seen:
                    result.exact_duplicates += 1
                    continue
                seen.add(tuple(row))
                customer_id = clean_customer_id(row[0])
                issue = customer_id_issue(customer_id)
                if issue is not None:
                    result.rejected[CUSTOMER_ID_REJECT_REASONS[issue]] += 1
                    continue
                if customer_id in result.customers:
                    result.stale_versions += 1
                result.customers[customer_id] = {
                    "age": clean_age(row[2]),
                    "country_code": clean_country(row[3], aliases),
                    "is_active": clean_active(row[4]),
                }
    return result


def parse_amount(value: str | None) -> Decimal | str:
    """The amount, or the reject reason."""
    if _blank(value):
        return "missing_amount"
    text = trim(value)
    text = text.removeprefix("$").replace(",", "")
    if not NUMBER.fullmatch(text):
        return "unparseable_amount"
    amount = Decimal(text).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if amount <= 0:
        return "non_positive_amount"
    if amount > MAX_VALID_AMOUNT:
        return "amount_out_of_range"
    return amount


def parse_date(value: str | None, today: date, time_zone: str = "UTC") -> date | str:
    """The date, or the reject reason; `today` is the shop's day of the build, `time_zone` its time zone."""
    if _blank(value):
        return "missing_date"
    parsed = parse_day(trim(value), time_zone)
    if parsed is None:
        return "invalid_date"
    return "future_date" if parsed > today else parsed


def parse_day(text: str, time_zone: str = "UTC") -> date | None:
    """The day of a trimmed date or time text (with a UTC offset: the day in `time_zone`); None when invalid."""
    offset = None
    time_of_day = DATE_FORMATS[2][0].match(text)
    if time_of_day and time_of_day.end() < len(text):
        offset = UTC_OFFSET.fullmatch(text, time_of_day.end())
        if offset is None:
            return None
        text = text[: time_of_day.end()]
    for pattern, fmt in DATE_FORMATS:
        if pattern.fullmatch(text):
            try:
                moment = datetime.strptime(text.split(".")[0], fmt)
            except ValueError:
                return None
            if offset is None:
                return moment.date()
            sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
            if hours > 14 or minutes > 59:
                return None
            shift = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
            # Python's datetime ends at the years 1 and 9999, also on the way through UTC: convert 400 years
            # (one cycle of the Gregorian calendar) nearer, then move the day back, if it exists.
            cycle = 400 if moment.year > 9000 else -400 if moment.year < 1000 else 0
            moment = moment.replace(year=moment.year - cycle, tzinfo=timezone(shift))
            local = moment.astimezone(ZoneInfo(time_zone)).date()
            try:
                return local.replace(year=local.year + cycle)
            except ValueError:  # the offset moved the day out of the years 1-9999
                return None
    return None


@dataclass
class TransactionResult:
    valid: list[tuple[str, Decimal]] = field(default_factory=list)
    raw_rows: int = 0
    exact_duplicates: int = 0
    rejected: Counter = field(default_factory=Counter)


def clean_transactions(
    rows: list[tuple], known_customers: set[str], today: date, time_zone: str = "UTC"
) -> TransactionResult:
    """Exact duplicates kept once; ids with different versions all rejected; else the first failing rule."""
    result = TransactionResult(raw_rows=len(rows))
    distinct = list(dict.fromkeys(rows))
    result.exact_duplicates = len(rows) - len(distinct)
    versions = Counter(row[0] for row in distinct)
    for transaction_id, raw_customer, raw_amount, raw_date in distinct:
        if versions[transaction_id] > 1:
            result.rejected["conflicting_duplicate_key"] += 1
            continue
        customer_id = clean_customer_id(raw_customer)
        amount = parse_amount(raw_amount)
        day = parse_date(raw_date, today, time_zone)
        if customer_id_issue(customer_id) is not None:
            reason = CUSTOMER_ID_REJECT_REASONS[customer_id_issue(customer_id)]
        elif customer_id not in known_customers:
            reason = "unknown_customer"
        elif isinstance(amount, str):
            reason = amount
        elif isinstance(day, str):
            reason = day
        else:
            result.valid.append((customer_id, amount))
            continue
        result.rejected[reason] += 1
    return result


def truth_rows(customers: CustomerResult, transactions: TransactionResult) -> list[dict[str, str]]:
    """customers_truth.csv as the rules define it, as strings, in customer_id order."""
    totals: dict[str, list] = {customer_id: [Decimal("0.00"), 0] for customer_id in customers.customers}
    for customer_id, amount in transactions.valid:
        totals[customer_id][0] += amount
        totals[customer_id][1] += 1
    rows = []
    for customer_id in sorted(customers.customers):
        values = customers.customers[customer_id]
        total, count = totals[customer_id]
        average = (total / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
        rows.append(
            {
                "customer_id": customer_id,
                "age": "" if values["age"] is None else str(values["age"]),
                "country_code": values["country_code"],
                "is_active": "true" if values["is_active"] else "false",
                "total_spent": str(total),
                "avg_transaction_value": "" if average is None else str(average),
                "transaction_count": str(count),
                "is_high_value": "true" if values["is_active"] and total > 500 else "false",
            }
        )
    return rows
