"""The generic CSV machinery: a declared source with header-less layouts, recognised by content, and PII dropped.

The declared source below is shaped like a café chain's daily till files: no header, seven columns, two layouts
that differ in the order of total and payment method, customer name and card number dropped, the card number kept
only as a keyed hash. Loaded in-process through the same pipeline code as every source, into the real
embedded Postgres.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import Workspace
from test_ingest import drop_file

from ingest.crm_customers import CRM_CUSTOMERS
from ingest.csv_files import CsvFileError, LoadFile, LoadFileBundles
from ingest.csv_landing import file_layout
from ingest.csv_source import CsvLayout, CsvSource, DerivedColumn
from ingest.pipeline import run_source
from ingest.pseudonyms import derived_key
from ingest.sources import SourceResult, csv_files_resource
from warehouse.settings import Settings

KEY = b"test key"
CURRENT = ("ordered_at", "branch", "customer_name", "basket", "total", "payment_method", "card_number")
PILOT = ("ordered_at", "branch", "customer_name", "basket", "payment_method", "total", "card_number")


def keyed_hash(column: str) -> Callable[[pa.RecordBatch, bytes], pa.Array]:
    """HMAC-SHA256 of a column's values (NULL stays NULL): a pseudonym that cannot be reversed without the key."""

    def compute(batch: pa.RecordBatch, key: bytes) -> pa.Array:
        values = batch.column(column).to_pylist()
        return pa.array(
            [None if value is None else hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for value in values],
            pa.string(),
        )

    return compute


def first_field_is(pattern: str) -> Callable[[list[str]], bool]:
    return lambda fields: re.fullmatch(pattern, fields[0]) is not None


