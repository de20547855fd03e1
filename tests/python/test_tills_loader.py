"""The tills loader: every till line lands once with a stable order id, and no name or card number lands anywhere.

Files come from the till sample generator (warehouse/sample/tills.py), whose truth files say what each file holds.
Loaded through the real `warehouse ingest` command or the pipeline code it runs, into the embedded Postgres.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import Workspace
from test_ingest import drop_file

from ingest.sources import SourceResult, load_source
from ingest.tills import FIELD_SEPARATOR, TILLS, card_holders
from warehouse.sample import generate_tills
from warehouse.sample.tills import plan_trading_day, render
from warehouse.sample.tills_generator import TRUTH_FOLDER

KEY = "a test key, not the development one"
NAME_PAIRS = re.compile(rb"[A-Z][A-Za-z'-]+ [A-Z][A-Za-z'-]+")
DIGIT_RUNS = re.compile(rb"\d{12,19}")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__TILLS__PSEUDONYM_KEY", KEY)


def load_tills(space: Workspace) -> SourceResult:
    """One ingest of the tills, through the pipeline code `warehouse ingest` runs."""
    return load_source(TILLS.name, space.connection, space.settings)


def truth_rows(truth_dir: Path, kind: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((truth_dir / TRUTH_FOLDER).glob(f"{kind}_day*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += csv.DictReader(handle)
    return rows


def personal_data(tills_dir: Path) -> tuple[set[bytes], set[bytes]]:
    """Every customer name and card number (digits, Excel's form of it, the pilot's card type) in the till files."""
    names, cards = set(), set()
    for path in tills_dir.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if row and row[0] != "date":  # not an Excel header
                    names.add(row[2].encode())
                    if row[6] and row[6] != "None":
                        card_type, _, number = row[6].rpartition(",")
                        cards |= {number.encode(), card_type.encode()} - {b""}
    return names, cards


def found_in(data: bytes, names: set[bytes], cards: set[bytes]) -> set[bytes]:
    """The names and card data that occur in `data` (a "First Last" pair, a run of digits, Excel's form, a type)."""
    digit_runs = set(DIGIT_RUNS.findall(data))
    spelled = {card for card in cards if not card.isdigit() and card in data}  # 5.49417E+15, visa16, mastercard
    return (set(NAME_PAIRS.findall(data)) & names) | (digit_runs & cards) | spelled


def every_value_of_every_table(space: Workspace) -> bytes:
    """The text of every row of every table and view in every schema of the warehouse database."""
    tables = space.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('pg_catalog', 'information_schema')"
    )
    assert ("raw", "tills") in tables
    texts = [
        space.query(f'select coalesce(string_agg(t::text, chr(10)), \'\') from "{schema}"."{table}" t')[0][0]
        for schema, table in tables
    ]
    return "\n".join(texts).encode()


def test_the_till_sample_lands_every_line_once_without_names_or_card_numbers(workspace: Workspace) -> None:
    settings = workspace.settings
    generate_tills(tills_dir=settings.tills_landing_dir, truth_dir=settings.truth_dir, scale=1)

    result = workspace.cli("ingest", "--source", "tills")
    assert result.returncode == 0, result.stderr

    # Every line of every file lands once, with its file and line number; duplicate exports are skipped by content.
    files = {row["source_file"]: row for row in truth_rows(settings.truth_dir, "files")}
    expected = {
        (row["source_file"], int(row["line_number"]))
        for row in truth_rows(settings.truth_dir, "orders")
        if row["reject_reason"] != "duplicate_file"
    }
    landed = workspace.query("select _source_file, _line_number from raw.tills")
    assert len(landed) == len(set(landed)) == len(expected)
    assert set(landed) == expected
    for name, file in files.items():
        if file["duplicate_of"]:
            assert f"skipped re-delivered file {name}: the same content was loaded as {file['duplicate_of']}" in (
                result.stderr
            )
        if file["file_defect"] == "closed_day_empty_file":
            assert f"{name} is empty: a delivery without rows" in result.stderr

    # Each file's rows name the layout that read it; every order id is distinct.
    layouts = dict(workspace.query("select _source_file, min(_layout) from raw.tills group by 1"))
    for name, layout in layouts.items():
        excel = files[name]["file_defect"] == "excel_touched_file"
        assert layout == ("excel" if excel else files[name]["layout"]), name
    assert workspace.query("select count(distinct order_id) = count(*) from raw.tills") == [(True,)]

    # No name and no card number anywhere: not in any table of the warehouse, not in dlt's files or logs.
    names, cards = personal_data(settings.tills_landing_dir)
    assert len(names) > 1_000 and len(cards) > 1_000  # the input does hold personal data
    assert {b"visa16", b"mastercard"} <= cards and any(b"E+" in card for card in cards)
    assert not found_in(every_value_of_every_table(workspace), names, cards)
    written = [path for path in settings.state_dir.rglob("*") if path.is_file() and "pgdata" not in path.parts]
    assert any(path.name.startswith("tills.") for path in written)  # the load files are kept, and read here
    for path in written:
        assert not found_in(path.read_bytes(), names, cards), path


