"""The branch till sample: file names and layouts as documented, determinism, days, and a truth that an
independent reading of the files agrees with (menu prices, reject reasons, defect counts). No server needed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from warehouse.errors import WarehouseError
from warehouse.sample import generate_tills, menu, reference
from warehouse.sample.tills import (
    FILE_DEFECTS_PER_DAY,
    ORDER_DEFECTS_PER_DAY,
    pilot_dates,
    plan_trading_day,
    render,
    trading_dates,
)

SCALE = 1  # one trading day, 2025-06-30 (scale N writes N days: test_scale_is_the_number_of_trading_days)
CURRENT_NAME = re.compile(r"(?P<slug>[a-z_-]+)_(?P<date>\d{2}-\d{2}-\d{4})_(?P<time>\d{2}-\d{2}-\d{2})\.csv")
PILOT_NAME = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z-]+)\.csv")
CANONICAL = {variant: name for name, variant in menu.BRANCH_VARIANTS.items()} | {b.name: b.name for b in menu.BRANCHES}


def generate(root: Path, day: int = 1, seed: int = 42, scale: int = SCALE):
    return generate_tills(tills_dir=root / "tills", truth_dir=root / "truth", scale=scale, day=day, seed=seed)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folder` with its modification time and bytes."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_truth(root: Path, kind: str, day: int = 1) -> list[dict[str, str]]:
    with (root / "truth" / "tills" / f"{kind}_day{day:03d}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Day 1 at scale 1, generated once for the tests that only read it."""
    root = tmp_path_factory.mktemp("tills")
    generate(root)
    return root


# -------------------------------------------------------------------------- an independent reading of the files


def money(text: str) -> int:
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def parse_current_item(text: str) -> tuple[str, str, str, int]:
    """`Large Flavoured latte - Vanilla - 2.85` -> (size, product, flavour, pence): price after the last ' - '."""
    rest, _, price = text.rpartition(" - ")
    size, _, name = rest.partition(" ")
    product, _, flavour = name.partition(" - ")
    return size, product, flavour, money(price)


def parse_pilot_basket(text: str) -> list[tuple[str, str, str, int]]:
    fields = text.split(",")
    triples = [fields[i : i + 3] for i in range(0, len(fields), 3)]
    return [(size, *name.partition(" - ")[::2], money(price)) for size, name, price in triples]


def expected_outcome(layout: str, rows: list[list[str]], duplicate: bool) -> list[dict[str, object]]:
    """What each order line must clean to, read from the file alone with the documented rules."""
    prices = menu.PILOT_PRICES if layout == "pilot" else menu.MENU
    outcomes = []
    for row in rows:
        if layout == "pilot":
            stamp, branch, _, basket, payment, total, _ = row
            at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
            items = parse_pilot_basket(basket)
        else:
            stamp, branch, _, basket, total, payment, _ = row
            at = datetime.strptime(stamp, "%d/%m/%Y %H:%M")
            items = [parse_current_item(item) for item in basket.split(", ")]
        if duplicate:
            reason = "duplicate_file"
        elif any((size, product, flavour) not in prices for size, product, flavour, _ in items):
            reason = "unknown_product"
        elif any(prices[(size, product, flavour)] != price for size, product, flavour, price in items):
            reason = "price_mismatch"
        elif sum(price for *_, price in items) != money(total):
            reason = "total_mismatch"
        else:
            reason = ""
        outcomes.append(
            {
                "reason": reason,
                "branch": CANONICAL[branch],
                "ordered_at": f"{at:%Y-%m-%d %H:%M:%S}",
                "payment": payment,
                "total": money(total),
                "items": Counter(items),
            }
        )
    return outcomes


def read_rows(path: Path) -> tuple[int, list[list[str]]]:
    """Header lines (1 when Excel added one) and the rows; an Excel file's dates put back as the till wrote them."""
    text = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not text.startswith("date,branch_name"):
        return 0, rows
    for row in rows[1:]:
        row[0] = datetime.strptime(row[0], "%d/%m/%Y %H:%M").strftime("%d/%m/%Y %H:%M")
    return 1, rows[1:]


# ----------------------------------------------------------------------------------------------------------- tests


