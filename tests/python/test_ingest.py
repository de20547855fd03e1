"""The dlt loader against a real embedded Postgres: counts, incrementality, delta days and bad files."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Workspace

from ingest.sources import SOURCES, CommandContext, command_alive
from warehouse.sample import generate_sample

HEADER = "customer_id,name,age,country,is_active\n"


def sample_day(space: Workspace, day: int = 1) -> object:
    settings = space.settings
    return generate_sample(
        customers_dir=settings.customers_landing_dir,
        source_dsn=space.source_dsn,
        truth_dir=settings.truth_dir,
        scale=1,
        day=day,
    )


def csv_data_rows(folder: Path) -> int:
    total = 0
    for path in folder.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


def raw_count(space: Workspace, table: str) -> int:
    return space.query(f"select count(*) from raw.{table}")[0][0]


def drop_file(folder: Path, name: str, content: bytes | str) -> Path:
    """Write a landing file; each gets a later mtime so incremental order is unambiguous."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    stamp = time.time() + len(list(folder.iterdir()))
    os.utime(path, (stamp, stamp))
    return path


def test_first_load_lands_every_row_of_the_files_and_the_table(workspace: Workspace) -> None:
    sample_day(workspace)
    result = workspace.cli("ingest")
    assert result.returncode == 0, result.stderr

    landing = workspace.settings.customers_landing_dir
    assert raw_count(workspace, "customers") == csv_data_rows(landing) == 5_200
    source_rows = workspace.query("select count(*) from transactions", workspace.source_dbname)[0][0]
    assert raw_count(workspace, "transactions") == source_rows == 10_500
    assert "raw.customers" in result.stdout and "5,200" in result.stdout
    # Every row carries its file, line and load id; the loads are recorded in dlt's own table.
    assert workspace.query(
        "select count(*) from raw.customers where _source_file is null or _line_number < 2 or _dlt_load_id is null"
    ) == [(0,)]
    assert workspace.query("select min(_line_number), max(_line_number) from raw.customers") == [(2, 5_201)]
    # One completed load per source (the tills, with no files in this sample, commit their first state).
    assert workspace.query("select count(*) from raw._dlt_loads where status = 0")[0][0] == len(SOURCES)


def test_rerun_without_new_data_lands_nothing(workspace: Workspace) -> None:
    sample_day(workspace)
    assert workspace.cli("ingest").returncode == 0
    before = (raw_count(workspace, "customers"), raw_count(workspace, "transactions"))

    again = workspace.cli("ingest")

    assert again.returncode == 0, again.stderr
    assert "no new data" in again.stdout
    assert (raw_count(workspace, "customers"), raw_count(workspace, "transactions")) == before


def test_day_two_lands_exactly_the_delta(workspace: Workspace) -> None:
    sample_day(workspace)
    assert workspace.cli("ingest").returncode == 0
    day_one_max = workspace.query("select max(transaction_id) from raw.transactions")[0][0]

    day_two = sample_day(workspace, day=2)
    result = workspace.cli("ingest")

    assert result.returncode == 0, result.stderr
    new_file = day_two.customers_file.name
    assert workspace.query(f"select count(*) from raw.customers where _source_file = '{new_file}'") == [
        (day_two.customer_rows,)
    ]
    assert raw_count(workspace, "customers") == 5_200 + day_two.customer_rows
    new_transactions = workspace.query(
        f"select count(*) from transactions where transaction_id > {day_one_max}", workspace.source_dbname
    )[0][0]
    assert new_transactions == day_two.transaction_rows > 0
    assert raw_count(workspace, "transactions") == 10_500 + new_transactions
    # Each export file landed once: the day-1 file was not read again.
    assert workspace.query("select count(distinct _dlt_load_id) from raw.customers") == [(2,)]


def test_two_files_dropped_at_once_both_land_once(workspace: Workspace) -> None:
    landing = workspace.settings.customers_landing_dir
    drop_file(landing, "customers_a.csv", HEADER + "C1,Ann,30,UK,yes\nC2,Bob,40,US,no\n")
    drop_file(landing, "customers_b.csv", HEADER + "C3,Cid,50,DE,yes\n")

    assert workspace.cli("ingest", "--source", "crm").returncode == 0
    assert workspace.cli("ingest", "--source", "crm").returncode == 0

    assert workspace.query("select _source_file, count(*) from raw.customers group by 1 order by 1") == [
        ("customers_a.csv", 2),
        ("customers_b.csv", 1),
    ]