def keyed(value: bytes, purpose: bytes, secret: str = KEY) -> str:
    """The documented keyed hash: BLAKE2b, 16 bytes, its 64-byte key derived from the secret (ingest/pseudonyms.py)."""
    key = hashlib.blake2b(secret.encode(), digest_size=64, person=b"pseudonym key").digest()
    return hashlib.blake2b(value, digest_size=16, key=key, person=purpose).hexdigest()


def test_order_ids_and_card_holders_are_keyed_hashes_of_the_line(workspace: Workspace) -> None:
    line = (
        '03/09/2021 09:12,Leeds,Jane Example,"Large Latte - 2.45, Regular Filter coffee - 1.50",3.95,CARD,'
        "4123456789012345"
    )
    cash = "03/09/2021 09:13,Leeds,John Sample,Regular Latte - 2.15,2.15,CASH,"
    drop_file(workspace.settings.tills_landing_dir, "leeds_03-09-2021_09-00-00.csv", f"{line}\n{line}\n{cash}\n")

    assert load_tills(workspace).ok

    def order_id(fields: list[str | None], number: int) -> str:
        written = ["-" if field is None else f"{len(field)}:{field}" for field in fields]
        return keyed(FIELD_SEPARATOR.join([*written, str(number)]).encode(), b"till order id")

    fields = next(csv.reader([line]))
    cash_fields = [*next(csv.reader([cash]))[:6], None]  # an empty unquoted field is NULL
    card = keyed(b"4123456789012345", b"till card holder")
    # Two equal lines are two orders; the same card is one card holder; cash has none.
    assert workspace.query("select order_id, card_holder from raw.tills order by _line_number") == [
        (order_id(fields, 1), card),
        (order_id(fields, 2), card),
        (order_id(cash_fields, 3), None),
    ]


def test_files_parsed_in_worker_processes_get_the_same_keyed_ids(workspace: Workspace) -> None:
    """Enough new files to be parsed by the worker processes (PARALLEL_MIN_FILES): the same documented ids."""
    from concurrent.futures import ProcessPoolExecutor

    from ingest.csv_landing import PARALLEL_MIN_FILES, parse_executor

    days = [date(2021, 1, 1) + timedelta(days=offset) for offset in range(PARALLEL_MIN_FILES + 2)]
    lines = {
        f"leeds_{day:%d-%m-%Y}_09-00-00.csv": (
            f'{day:%d/%m/%Y} 09:12,Leeds,Jane Example,"Large Latte - 2.45",2.45,CARD,4123456789012345\n'
            f"{day:%d/%m/%Y} 09:13,Leeds,John Sample,Regular Latte - 2.15,2.15,CASH,\n"
        )
        for day in days
    }
    workers = parse_executor(TILLS, len(lines))  # starts no process until a file is submitted
    workers.shutdown()
    assert isinstance(workers, ProcessPoolExecutor)
    for name, content in lines.items():
        drop_file(workspace.settings.tills_landing_dir, name, content)

    assert load_tills(workspace).ok

    expected = []
    for name, content in sorted(lines.items()):
        for number, row in enumerate(csv.reader(content.splitlines()), start=1):
            fields = [field or None for field in row]  # an empty unquoted field is NULL
            written = ["-" if field is None else f"{len(field)}:{field}" for field in fields]
            order_id = keyed(FIELD_SEPARATOR.join([*written, str(number)]).encode(), b"till order id")
            card = keyed(b"4123456789012345", b"till card holder") if row[5] == "CARD" else None
            expected.append((name, number, order_id, card))
    query = "select _source_file, _line_number, order_id, card_holder from raw.tills order by 1, 2"
    assert workspace.query(query) == expected