TILLS = CsvSource(
    name="tills_test",
    table="till_orders",
    folder="tills",
    layouts=(
        CsvLayout("current", header=False, columns=CURRENT, matches=first_field_is(r"\d\d/\d\d/\d{4} \d\d:\d\d")),
        CsvLayout("pilot", header=False, columns=PILOT, matches=first_field_is(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")),
    ),
    required_columns=("ordered_at", "branch", "basket", "total", "payment_method"),
    drop_columns=("customer_name", "card_number"),
    derived_columns=(DerivedColumn("card_key", keyed_hash("card_number")),),
)
CURRENT_FILE = (
    '03/09/2021 09:12,Leeds,Jane Example,"Large Latte - 2.45, Regular Filter coffee - 1.50",'
    "3.95,CARD,4123456789012345\n"
    "03/09/2021 09:14,Leeds,John Sample,Regular Hot Chocolate - 1.40,1.4,CASH,\n"
)
PILOT_FILE = '2021-02-23 09:01:07,Isle of Wight,Ada Pilot,",Babyccino,0.0",CARD,8.40,"visa16,4999888877776666"\n'
PERSONAL = ("Jane Example", "4123456789012345", "John Sample", "Ada Pilot", "4999888877776666")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The declared source's key for keyed hashes, as an operator sets it."""
    monkeypatch.setenv("SOURCES__TILLS_TEST__PSEUDONYM_KEY", KEY.decode())


def load_tills(space: Workspace) -> SourceResult:
    """One ingest of the declared source, through the pipeline code every source runs."""
    connection, settings = space.connection, space.settings
    return run_source(
        TILLS.name, lambda notes: csv_files_resource(TILLS, connection, settings, notes), connection, settings
    )


@pytest.mark.fast
def test_a_layout_is_picked_by_the_content_of_line_1(tmp_path: Path) -> None:
    current = drop_file(tmp_path, "leeds_03-09-2021_09-00-00.csv", CURRENT_FILE)
    pilot = drop_file(tmp_path, "2021-02-23-isle-of-wight.csv", PILOT_FILE)
    neither = drop_file(tmp_path, "leeds_04-09-2021_09-00-00.csv", "Sep 4 2021 9:12,Leeds,Jane Example,Latte,2.45\n")

    assert file_layout(current, TILLS) == (TILLS.layouts[0], list(CURRENT))
    assert file_layout(pilot, TILLS) == (TILLS.layouts[1], list(PILOT))
    with pytest.raises(CsvFileError) as caught:
        file_layout(neither, TILLS)
    assert caught.value.line == 1
    assert "fits none of the layouts of source tills_test (current, pilot)" in str(caught.value)
    assert "Jane Example" not in str(caught.value)  # line 1 is personal data: not repeated in the error


@pytest.mark.fast
def test_a_declaration_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="layout pilot lacks total"):
        CsvSource("x", "x", "x", (CsvLayout("pilot", header=False, columns=("a",)),), required_columns=("total",))
    with pytest.raises(ValueError, match="name the columns exactly when there is no header"):
        CsvSource("x", "x", "x", (CsvLayout("bare", header=False),), required_columns=())


@pytest.mark.fast
def test_small_load_files_are_joined_into_bundles_of_the_same_columns(tmp_path: Path) -> None:
    """Many small landed files become a few COPY jobs (one dlt job per load file), every row once, one header each."""

    def load_file(name: str, header: str, rows: int) -> LoadFile:
        path = tmp_path / name
        path.write_text(header + "".join(f"{name},{row}\n" for row in range(rows)))
        return LoadFile(path, rows)

    bundles = LoadFileBundles(lambda number: tmp_path / f"bundle{number}.csv", rows=5)
    ready = [
        *bundles.add(load_file("a", "x,y\n", 2), "xy"),
        *bundles.add(load_file("b", "y,x\n", 1), "yx"),  # other columns: a bundle of its own
        *bundles.add(load_file("c", "x,y\n", 3), "xy"),  # the first bundle is full now
        *bundles.add(load_file("big", "x,y\n", 5), "xy"),  # as large as a bundle: ready as it is
        *bundles.add(load_file("d", "x,y\n", 1), "xy"),
    ]
    ready += bundles.finish()

    texts = {file.path.name: (file.path.read_text(), file.rows, tag) for file, tag in ready}
    assert texts == {
        "bundle0.csv": ("x,y\na,0\na,1\nc,0\nc,1\nc,2\n", 5, "xy"),
        "big": ("x,y\n" + "".join(f"big,{row}\n" for row in range(5)), 5, "xy"),
        "bundle1.csv": ("y,x\nb,0\n", 1, "yx"),
        "bundle2.csv": ("x,y\nd,0\n", 1, "xy"),
    }
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big", "bundle0.csv", "bundle1.csv", "bundle2.csv"]


def test_the_crm_declaration_reads_the_folder_the_settings_name(settings: Settings) -> None:
    """The sample generator and the tests write CRM exports to settings.customers_landing_dir."""
    assert settings.landing_dir / CRM_CUSTOMERS.folder == settings.customers_landing_dir


@pytest.mark.fast
def test_a_declared_source_lands_each_layout_without_the_dropped_columns(workspace: Workspace) -> None:
    landing = workspace.settings.landing_dir / TILLS.folder
    drop_file(landing, "leeds_03-09-2021_09-00-00.csv", CURRENT_FILE)
    drop_file(landing, "2021-02-23-isle-of-wight.csv", PILOT_FILE)
    drop_file(landing, "readme.txt", "not a till file\n")

    result = load_tills(workspace)

    assert result.ok, result.error
    assert result.rows_by_table == {"till_orders": 3}
    assert any("not read in" in note and "readme.txt" in note for note in result.notes)
    rows = workspace.query(
        "select _source_file, _line_number, ordered_at, total, payment_method, card_key from raw.till_orders "
        "order by _source_file, _line_number"
    )
    key = derived_key(KEY.decode())  # the source's key as the pseudonyms module makes it from the secret
    card = hmac.new(key, b"4123456789012345", hashlib.sha256).hexdigest()
    pilot_card = hmac.new(key, b"visa16,4999888877776666", hashlib.sha256).hexdigest()
    assert rows == [
        ("2021-02-23-isle-of-wight.csv", 1, "2021-02-23 09:01:07", "8.40", "CARD", pilot_card),
        ("leeds_03-09-2021_09-00-00.csv", 1, "03/09/2021 09:12", "3.95", "CARD", card),
        ("leeds_03-09-2021_09-00-00.csv", 2, "03/09/2021 09:14", "1.4", "CASH", None),
    ]

    # The personal data is nowhere: not a column, not a value, not a byte of dlt's files (load files included).
    columns = {
        row[0]
        for row in workspace.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'till_orders'"
        )
    }
    assert not columns & set(TILLS.drop_columns)
    [(table_text,)] = workspace.query("select string_agg(t::text, '|') from raw.till_orders t")
    dlt_files = [path for path in workspace.settings.dlt_dir.rglob("*") if path.is_file()]
    assert any(path.name.startswith("till_orders.") for path in dlt_files)  # the load files are kept, and read here
    for value in PERSONAL:
        assert value not in table_text
        assert not [path for path in dlt_files if value.encode() in path.read_bytes()], value

    # The same files again (one under another name): nothing new.
    drop_file(landing, "leeds_copy.csv", CURRENT_FILE)
    again = load_tills(workspace)
    assert again.ok, again.error
    assert again.rows_by_table == {}
    assert any("skipped re-delivered file leeds_copy.csv" in note for note in again.notes)