BAD_FILES = {
    "unterminated_quote": (HEADER + 'C1,Ann,30,UK,yes\nC2,"Bob,40,US,no\nC3,Cid,50,DE,yes\n', 3, "never closed"),
    "missing_column": ("customer_id,name,age,is_active\nC1,Ann,30,yes\n", 1, "missing required column(s) country"),
    "undecodable_bytes": (HEADER.encode() + b"C1,Ann,30,UK,yes\nC2,B\xf6b,40,DE,no\n", 3, "not UTF-8"),
    "ragged_row": (HEADER + "C1,Ann,30,UK,yes\nC2,Bob,40\n", 3, "expected 5 fields, found 3"),
    "empty_file": ("", 1, "the file is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_fails_clearly_and_loads_nothing(workspace: Workspace, case: str) -> None:
    content, line, problem = BAD_FILES[case]
    landing = workspace.settings.customers_landing_dir
    drop_file(landing, "customers_good.csv", HEADER + "C9,Eve,30,UK,yes\n")
    bad = drop_file(landing, f"customers_{case}.csv", content)

    result = workspace.cli("ingest", "--source", "crm")

    assert result.returncode == 1
    assert f"{bad}, line {line}" in result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.stderr
    assert workspace.query("select to_regclass('raw.customers')") == [(None,)] or raw_count(workspace, "customers") == 0

    # Once the file is fixed (here: removed), the next run loads the good file exactly once.
    bad.unlink()
    assert workspace.cli("ingest", "--source", "crm").returncode == 0
    assert raw_count(workspace, "customers") == 1


def test_a_failed_load_package_is_finished_on_the_next_run(workspace: Workspace) -> None:
    """A package that failed at load time is retried explicitly, and new data is still extracted after it."""
    landing = workspace.settings.customers_landing_dir
    drop_file(landing, "customers_1.csv", HEADER + "C1,Ann,30,UK,yes\nC2,Bob,40,US,no\n")
    assert workspace.cli("ingest", "--source", "crm").returncode == 0
    # Make the next load fail in the warehouse: a constraint that rejects the new file's row.
    workspace.query("alter table raw.customers add constraint no_eve check (name <> 'Eve')")
    drop_file(landing, "customers_2.csv", HEADER + "C3,Eve,50,DE,yes\n")
    failed = workspace.cli("ingest", "--source", "crm")
    assert failed.returncode == 1
    assert "no_eve" in failed.stderr
    assert raw_count(workspace, "customers") == 2

    workspace.query("alter table raw.customers drop constraint no_eve")
    drop_file(landing, "customers_3.csv", HEADER + "C4,Dan,60,FR,no\n")
    result = workspace.cli("ingest", "--source", "crm")

    assert result.returncode == 0, result.stderr
    assert "unfinished load package" in result.stderr
    assert workspace.query("select _source_file, count(*) from raw.customers group by 1 order by 1") == [
        ("customers_1.csv", 2),
        ("customers_2.csv", 1),
        ("customers_3.csv", 1),
    ]


def test_a_package_that_fails_again_is_aborted_and_its_data_read_again(workspace: Workspace) -> None:
    landing = workspace.settings.customers_landing_dir
    drop_file(landing, "customers_1.csv", HEADER + "C1,Ann,30,UK,yes\n")
    assert workspace.cli("ingest", "--source", "crm").returncode == 0
    workspace.query("alter table raw.customers add constraint no_eve check (name <> 'Eve')")
    drop_file(landing, "customers_2.csv", HEADER + "C3,Eve,50,DE,yes\n")
    assert workspace.cli("ingest", "--source", "crm").returncode == 1

    still_failing = workspace.cli("ingest", "--source", "crm")
    assert still_failing.returncode == 1
    assert "aborting" in still_failing.stderr

    workspace.query("alter table raw.customers drop constraint no_eve")
    result = workspace.cli("ingest", "--source", "crm")
    assert result.returncode == 0, result.stderr
    assert workspace.query("select _source_file, count(*) from raw.customers group by 1 order by 1") == [
        ("customers_1.csv", 1),
        ("customers_2.csv", 1),
    ]


def test_source_database_down_gives_a_clear_error(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", "postgresql://shop:secret@127.0.0.1:1/shop")

    result = workspace.cli("ingest", "--source", "shop")

    assert result.returncode == 1
    assert "cannot reach the transactions source database" in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_external_postgres_mode_uses_the_configured_server(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WAREHOUSE_HOST & co. point every command at another server (a second pgserver stands in for it)."""
    import pgserver

    other = pgserver.get_server(tmp_path / "external_pg", cleanup_mode="stop")
    try:
        socket_dir = str(other.get_postmaster_info().socket_dir)
        other.psql("create database analytics; create database operations;")
        monkeypatch.setenv("WAREHOUSE_HOST", socket_dir)
        monkeypatch.setenv("WAREHOUSE_PORT", "5432")
        monkeypatch.setenv("WAREHOUSE_USER", "postgres")
        monkeypatch.setenv("WAREHOUSE_DBNAME", "analytics")
        monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", f"postgresql://postgres@/operations?host={socket_dir}")
        assert workspace.cli("sample").returncode == 0
        # Outside the embedded sample warehouse, pseudonyms need the operator's own key.
        refused = workspace.cli("ingest")
        assert refused.returncode == 1 and "SOURCES__TILLS__PSEUDONYM_KEY" in refused.stderr
        monkeypatch.setenv("SOURCES__TILLS__PSEUDONYM_KEY", "an operator's long random secret")
        result = workspace.cli("ingest")
        assert result.returncode == 0, result.stderr

        counts = other.psql(
            "\\c analytics\n"
            "select (select count(*) from raw.customers) || '/' || (select count(*) from raw.transactions) || '/' || "
            "(select count(*) from raw.tills);"
        )
        assert "5200/10500/" in counts and "5200/10500/0" not in counts
        # The session's embedded server was not touched.
        assert workspace.query("select to_regclass('raw.customers')") == [(None,)]
        assert "external warehouse" in workspace.cli("db", "status").stdout
    finally:
        other.cleanup()
        shutil.rmtree(tmp_path / "external_pg", ignore_errors=True)


def test_null_like_tokens_land_as_the_text_they_are(workspace: Workspace) -> None:
    """'N/A', 'null', 'NaN' and '-' are data for dbt's rules to judge; only an empty field is missing."""
    landing = workspace.settings.customers_landing_dir
    drop_file(landing, "customers_tokens.csv", HEADER + "C1,N/A,null,NaN,-\nC2,,NA,#N/A,\n")

    assert workspace.cli("ingest", "--source", "crm").returncode == 0

    assert workspace.query("select name, age, country, is_active from raw.customers order by customer_id") == [
        ("N/A", "null", "NaN", "-"),
        (None, "NA", "#N/A", None),
    ]


def test_transactions_get_a_row_id_and_an_index_over_two_loads(workspace: Workspace) -> None:
    """Every raw transaction has its own _dlt_id (dbt's record id), also across loads; the index is in place."""
    sample_day(workspace)
    assert workspace.cli("ingest", "--source", "shop").returncode == 0
    sample_day(workspace, day=2)
    assert workspace.cli("ingest", "--source", "shop").returncode == 0

    rows, distinct_ids, ids, loads = workspace.query(
        "select count(*), count(distinct _dlt_id), count(_dlt_id), count(distinct _dlt_load_id) from raw.transactions"
    )[0]
    assert rows == distinct_ids == ids > 10_500
    assert loads == 2
    assert workspace.query("select count(*) from raw.transactions where _dlt_id not like _dlt_load_id || '.%.%'") == [
        (0,)
    ]
    assert workspace.query(
        "select is_nullable from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'transactions' and column_name = '_dlt_id'"
    ) == [("NO",)]
    assert workspace.query(
        "select indexdef from pg_indexes where schemaname = 'raw' and tablename = 'transactions'"
    ) == [("CREATE INDEX transactions_transaction_id_idx ON raw.transactions USING btree (transaction_id)",)]
    # The CRM table keeps its own columns: no row id there.
    assert workspace.cli("ingest", "--source", "crm").returncode == 0
    assert workspace.query(
        "select count(*) from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'customers' and column_name = '_dlt_id'"
    ) == [(0,)]


def test_a_sqlite_shop_takes_dlts_path_and_its_rows_get_row_ids_too(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop database that is not Postgres goes through dlt's sql_database source; same _dlt_id, same index."""
    shop = tmp_path / "shop.sqlite"
    with sqlite3.connect(shop) as lite:
        lite.execute(
            "create table transactions (transaction_id integer not null, customer_id text, amount text, "
            "transaction_date text)"
        )
        lite.executemany(
            "insert into transactions values (?, ?, ?, ?)",
            [(number, f"C{number % 7}", "1.50", "2024-01-05") for number in range(1, 601)],
        )
    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", f"sqlite:///{shop}")
    assert workspace.cli("ingest", "--source", "shop").returncode == 0
    with sqlite3.connect(shop) as lite:
        lite.execute("insert into transactions values (601, 'C1', '2', '2024-01-06'), (601, 'C2', '3', '2024-01-06')")

    result = workspace.cli("ingest", "--source", "shop")

    assert result.returncode == 0, result.stderr
    assert workspace.query(
        "select count(*), count(distinct _dlt_id), count(distinct _dlt_load_id) from raw.transactions"
    ) == [(602, 602, 2)]
    assert workspace.query("select count(*) from raw.transactions where _dlt_id not like _dlt_load_id || '.%.%'") == [
        (0,)
    ]
    assert workspace.query(
        "select indexname from pg_indexes where schemaname = 'raw' and tablename = 'transactions'"
    ) == [("transactions_transaction_id_idx",)]


def test_rows_loaded_before_row_ids_existed_get_one(workspace: Workspace) -> None:
    """A warehouse loaded by an earlier version (no _dlt_id column) is given row ids, then loads on as usual."""
    sample_day(workspace)
    assert workspace.cli("ingest", "--source", "shop").returncode == 0
    workspace.query("alter table raw.transactions drop column _dlt_id")
    sample_day(workspace, day=2)

    result = workspace.cli("ingest", "--source", "shop")

    assert result.returncode == 0, result.stderr
    assert "gave the 10,500 rows loaded before raw.transactions had a _dlt_id column a row id" in result.stderr
    source_rows = workspace.query("select count(*) from transactions", workspace.source_dbname)[0][0]
    assert workspace.query("select count(*), count(distinct _dlt_id) from raw.transactions") == [
        (source_rows, source_rows)
    ]


def test_sources_load_side_by_side_and_a_failing_one_does_not_stop_the_other(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """crm and shop run at the same time in processes of their own; crm's bad file is reported, shop still lands."""
    sample_day(workspace)
    landing = workspace.settings.customers_landing_dir
    bad = drop_file(landing, "customers_ragged.csv", HEADER + "C1,Ann,30,UK,yes\nC2,Bob,40\n")

    result = workspace.cli("ingest")

    assert result.returncode == 1
    assert f"cannot read CSV file {bad}, line 3: expected 5 fields, found 3" in result.stderr
    assert "what to do: fix or remove the file" in result.stderr
    assert "Traceback" not in result.stderr
    assert raw_count(workspace, "transactions") == 10_500
    assert workspace.query("select to_regclass('raw.customers')") == [(None,)]

    # Both failing: each source's error is reported, under its name.
    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", "postgresql://shop:secret@127.0.0.1:1/shop")
    again = workspace.cli("ingest")
    assert again.returncode == 1
    assert "source crm: cannot read CSV file" in again.stderr
    assert "source shop: cannot reach the transactions source database" in again.stderr
    assert "secret" not in again.stderr and "Traceback" not in again.stderr


def test_sources_take_turns_only_while_the_raw_dataset_is_new(workspace: Workspace) -> None:
    """Two first loads at once race to create schema raw; until dlt's tables exist a source waits for the other."""
    import threading

    import psycopg2

    from ingest.pipeline import NEW_DATASET_LOCK_KEY, new_dataset_lock

    def enters_while_another_source_loads() -> bool:
        """Whether new_dataset_lock lets a source in while another one holds the dataset lock."""
        entered = threading.Event()

        def second_source() -> None:
            with new_dataset_lock(workspace.connection):
                entered.set()

        with psycopg2.connect(workspace.connection.libpq_dsn()) as holder, holder.cursor() as cursor:
            cursor.execute("select pg_advisory_lock(%s)", (NEW_DATASET_LOCK_KEY,))
            thread = threading.Thread(target=second_source)
            thread.start()
            entered_at_once = entered.wait(timeout=2)
            cursor.execute("select pg_advisory_unlock(%s)", (NEW_DATASET_LOCK_KEY,))
        thread.join(timeout=30)
        assert entered.is_set(), "the waiting source never got in after the lock was released"
        return entered_at_once

    assert enters_while_another_source_loads() is False  # new warehouse: it waits its turn

    sample_day(workspace)
    assert workspace.cli("ingest").returncode == 0
    assert enters_while_another_source_loads() is True  # dlt's tables exist: no waiting


def test_a_source_process_takes_the_commands_environment_and_ends_when_the_command_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fork server keeps the environment of its start: each source's process takes the command's own."""
    monkeypatch.setenv("WAREHOUSE_CHECK", "then")
    then = CommandContext.of_this_process()
    monkeypatch.setenv("WAREHOUSE_CHECK", "now")
    monkeypatch.chdir(tmp_path)
    try:
        then.enter()
        assert os.environ["WAREHOUSE_CHECK"] == "then" and Path.cwd() == Path(then.folder)
    finally:
        os.chdir(tmp_path)

    command = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    assert command_alive(command.pid)
    command.kill()
    command.wait()
    assert not command_alive(command.pid)  # its source processes stop within a second (exit_without_parent)