def test_a_card_holder_is_the_card_digits_whatever_the_layout_and_the_key() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "card_number": [
                "4123456789012345",
                "visa16,4123456789012345",
                "4123 4567 8901 2345",
                "4123-4567-8901-2345",
                "5123456789012345",
                "None",
                None,
                "5.49417E+15",
            ]
        }
    )
    holders = card_holders(batch, b"key").to_pylist()
    assert holders[0] == holders[1] is not None
    assert holders[2] == holders[3] == holders[0]  # digits in groups: the same card
    assert holders[4] not in (None, holders[0])  # another card, another holder
    assert holders[5:] == [None, None, None]  # cash, and a number Excel destroyed
    assert card_holders(batch, b"another key").to_pylist()[0] != holders[0]


def test_fifty_files_dropped_at_once_land_exactly_once_even_with_two_ingests_at_once(workspace: Workspace) -> None:
    landing = workspace.settings.tills_landing_dir
    landing.mkdir(parents=True)
    planned = [
        till
        for day in ("2025-06-01", "2025-06-02", "2025-06-03")
        for till in plan_trading_day(7, date.fromisoformat(day))
    ]
    dropped = [till for till in planned if till.orders and not till.duplicate_of][:50]
    assert len(dropped) == 50
    for till in dropped:
        (landing / till.name).write_bytes(render(till))

    # Two ingests started together: the second waits for the first and finds nothing new.
    command = [sys.executable, "-m", "warehouse.cli", "ingest", "--source", "tills", "--wait", "300"]
    runs = [subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    runs.append(
        subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )
    outcomes = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes

    per_file = dict(workspace.query("select _source_file, count(*) from raw.tills group by 1"))
    assert per_file == {till.name: len(till.orders) for till in dropped}
    assert workspace.query("select count(*) = count(distinct (_source_file, _line_number)) from raw.tills") == [(True,)]

    # The same file dropped again under its name, and a copy under another name: nothing new.
    again = drop_file(landing, dropped[0].name, render(dropped[0]))
    drop_file(landing, "copy_of_" + again.name, render(dropped[0]))
    assert load_tills(workspace).rows_by_table == {}
    assert sum(per_file.values()) == workspace.query("select count(*) from raw.tills")[0][0]


GOOD = b"03/09/2021 09:14,Leeds,John Sample,Regular Hot Chocolate - 1.40,1.4,CASH,\n"


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        (GOOD + b"03/09/2021 09:15,Leeds,Ann B\xe9e,Regular Latte - 2.15,2.15,CARD,4999888877776666\n", 2, "not UTF-8"),
        (
            GOOD + b"03/09/2021 09:15,Leeds,Ann Bee,Regular Latte - 2.15,CARD,4999888877776666\n",
            2,
            "expected 7 fields, found 6",
        ),
        (b"Ann Bee;Leeds;03/09/2021\n", 1, "fits none of the layouts of source tills"),
    ],
    ids=["undecodable_bytes", "wrong_column_count", "unknown_layout"],
)
def test_a_bad_till_file_is_named_with_its_line_and_nothing_of_the_run_lands(
    workspace: Workspace, content: bytes, line: int, problem: str
) -> None:
    landing = workspace.settings.tills_landing_dir
    drop_file(landing, "aaa_good_03-09-2021_09-00-00.csv", GOOD)
    drop_file(landing, "leeds_03-09-2021_09-00-00.csv", content)

    result = load_tills(workspace)

    assert not result.ok
    message = str(result.error)
    assert f"leeds_03-09-2021_09-00-00.csv, line {line}" in message and problem in message, message
    for personal in ("Ann B", "John Sample", "4999888877776666"):  # an error quotes no personal data
        assert personal not in message
    if workspace.query("select to_regclass('raw.tills')") != [(None,)]:
        assert workspace.query("select count(*) from raw.tills") == [(0,)]


