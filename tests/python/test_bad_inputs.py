"""The catalogue of broken source data (bad_inputs.py) against the real loader and an embedded Postgres.

Each case ends in one of two ways a user can rely on: a clear error (exit 1, the file and line or the table named,
what to do, no traceback, and nothing of that run loaded - rows landed by an earlier run are still there), or a
load in which every data row of the input lands with its values as the exact text of the source.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import psycopg2
import pytest
from bad_inputs import CSV_CASES, CURRENT_RAW_TRANSACTIONS, DB_CASES, HEADER, CsvCase, DbCase, csv_text
from conftest import Workspace, copy_workspace, use_workspace
from test_ingest import drop_file

from ingest.csv_files import printable
from warehouse.database import Connection, ensure_databases
from warehouse.settings import PROJECT_DIR

CATALOGUE_DOC = PROJECT_DIR / "docs" / "bad_inputs.md"


def raw_rows(space: Workspace, table: str, where: str = "true") -> int:
    """Rows in raw.<table> (0 when dlt has not created the table yet)."""
    if space.query(f"select to_regclass('raw.{table}')") == [(None,)]:
        return 0
    return space.query(f"select count(*) from raw.{table} where {where}")[0][0]


def assert_clear_error(result, *texts: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    for text in texts:
        assert text in result.stderr
    assert "what to do:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="session")
def one_export_loaded(warehouse: Connection, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace after one good CRM export was ingested, kept to be copied (conftest.copy_workspace)."""
    space = Workspace(warehouse, tmp_path_factory.mktemp("one_export"), "one_export")
    with pytest.MonkeyPatch.context() as patch:
        use_workspace(space, patch)
        for dbname in (space.dbname, space.source_dbname, space.erp_dbname):
            ensure_databases(Connection(**{**warehouse.__dict__, "dbname": dbname}))
        drop_file(space.settings.customers_landing_dir, "customers_0_earlier.csv", csv_text(HEADER, "C0,Zed,20,FR,no"))
        loaded = space.cli("ingest", "--source", "crm")
        assert loaded.returncode == 0, loaded.stderr
    return space


@pytest.mark.parametrize("case", CSV_CASES, ids=lambda case: case.name)
def test_a_bad_csv_file_loads_every_row_or_fails_clearly(
    workspace: Workspace, one_export_loaded: Workspace, case: CsvCase
) -> None:
    copy_workspace(one_export_loaded, workspace)  # an earlier export is loaded
    landing = workspace.settings.customers_landing_dir
    # A good file dropped together with the case's file: it lands with it, or not at all.
    drop_file(landing, "customers_1_good.csv", csv_text(HEADER, "C9,Eve,30,UK,yes"))
    path = drop_file(landing, case.landing_name, case.content)

    result = workspace.cli("ingest", "--source", "crm")

    if case.loads:
        assert result.returncode == 0, result.stderr
        assert raw_rows(workspace, "customers", f"_source_file = '{case.landing_name}'") == case.rows
        assert raw_rows(workspace, "customers") == 2 + case.rows
        if case.spot:
            spot = workspace.query(
                f"select {case.spot_columns} from raw.customers "
                f"where _source_file = '{case.landing_name}' order by _line_number"
            )
            assert spot[: len(case.spot)] == list(case.spot)
    else:
        # As the message shows it: a file name that is not UTF-8 with U+FFFD for its undecodable bytes.
        shown = printable(os.fsencode(path).decode("utf-8", "replace"))
        where = shown + (f", line {case.line}" if case.line is not None else "")
        assert_clear_error(result, f"cannot read CSV file {where}: ", case.error, "fix or remove the file")
        assert workspace.query("select _source_file, count(*) from raw.customers group by 1") == [
            ("customers_0_earlier.csv", 1)
        ]