def test_day_one_writes_a_file_per_branch_and_trading_day_and_the_pilot_files(sample: Path) -> None:
    names = sorted(path.name for path in (sample / "tills").iterdir())
    current = [CURRENT_NAME.fullmatch(name) for name in names if CURRENT_NAME.fullmatch(name)]
    pilot = [PILOT_NAME.fullmatch(name) for name in names if PILOT_NAME.fullmatch(name)]
    assert len(current) + len(pilot) == len(names)

    opening = {b.slug: f"{b.opens:%H-%M-%S}" for b in menu.BRANCHES}
    on_time = [(match["slug"], match["date"]) for match in current if match["time"] == opening[match["slug"]]]
    assert sorted(on_time) == sorted((slug, "30-06-2025") for slug in opening)
    assert len(opening) == 18
    assert opening["london_brixton"] == "08-00-00" and opening["southend-on-sea"] == "09-00-00"
    late = [match for match in current if match["time"] != opening[match["slug"]]]
    assert len(late) == SCALE  # one file a day exported a second time
    assert [(match["date"], match["slug"]) for match in pilot] == [
        ("2025-03-02", "isle-of-wight"),
        ("2025-03-03", "isle-of-wight"),
        ("2025-03-04", "isle-of-wight"),
    ]


def test_current_layout_rows_have_seven_columns_and_the_documented_formats(sample: Path) -> None:
    files = [row for row in read_truth(sample, "files") if row["layout"] == "current" and not row["file_defect"]]
    assert len(files) == 18 * SCALE - 3 * SCALE  # less the empty, Excel-touched and name-variant files
    item = re.compile(r"(Regular|Large) [A-Z][A-Za-z& ]+( - [A-Z][A-Za-z& ]+)? - \d+\.\d\d")
    for file in files:
        text = (sample / "tills" / file["source_file"]).read_text(encoding="utf-8")
        assert not text.startswith("date,") and "\r" not in text
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == int(file["order_lines"]) > 150
        branch = menu.BRANCH_BY_NAME[file["branch"]]
        day = date.fromisoformat(file["trading_date"])
        stamps = [datetime.strptime(row[0], "%d/%m/%Y %H:%M") for row in rows]
        assert stamps == sorted(stamps)
        for row, stamp in zip(rows, stamps, strict=True):
            assert len(row) == 7
            assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", row[0]) and stamp.date() == day
            assert branch.opens <= stamp.time() < branch.closes
            assert row[1] == branch.name
            assert all(item.fullmatch(part) for part in row[3].split(", ")), row[3]
            assert 1 <= len(row[3].split(", ")) <= 6
            assert re.fullmatch(r"\d+\.(\d|\d[1-9])", row[4]), row[4]  # 4.6, 6.0, 10.35: no padding zero
            assert (row[5], bool(re.fullmatch(r"[1-9]\d{15}", row[6]))) in {("CARD", True), ("CASH", False)}
            assert row[5] == "CARD" or row[6] == ""
    # The basket is quoted only when it holds commas.
    line = (sample / "tills" / files[0]["source_file"]).read_text(encoding="utf-8").splitlines()[0]
    assert line.count('"') == (2 if ", " in line else 0)


def test_payment_mix_and_basket_sizes_are_the_documented_ones(sample: Path) -> None:
    rows = [
        row
        for path in (sample / "tills").glob("*_??-??-????_??-00-00.csv")
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    ]
    card = sum(row[5] == "CARD" for row in rows) / len(rows)
    assert 0.67 <= card <= 0.73
    sizes = Counter(len(row[3].split(", ")) for row in rows)
    assert set(sizes) == {1, 2, 3, 4, 5, 6} and 0.22 <= sizes[1] / len(rows) <= 0.28
    names = Counter(row[2] for row in rows)
    assert len(names) / len(rows) > 0.75  # almost never the same customer name


def test_pilot_layout_has_seconds_payment_before_total_and_card_type(sample: Path) -> None:
    digits = {name: count for name, _, count in menu.PILOT_CARD_TYPES}
    for file in (row for row in read_truth(sample, "files") if row["layout"] == "pilot"):
        rows = list(csv.reader((sample / "tills" / file["source_file"]).open(encoding="utf-8", newline="")))
        assert len(rows) == int(file["order_lines"]) == 540
        one_size = 0
        for row in rows:
            assert len(row) == 7
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row[0]) and row[0][:10] == file["trading_date"]
            assert "09:00:00" <= row[0][11:] < "18:00:00"
            assert row[1] == "Isle of Wight" and row[4] in ("CARD", "CASH")
            assert re.fullmatch(r"\d+\.\d\d", row[5])
            if row[4] == "CASH":
                assert row[6] == "None"
            else:
                card_type, number = row[6].split(",")
                assert len(number) == digits[card_type] and number.isdigit()
            one_size += row[3].startswith(",")
        assert one_size > 50  # a basket that starts with a one-size item starts with a comma


