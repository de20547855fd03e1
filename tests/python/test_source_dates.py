"""Source column types are respected: typed date and time columns land as text the rules accept, and the future
rule uses the shop's day at build time, so a row rejected as future becomes valid when its day comes.

docs/data_rules.md ("Transactions", "Dates and time zones"); docs/bad_inputs.md ("Date and time columns").
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from conftest import Workspace
from data_rules_oracle import parse_day, trim

from warehouse.dbt_runner import dbt_environment, dbt_executable

CUSTOMERS_CSV = "customer_id,name,age,country,is_active\nC1,Ann Lee,30,UK,yes\n"


JSON_OUTPUT = ("--output", "json", "--no-use-colors", "--quiet")


def compiled(space: Workspace, sql: str, dbt_vars: dict[str, str], *, select: str = "") -> str:
    """`sql` (or the model `select`) compiled with the project's macros and the given vars (dbt compile)."""
    environment = {
        **dbt_environment(space.connection, space.settings),
        "DBT_TARGET_PATH": str(space.root / "target"),
        "DBT_LOG_PATH": str(space.root / "logs"),
    }
    what = ["--select", select] if select else ["--inline", sql]
    result = subprocess.run(
        [dbt_executable(), "compile", *what, "--vars", json.dumps(dbt_vars), *JSON_OUTPUT],
        cwd=space.settings.project_dir,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(result.stdout)["compiled"]


DATE_RULES_QUERY = """
select
    {{ parse_date(trim_whitespace('value')) }} as transaction_date,
    {{ date_issue(trim_whitespace('value'), parse_date(trim_whitespace('value'))) }} as transaction_date_issue
from unnest(cast(VALUES_PARAMETER as text[])) with ordinality as input (value, position)
order by position
"""


def date_texts() -> list[str]:
    """Typed columns' renderings, their near misses, time zone edges and random shapes of digits and separators."""
    values = [
        "2024-03-01",
        "2024/03/01",
        " 2024-03-01 10:11:12 ",
        "2024-03-01 10:11:12.345",
        "2024-03-01 10:11:12.123456",
        "2024-03-01 10:11:12.1234567",
        "2024-03-01 10:11:12.",
        "2024-03-01 23:30:00.25+00",
        "2024-03-01 20:00:00-05",
        "2024-03-01 09:00:00+09:30",
        "2024-03-01 10:11:12+14:59",
        "9999-12-31 23:30:00-01",
        "9999-12-31 22:30:00-01",
        "0001-01-01 00:30:00+01",
        "0001-01-01 01:30:00+01",
        "2024-03-01 10:11:12+15",
        "2024-03-01 10:11:12+05:60",
        "2024-03-01 10:11:12 +01",
        "2024-03-01 10:11:12+1",
        "2024-03-01T10:11:12",
        "2024-03-01T10:11:12Z",
        "2024-02-29 12:00:00+00",
        "2023-02-29 12:00:00+00",
        "2024/03/01 10:11:12.5",
        "2024-03-01 10:11",
        # New York: the last UTC moments of a local day, and both daylight saving switches
        "2024-01-01 04:59:59.999999+00",
        "2024-01-01 05:00:00+00",
        "2024-03-10 06:59:59+00",
        "2024-03-10 07:00:00+00",
        "2024-11-03 03:59:59+00",
        "2024-11-03 04:00:00+00",
        "2024-11-04 04:59:59+00",
        "2024-11-04 05:00:00+00",
        "\u00a02024-03-01 10:11:12.5+00\u200b",
        "\uff12\uff10\uff12\uff14-03-01 10:11:12+00",  # full-width digits
        "",
        "next tuesday",
    ]
    rng = random.Random(15)
    for _ in range(400):
        day = f"{rng.randint(1000, 9998)}-{rng.randint(0, 13):02}-{rng.randint(0, 32):02}"
        time = f"{rng.randint(0, 25):02}:{rng.randint(0, 61):02}:{rng.randint(0, 61):02}"
        fraction = "." + "".join(rng.choices("0123456789", k=rng.randint(0, 7))) if rng.random() < 0.5 else ""
        sign = rng.choice("+-")
        offset = rng.choice(
            ["", f"{sign}{rng.randint(0, 16):02}", f"{sign}{rng.randint(0, 16):02}:{rng.randint(0, 61):02}"]
        )
        values.append(rng.choice([day, day.replace("-", "/"), f"{day} {time}{fraction}{offset}"]))
    return values


@pytest.mark.fast
def test_sql_date_rules_and_the_oracle_agree(workspace: Workspace) -> None:
    """parse_date and date_issue give what the Python oracle gives, offsets taken in the shop's time zone."""
    values = date_texts()
    sql = compiled(workspace, DATE_RULES_QUERY, {"source_timezone": "America/New_York"})
    # days_in_month's modulo signs are no parameters
    sql = sql.replace("%", "%%").replace("VALUES_PARAMETER", "%(values)s")
    with psycopg2.connect(workspace.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(sql, {"values": values})
        rows = cursor.fetchall()

    oracle = []
    for value in values:
        day = parse_day(trim(value), "America/New_York")
        oracle.append((day, None if day else ("missing_date" if trim(value) == "" else "invalid_date")))
    disagreements = [(value, got, want) for value, got, want in zip(values, rows, oracle, strict=True) if got != want]
    assert not disagreements, f"{len(disagreements)} values differ (value, SQL, oracle), first: {disagreements[:5]}"
    accepted = dict(zip(values, (day for day, _ in rows), strict=True))
    assert accepted["2024-03-01 10:11:12.345"] == date(2024, 3, 1)
    assert accepted["2024-03-01 23:30:00.25+00"] == date(2024, 3, 1)  # 18:30 in New York
    assert accepted["2024-01-01 04:59:59.999999+00"] == date(2023, 12, 31)
    assert sum(day is not None for day, _ in rows) > 100, "too few random values parse to test anything"


# Not in `make test-fast`: three dbt compiles with different --vars, each a full parse (about a minute in all).
def test_today_is_the_shops_day_not_the_utc_day(workspace: Workspace) -> None:
    """source_today() is the current day in var source_timezone (26 hours apart here: never the same day)."""
    days = {}
    for zone in ("Etc/GMT-14", "Etc/GMT+12"):  # UTC+14 and UTC-12 (POSIX signs)
        sql = compiled(workspace, "select {{ source_today() }}", {"source_timezone": zone})
        before = datetime.now(ZoneInfo(zone)).date()
        [(days[zone],)] = workspace.query(sql)
        after = datetime.now(ZoneInfo(zone)).date()
        assert days[zone] in (before, after), zone
    assert days["Etc/GMT-14"] > days["Etc/GMT+12"]

    pinned = compiled(
        workspace, "select {{ source_today() }}", {"source_timezone": "Etc/GMT-14", "as_of_date": "2025-01-12"}
    )
    assert workspace.query(pinned) == [(date(2025, 1, 12),)]


def build(space: Workspace, *dbt_args: str) -> None:
    result = space.cli("build", "--", "--exclude-resource-type", "unit_test", *dbt_args)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_typed_date_and_time_columns_land_as_text_the_rules_accept(workspace: Workspace) -> None:
    """date, timestamp(6) and timestamptz (fractional seconds) land as ISO text; staging reads each one's day.

    The source database's TimeZone is Los Angeles: a timestamptz still lands in UTC with its offset, and its day
    is taken in the shop's time zone (Tokyo here), where 23:30 UTC is the next morning.
    """
    source = workspace.source_dbname
    workspace.query(
        "create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar, "
        "transaction_date date); insert into transactions values (1, 'C1', '10', '2024-03-01');"
        "do $$ begin execute format('alter database %I set timezone = %L', current_database(), "
        "'America/Los_Angeles'); end $$;",
        source,
    )
    changes = [
        "alter table transactions alter column transaction_date type timestamp(6); "
        "insert into transactions values (2, 'C1', '11', '2024-03-01 10:11:12.345678');",
        "alter table transactions alter column transaction_date type timestamptz; "
        "insert into transactions values (3, 'C1', '12', '2024-03-01 23:30:00.25+00');",
    ]
    for change in [None, *changes]:
        if change:
            workspace.query(change, source)
        loaded = workspace.cli("ingest", "--source", "shop")
        assert loaded.returncode == 0, loaded.stderr[-3000:]

    # Each row as it first landed, in the column's type then (a retype changes every row's text, so the loader
    # captures the whole table again: later copies of rows 1 and 2 are timestamptz text too).
    first_landed = (
        "select distinct on (transaction_id) _dlt_id from raw.transactions order by transaction_id, _dlt_load_id"
    )
    assert workspace.query(
        f"select transaction_id, transaction_date from raw.transactions where _dlt_id in ({first_landed}) order by 1"
    ) == [
        (1, "2024-03-01"),
        (2, "2024-03-01 10:11:12.345678"),
        (3, "2024-03-01 23:30:00.25+00"),
    ]
    # The staging model's query as built with the shop in Tokyo (a view build would also run the project hooks).
    staging = compiled(workspace, "", {"source_timezone": "Asia/Tokyo"}, select="stg_shop__transactions")
    assert workspace.query(
        f"select transaction_id, transaction_date, transaction_date_issue from ({staging}) as stg"
        f" where transaction_record_id in ({first_landed}) order by 1"
    ) == [(1, date(2024, 3, 1), None), (2, date(2024, 3, 1), None), (3, date(2024, 3, 2), None)]


def test_a_sqlite_shops_date_and_time_columns_land_as_the_same_text(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dlt's Arrow path (not Postgres) lands DATE and DATETIME columns as the fast path's text, in text columns."""
    shop = tmp_path / "shop.sqlite"
    with sqlite3.connect(shop) as lite:
        lite.execute(
            "create table transactions (transaction_id integer not null, customer_id text, amount text, "
            "transaction_date datetime, paid_on date)"
        )
        lite.execute(
            "insert into transactions values (1, 'C1', '10', '2024-03-01 10:11:12.345000', '2024-03-01'), "
            "(2, 'C1', '11', '2024-03-01 10:11:12.000000', null)"
        )
    monkeypatch.setenv("SOURCES__TRANSACTIONS__CREDENTIALS", f"sqlite:///{shop}")

    result = workspace.cli("ingest", "--source", "shop")

    assert result.returncode == 0, result.stderr[-3000:]
    assert workspace.query("select transaction_id, transaction_date, paid_on from raw.transactions order by 1") == [
        (1, "2024-03-01 10:11:12.345", "2024-03-01"),
        (2, "2024-03-01 10:11:12", None),
    ]
    assert workspace.query(
        "select column_name, data_type from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'transactions' and column_name in ('transaction_date', 'paid_on') order by 1"
    ) == [("paid_on", "character varying"), ("transaction_date", "character varying")]


def test_arrow_date_and_time_columns_become_the_text_postgres_writes() -> None:
    """Any unit and time zone: ISO text, microseconds without trailing zeros, a zoned timestamp in UTC with +00."""
    import pyarrow as pa

    from ingest.shop_transactions import temporal_columns_as_text

    new_york = ZoneInfo("America/New_York")
    batch = pa.table(
        {
            "day": pa.array([date(2024, 3, 1), None], pa.date64()),
            "stamp": pa.array([datetime(2024, 3, 1, 10, 11, 12, 345000), datetime(2024, 3, 1, 10, 11)]),
            "nanos": pa.array([1_709_287_872_123_456_789, 0], pa.timestamp("ns")),
            "zoned": pa.array(
                [datetime(2024, 3, 1, 20, 0, 0, 250000, tzinfo=new_york), None], pa.timestamp("us", "America/New_York")
            ),
            "amount": ["1", "2"],
        }
    )

    converted = temporal_columns_as_text(batch)

    assert converted.data.to_pylist() == [
        {
            "day": "2024-03-01",
            "stamp": "2024-03-01 10:11:12.345",
            "nanos": "2024-03-01 10:11:12.123456",
            "zoned": "2024-03-02 01:00:00.25+00",
            "amount": "1",
        },
        {"day": None, "stamp": "2024-03-01 10:11:00", "nanos": "1970-01-01 00:00:00", "zoned": None, "amount": "2"},
    ]
    assert {name: hint["data_type"] for name, hint in converted.meta.hints["columns"].items()} == dict.fromkeys(
        ("day", "stamp", "nanos", "zoned"), "text"
    )


def test_a_row_rejected_as_future_becomes_valid_when_its_day_comes(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rejected as future_date by a build as of yesterday; today's refresh, with nothing new, counts it everywhere."""
    today = datetime.now(timezone.utc).date()  # the shop's day: var source_timezone is UTC
    landing = workspace.settings.customers_landing_dir
    landing.mkdir(parents=True)
    (landing / "customers_20250101.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    workspace.query(
        "create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar, "
        "transaction_date varchar); insert into transactions values "
        f"(1, 'C1', '10.00', '{today - timedelta(days=2)}'), (2, 'C1', '20.00', '{today}');",
        workspace.source_dbname,
    )
    # The shop's rows only; the build's --vars below also carry the domains (warehouse.dbt_runner.with_domain_vars).
    monkeypatch.setenv("WAREHOUSE_DOMAINS", "core")
    assert workspace.cli("ingest").returncode == 0

    def state() -> tuple[list, list, list, list]:
        return (
            workspace.query("select transaction_id from marts.fct_transactions order by 1"),
            workspace.query("select transaction_id, reject_reason from intermediate.int_transactions_rejected"),
            workspace.query("select total_spent::text from marts.dim_customers"),
            workspace.query(
                "select sum(row_count)::int from marts.rpt_data_quality_issues where issue_code = 'future_date'"
            ),
        )

    # Every build also runs the data tests: raw rows reconcile with fct + rejected + duplicates.
    build(workspace, "--vars", f"{{as_of_date: '{today - timedelta(days=1)}'}}")
    assert state() == ([(1,)], [(2, "future_date")], [("10.00",)], [(1,)])

    refreshed = workspace.cli("refresh")

    assert refreshed.returncode == 0, refreshed.stdout[-3000:] + refreshed.stderr[-3000:]
    assert "1 transaction(s) rejected as future_date may have reached their day: building" in refreshed.stderr
    assert state() == ([(1,), (2,)], [], [("30.00",)], [(0,)])