def make_source_database(space: Workspace, encoding: str) -> None:
    """Re-create the workspace's source database in another server encoding."""
    conn = psycopg2.connect(space.server.libpq_dsn("postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"drop database if exists {space.source_dbname}")
            cursor.execute(
                f"create database {space.source_dbname} encoding '{encoding}' template template0 "
                "lc_collate 'C' lc_ctype 'C'"
            )
    finally:
        conn.close()


@pytest.mark.parametrize("case", DB_CASES, ids=lambda case: case.name)
def test_a_bad_source_table_loads_every_row_or_fails_clearly(
    workspace: Workspace, case: DbCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.source_encoding:
        make_source_database(workspace, case.source_encoding)
    workspace.query(case.setup, workspace.source_dbname)
    first = workspace.cli("ingest", "--source", "shop")
    assert first.returncode == 0, first.stderr
    if case.change:
        workspace.query(case.change, workspace.source_dbname)
    if case.credentials:
        monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", case.credentials)

    result = workspace.cli("ingest", "--source", "shop")

    if case.loads:
        assert result.returncode == 0, result.stderr
        source_rows = workspace.query("select count(*) from transactions", workspace.source_dbname)[0][0]
        current_rows = workspace.query(f"select count(*) from {CURRENT_RAW_TRANSACTIONS}")[0][0]
        assert current_rows == source_rows == case.rows
        if case.spot:
            assert workspace.query(case.spot_query) == list(case.spot)
    else:
        assert_clear_error(result, case.error)
        assert "secret" not in result.stderr
        assert raw_rows(workspace, "transactions") == case.rows


def test_the_catalogue_document_lists_every_case() -> None:
    """docs/bad_inputs.md is the catalogue users read: a case missing there is undocumented behaviour."""
    text = CATALOGUE_DOC.read_text(encoding="utf-8")
    for cases in (CSV_CASES, DB_CASES):
        names = [case.name for case in cases]
        assert len(names) == len(set(names)), "case names must be unique in their catalogue (they are test ids)"
    missing = [case.name for case in (*CSV_CASES, *DB_CASES) if f"`{case.name}`" not in text]
    assert not missing, f"cases not in {CATALOGUE_DOC.name}: {missing}"


def test_the_nul_scan_sees_the_whole_file(tmp_path: Path) -> None:
    """A NUL byte past the first 16 MiB read block is still found before any load file is written."""
    from ingest.csv_files import CsvFileError, read_header, write_load_files

    path = tmp_path / "customers_late_nul.csv"
    rows = "".join(f"C{number},Name {number},30,UK,yes\n" for number in range(700_000))
    path.write_bytes(csv_text(HEADER) + rows.encode() + b"C-last,Bo\0b,40,US,no\n")
    header = read_header(path, HEADER.split(","))
    with pytest.raises(CsvFileError) as caught:
        write_load_files(path, header, lambda part: tmp_path / f"load.{part}.csv", rows_per_file=100_000)
    assert caught.value.line == 700_002
    assert not list(tmp_path.glob("load.*.csv"))


def test_a_bad_file_leaves_no_load_file_behind(tmp_path: Path) -> None:
    """A file that breaks after its first load files were written: those are removed, the error names the line."""
    from ingest.csv_files import CsvFileError, read_header, write_load_files

    path = tmp_path / "customers_late_ragged_row.csv"
    rows = "".join(f"C{number},Name {number},30,UK,yes\n" for number in range(700_000))
    path.write_bytes(csv_text(HEADER) + rows.encode() + b"C-last,Bob,40\n")
    header = read_header(path, HEADER.split(","))
    with pytest.raises(CsvFileError) as caught:
        write_load_files(path, header, lambda part: tmp_path / f"load.{part}.csv", rows_per_file=100_000)
    assert caught.value.line == 700_002
    assert "expected 5 fields, found 3" in str(caught.value)
    assert not list(tmp_path.glob("load.*.csv"))


def test_errors_survive_the_trip_from_a_source_process() -> None:
    """Each source loads in its own process: its error comes back whole, with file, line and what to do."""
    from ingest.csv_files import CsvFileError
    from ingest.sources import SourceResult

    error = CsvFileError(Path("customers_x.csv"), "expected 5 fields, found 3", 7)
    result = SourceResult("crm", notes=["a note"], error=error)

    back = pickle.loads(pickle.dumps(result))

    assert isinstance(back.error, CsvFileError)
    assert str(back.error) == str(error)
    assert (back.error.path, back.error.line, back.notes) == (error.path, 7, ["a note"])