def test_defective_files_look_as_documented(sample: Path) -> None:
    files = read_truth(sample, "files")
    by_defect = Counter(row["file_defect"] for row in files)
    assert {key: by_defect[key] for key in FILE_DEFECTS_PER_DAY} == {
        key: n * SCALE for key, n in FILE_DEFECTS_PER_DAY.items()
    }
    for row in files:
        path = sample / "tills" / row["source_file"]
        if row["file_defect"] == "closed_day_empty_file":
            assert path.stat().st_size == 0 and row["order_lines"] == "0"
        elif row["file_defect"] == "duplicate_file":
            assert path.read_bytes() == (sample / "tills" / row["duplicate_of"]).read_bytes()
            assert row["duplicate_of"] < row["source_file"]  # the same name but a later time
        elif row["file_defect"] == "excel_touched_file":
            lines = path.read_bytes().decode("utf-8").split("\r\n")
            assert lines[0] == "date,branch_name,customer,orders,total_price,payment_method,card_number"
            assert lines[-1] == "" and len(lines) - 2 == int(row["order_lines"]) and row["header_lines"] == "1"
            rows = list(csv.reader(lines[1:-1]))
            assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}", r[0]) for r in rows)
            assert any(re.fullmatch(r"\d{1,2}/\d/\d{4} \d:\d{2}", r[0]) for r in rows)  # 30/6/2025 9:05
            cards = [r[6] for r in rows if r[5] == "CARD"]
            assert cards and all(re.fullmatch(r"[1-9](\.\d{1,5})?E\+15", card) for card in cards)
        elif row["file_defect"] == "branch_name_variant":
            names = {r[1] for r in csv.reader(path.open(encoding="utf-8", newline=""))}
            assert names == {menu.BRANCH_VARIANTS[row["branch"]]}