@pytest.mark.parametrize(
    "later",
    [
        GOOD + b"03/09/2021 09:30,Leeds,Ann Bee,Regular Tea - 1.20,1.20,CASH\n" * 8,  # read alone, as a large file
        b"Ann Bee;Leeds;03/09/2021\n",  # fits no layout: the run stops while the earlier file waits in its group
    ],
    ids=["large_bad_file", "unrecognised_file"],
)
def test_of_two_bad_files_the_earlier_is_named_however_their_parse_is_grouped(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, later: bytes
) -> None:
    """Small files wait in a group, larger ones are parsed alone: the error is still the first bad file's."""
    monkeypatch.setattr("ingest.csv_landing.GROUP_BYTES", len(GOOD) * 3)
    landing = workspace.settings.tills_landing_dir
    drop_file(landing, "leeds_03-09-2021_09-00-00.csv", GOOD + b"03/09/2021 09:20,Leeds,Ann Bee,Tea - 1.20,1.20\n")
    drop_file(landing, "york_03-09-2021_09-00-00.csv", later)

    result = load_tills(workspace)

    assert not result.ok
    assert "leeds_03-09-2021_09-00-00.csv, line 2: expected 7 fields, found 5" in str(result.error), result.error


def test_before_its_first_file_the_raw_table_exists_empty_for_the_models(workspace: Workspace) -> None:
    assert load_tills(workspace).ok
    assert workspace.query("select count(*) from raw.tills") == [(0,)]

    drop_file(workspace.settings.tills_landing_dir, "leeds_03-09-2021_09-00-00.csv", GOOD)
    assert load_tills(workspace).rows_by_table == {"tills": 1}
    assert workspace.query("select _layout, order_id is not null from raw.tills") == [("current", True)]


def test_an_empty_sheet_is_a_closed_day_and_an_emptied_file_is_named(workspace: Workspace) -> None:
    landing = workspace.settings.tills_landing_dir
    drop_file(landing, "leeds_03-09-2021_09-00-00.csv", GOOD)
    drop_file(landing, "leeds_04-09-2021_09-00-00.csv", b"\xef\xbb\xbf\r\n")  # what a spreadsheet saves for nothing

    first = load_tills(workspace)
    assert first.ok, first.error
    assert "leeds_04-09-2021_09-00-00.csv is empty: a delivery without rows" in first.notes

    drop_file(landing, "leeds_03-09-2021_09-00-00.csv", b"")
    second = load_tills(workspace)
    assert second.ok and second.rows_by_table == {}
    assert any("leeds_03-09-2021_09-00-00.csv was emptied after it was loaded" in note for note in second.notes)
    assert workspace.query("select count(*) from raw.tills") == [(1,)]


def test_files_parsed_together_give_the_rows_each_gives_alone(tmp_path: Path) -> None:
    """A group of small files of two layouts (write_load_files_together): one load file per layout, and every row
    (its order id, line number, file and constants) as the file parsed alone gives it."""
    from ingest.csv_files import LandedFile, write_load_files, write_load_files_together
    from ingest.csv_landing import file_layout

    contents = {
        "leeds_01-03-2021_09-00-00.csv": (
            '01/03/2021 09:12,Leeds,Jane Example,"Large Latte - 2.45",2.45,CARD,4123456789012345\n'
            "01/03/2021 09:13,Leeds,John Sample,Regular Latte - 2.15,2.15,CASH,\n"
        ),
        "2021-03-01-york.csv": '2021-03-01 09:14:05,York,Ann Other,Latte - 2.15,CARD,2.15,"visa16,4123456789012345"\n',
        "york_02-03-2021_09-00-00.csv": "02/03/2021 10:01,York,Bo Person,Regular Tea - 1.20,1.20,CASH,\n",
    }
    files = []
    for name, content in contents.items():
        path = tmp_path / name
        path.write_text(content)
        layout, header = file_layout(path, TILLS)
        files.append(LandedFile(path, header, layout.header, {"_layout": layout.name, "_dlt_load_id": "1.2"}))
    options = {"drop": TILLS.drop_columns, "derived": TILLS.derived_columns, "key": b"a key"}

    def rows(load_files: list) -> set[tuple[str, ...]]:
        return {tuple(row) for part in load_files for row in list(csv.reader(part.path.open()))[1:]}

    together = write_load_files_together(files, lambda part: tmp_path / f"together.{part}.csv", **options)
    alone = [
        part
        for number, file in enumerate(files)
        for part in write_load_files(
            file.path,
            file.header,
            lambda part, number=number: tmp_path / f"alone.{number}.{part}.csv",
            1000,
            file.constants,
            has_header=file.has_header,
            **options,
        )
    ]
    assert sorted(part.rows for part in together) == [1, 3]  # the pilot file, the two current ones
    assert rows(together) == rows(alone)
    assert len(rows(together)) == 4
    assert {part.columns for part in together} == {part.columns for part in alone}