def test_truth_agrees_with_an_independent_reading_of_the_files(sample: Path) -> None:
    """Clean orders keep the menu's prices; every reject reason and count follows from the files alone."""
    truth_orders = {(row["source_file"], int(row["line_number"])): row for row in read_truth(sample, "orders")}
    truth_items: dict[tuple[str, int], Counter] = {}
    for row in read_truth(sample, "items"):
        key = (row["source_file"], int(row["line_number"]))
        item = (row["size"], row["product"], row["flavour"], money(row["price"]))
        truth_items.setdefault(key, Counter())[item] += int(row["quantity"])

    seen: set[str] = set()
    files = 0
    reasons: Counter[str] = Counter()
    checked = 0
    for path in sorted((sample / "tills").iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        duplicate = path.stat().st_size > 0 and digest in seen
        seen.add(digest)
        files += 1
        header_lines, rows = read_rows(path)
        layout = "pilot" if PILOT_NAME.fullmatch(path.name) else "current"
        for line, expected in enumerate(expected_outcome(layout, rows, duplicate), start=1 + header_lines):
            truth = truth_orders.pop((path.name, line))
            reasons[expected["reason"]] += 1
            checked += 1
            if expected["reason"]:
                assert (truth["outcome"], truth["reject_reason"]) == ("rejected", expected["reason"])
                assert (path.name, line) not in truth_items
                continue
            assert truth["outcome"] == "clean" and truth["reject_reason"] == ""
            assert (truth["branch"], truth["ordered_at"]) == (expected["branch"], expected["ordered_at"])
            assert (truth["payment_method"], money(truth["total"])) == (expected["payment"], expected["total"])
            assert truth_items.pop((path.name, line)) == expected["items"]
    assert not truth_orders and not truth_items  # every truth row belongs to a line of a file
    assert checked > 5_000

    defects = json.loads((sample / "truth" / "tills" / "defects.json").read_text())
    counted = defects["per_day"]["1"]["orders"]
    assert counted["lines"] == checked and counted["clean"] == reasons.pop("")
    assert counted["rejected"] == dict(reasons)
    assert {key: reasons[key] for key in ORDER_DEFECTS_PER_DAY} == {
        key: n * SCALE for key, n in ORDER_DEFECTS_PER_DAY.items()
    }
    assert defects["per_day"]["1"]["files"]["written"] == files


def test_clean_items_use_the_menu_and_both_hot_chocolates_are_sold(sample: Path) -> None:
    items = read_truth(sample, "items")
    current = [row for row in items if not row["source_file"][0].isdigit()]
    assert all(money(row["price"]) == menu.MENU[(row["size"], row["product"], row["flavour"])] for row in current)
    assert {row["product"] for row in current} >= {"Hot chocolate", "Hot Chocolate"}
    assert len(menu.MENU) == 74  # 37 products x 2 sizes
    pilot = [row for row in items if row["source_file"][0].isdigit()]
    assert {row["size"] for row in pilot} == {"", "Regular", "Large"}


def test_scale_is_the_number_of_trading_days_of_day_one() -> None:
    assert trading_dates(1, 1) == [date(2025, 6, 30)]
    assert trading_dates(3, 1) == [date(2025, 6, 28), date(2025, 6, 29), date(2025, 6, 30)]
    assert trading_dates(3, 4) == [date(2025, 7, 3)]  # a later day adds the next trading day, whatever the scale
    assert pilot_dates(3)[-1] < trading_dates(3, 1)[0]


def test_same_seed_scale_and_day_give_identical_bytes(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path)
    again = {name: content for name, (_, content) in snapshot(tmp_path).items()}
    assert again == {name: content for name, (_, content) in snapshot(sample).items()}
    # A trading day depends on the seed and its date only; another seed gives other files.
    other = {f.name: render(f) for f in plan_trading_day(7, date(2025, 6, 30))}
    ours = {name.removeprefix("tills/"): content for name, content in again.items() if name.startswith("tills/")}
    assert not any(other.get(name) == content for name, content in ours.items() if content)


def test_day_two_adds_the_next_trading_day_without_touching_day_one(tmp_path: Path) -> None:
    generate(tmp_path)
    before = snapshot(tmp_path / "tills")
    truth_before = {k: v for k, v in snapshot(tmp_path / "truth").items() if "_day001" in k}

    summary = generate(tmp_path, day=2)
    after = snapshot(tmp_path / "tills")
    assert {name: after[name] for name in before} == before  # same bytes, same modification time
    added = sorted(set(after) - set(before))
    assert len(added) == summary.files_written == 19 and all("_01-07-2025_" in name for name in added)
    assert {k: v for k, v in snapshot(tmp_path / "truth").items() if "_day001" in k} == truth_before

    defects = json.loads((tmp_path / "truth" / "tills" / "defects.json").read_text())
    assert defects["per_day"]["2"]["orders"]["rejected"]["total_mismatch"] == ORDER_DEFECTS_PER_DAY["total_mismatch"]
    assert defects["cumulative"]["files"]["written"] == len(after)
    assert defects["cumulative"]["orders"]["lines"] == sum(defects["per_day"][d]["orders"]["lines"] for d in "12")

    # Day 2 again writes nothing; day 1 again starts over: day 2's files go, day 1's keep their time.
    assert generate(tmp_path, day=2).files_written == 0
    assert snapshot(tmp_path / "tills") == after
    generate(tmp_path)
    assert snapshot(tmp_path / "tills") == before
    assert not list((tmp_path / "truth" / "tills").glob("*_day002.csv"))


def test_a_day_needs_the_days_before_it(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="day 1 of the till sample was never generated"):
        generate(tmp_path / "fresh", day=2)
    generate(tmp_path, scale=1)
    with pytest.raises(WarehouseError, match=r"only days 1\.\.1 exist"):
        generate(tmp_path, day=3, scale=1)
    with pytest.raises(WarehouseError, match="seed 7"):
        generate(tmp_path, day=2, seed=7, scale=1)


def test_till_names_are_never_crm_names() -> None:
    """A search for a till customer's name must not find a CRM customer (the later PII test greps for them)."""
    assert not set(menu.FIRST_NAMES) & set(reference.FIRST_NAMES)
    assert not set(menu.LAST_NAMES) & set(reference.LAST_NAMES)
    assert all("," not in name and '"' not in name for name in menu.FIRST_NAMES + menu.LAST_NAMES)


def test_the_tills_may_have_a_scale_of_their_own(workspace) -> None:
    """`warehouse sample --scale 2 --tills-scale 1`: customers at scale 2, till files of one trading day."""
    result = workspace.cli("sample", "--scale", "2", "--tills-scale", "1")

    assert result.returncode == 0, result.stderr
    assert "at scale 2: 10,400 customer rows" in result.stderr
    days = {match.group(1) for path in workspace.settings.tills_landing_dir.iterdir()
            if (match := re.fullmatch(r"[a-z_-]+_(\d{2}-\d{2}-\d{4})_\d{2}-\d{2}-\d{2}\.csv", path.name))}  # fmt: skip
    assert days == {"30-06-2025"}
