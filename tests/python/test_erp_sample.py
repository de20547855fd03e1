"""The ERP ("totesys") sample on the real embedded server: the schema of the reference's part A, determinism,
later days that insert and update like the source does, a truth that is the database's state, and the order of
days. The expected schema is written out here from the reference, not read from the generator."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
from conftest import Workspace, admin_statement, drop_database
from psycopg2 import sql

from ingest.sources import erp_credentials
from warehouse.database import Connection
from warehouse.errors import WarehouseError
from warehouse.sample.erp_generator import generate_erp
from warehouse.settings import Settings

TS, INT, TEXT = "timestamp(3)", "integer", "text"
STAMPS = [("created_at", TS, "NO"), ("last_updated", TS, "NO")]
# Part A.1 of the reference: table -> (column, type, nullable) in the source's column order.
EXPECTED_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "address": [
        ("address_id", INT, "NO"),
        ("address_line_1", TEXT, "NO"),
        ("address_line_2", TEXT, "YES"),
        ("district", TEXT, "YES"),
        ("city", TEXT, "NO"),
        ("postal_code", TEXT, "NO"),
        ("country", TEXT, "NO"),
        ("phone", TEXT, "NO"),
        *STAMPS,
    ],
    "counterparty": [
        ("counterparty_id", INT, "NO"),
        ("counterparty_legal_name", TEXT, "NO"),
        ("legal_address_id", INT, "NO"),
        ("commercial_contact", TEXT, "YES"),
        ("delivery_contact", TEXT, "YES"),
        *STAMPS,
    ],
    "currency": [("currency_id", INT, "NO"), ("currency_code", "varchar(3)", "NO"), *STAMPS],
    "department": [
        ("department_id", INT, "NO"),
        ("department_name", TEXT, "NO"),
        ("location", TEXT, "YES"),
        ("manager", TEXT, "YES"),
        *STAMPS,
    ],
    "design": [
        ("design_id", INT, "NO"),
        ("created_at", TS, "NO"),
        ("design_name", TEXT, "NO"),
        ("file_location", TEXT, "NO"),
        ("file_name", TEXT, "NO"),
        ("last_updated", TS, "NO"),
    ],
    "staff": [
        ("staff_id", INT, "NO"),
        ("first_name", TEXT, "NO"),
        ("last_name", TEXT, "NO"),
        ("department_id", INT, "NO"),
        ("email_address", TEXT, "NO"),
        *STAMPS,
    ],
    "sales_order": [
        ("sales_order_id", INT, "NO"),
        *STAMPS,
        ("design_id", INT, "NO"),
        ("staff_id", INT, "NO"),
        ("counterparty_id", INT, "NO"),
        ("units_sold", INT, "NO"),
        ("unit_price", "numeric(10,2)", "NO"),
        ("currency_id", INT, "NO"),
        ("agreed_delivery_date", TEXT, "NO"),
        ("agreed_payment_date", TEXT, "NO"),
        ("agreed_delivery_location_id", INT, "NO"),
    ],
    "purchase_order": [
        ("purchase_order_id", INT, "NO"),
        *STAMPS,
        ("staff_id", INT, "NO"),
        ("counterparty_id", INT, "NO"),
        ("item_code", TEXT, "NO"),
        ("item_quantity", INT, "NO"),
        ("item_unit_price", "numeric(10,2)", "NO"),
        ("currency_id", INT, "NO"),
        ("agreed_delivery_date", TEXT, "NO"),
        ("agreed_payment_date", TEXT, "NO"),
        ("agreed_delivery_location_id", INT, "NO"),
    ],
    "payment_type": [("payment_type_id", INT, "NO"), ("payment_type_name", "PaymentTypeName", "NO"), *STAMPS],
    "transaction": [
        ("transaction_id", INT, "NO"),
        ("transaction_type", "TransactionType", "NO"),
        ("sales_order_id", INT, "YES"),
        ("purchase_order_id", INT, "YES"),
        *STAMPS,
    ],
    "payment": [
        ("payment_id", INT, "NO"),
        *STAMPS,
        ("transaction_id", INT, "NO"),
        ("counterparty_id", INT, "NO"),
        ("payment_amount", "numeric(10,2)", "NO"),
        ("currency_id", INT, "NO"),
        ("payment_type_id", INT, "NO"),
        ("paid", "boolean", "NO"),
        ("payment_date", TEXT, "NO"),
        ("company_ac_number", INT, "NO"),
        ("counterparty_ac_number", INT, "NO"),
    ],
}
# (table, column) -> (referenced table, on delete): every FK is ON UPDATE CASCADE.
EXPECTED_FOREIGN_KEYS = {
    ("counterparty", "legal_address_id"): ("address", "restrict"),
    ("staff", "department_id"): ("department", "restrict"),
    ("sales_order", "design_id"): ("design", "restrict"),
    ("sales_order", "staff_id"): ("staff", "restrict"),
    ("sales_order", "counterparty_id"): ("counterparty", "restrict"),
    ("sales_order", "currency_id"): ("currency", "restrict"),
    ("sales_order", "agreed_delivery_location_id"): ("address", "restrict"),
    ("purchase_order", "staff_id"): ("staff", "restrict"),
    ("purchase_order", "counterparty_id"): ("counterparty", "restrict"),
    ("purchase_order", "currency_id"): ("currency", "restrict"),
    ("purchase_order", "agreed_delivery_location_id"): ("address", "restrict"),
    ("transaction", "sales_order_id"): ("sales_order", "set null"),
    ("transaction", "purchase_order_id"): ("purchase_order", "set null"),
    ("payment", "transaction_id"): ("transaction", "restrict"),
    ("payment", "counterparty_id"): ("counterparty", "restrict"),
    ("payment", "currency_id"): ("currency", "restrict"),
    ("payment", "payment_type_id"): ("payment_type", "restrict"),
}
EXPECTED_UNIQUE = {
    ("transaction", "sales_order_id"),
    ("transaction", "purchase_order_id"),
    ("payment", "transaction_id"),
}
EXPECTED_ENUMS = {
    "PaymentTypeName": ["SALES_RECEIPT", "SALES_REFUND", "PURCHASE_PAYMENT", "PURCHASE_REFUND"],
    "TransactionType": ["SALE", "PURCHASE"],
}


def rows(dsn: str, statement: str | sql.Composable, args: tuple = ()) -> list[tuple]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(statement, args)
        result = cursor.fetchall() if cursor.description else []
    conn.close()
    return result


@pytest.fixture(scope="module")
def erp_dsn(warehouse: Connection) -> str:
    """One database for this module's tests: each starts with day 1, which re-creates the tables."""
    drop_database(warehouse, "erp_sample")
    admin_statement(warehouse, sql.SQL("create database erp_sample"))
    return warehouse.libpq_dsn("erp_sample")


def generate(dsn: str, truth_dir: Path, day: int = 1, seed: int = 42, scale: int = 1):
    return generate_erp(dsn=dsn, truth_dir=truth_dir, scale=scale, day=day, seed=seed)


def as_text(dsn: str, table: str) -> list[list[str]]:
    """Every row of `table` in id order, each value as the truth's CSV spells it ('' for null)."""
    described = rows(
        dsn,
        "select column_name, data_type from information_schema.columns where table_name = %s order by ordinal_position",
        (table,),
    )
    spelled = []
    for name, kind in described:
        column = sql.Identifier(name)
        if kind.startswith("timestamp"):
            spelled.append(sql.SQL("to_char({}, 'YYYY-MM-DD HH24:MI:SS.MS')").format(column))
        elif kind == "boolean":
            spelled.append(sql.SQL("case when {} then 'true' else 'false' end").format(column))
        else:
            spelled.append(sql.SQL("coalesce({}::text, '')").format(column))
    query = sql.SQL("select {} from {} order by {}").format(
        sql.SQL(", ").join(spelled), sql.Identifier(table), sql.Identifier(described[0][0])
    )
    return [list(row) for row in rows(dsn, query)]


def read_truth(truth_dir: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with (truth_dir / "erp" / f"{table}.csv").open(encoding="utf-8", newline="") as file:
        header, *body = list(csv.reader(file))
    return header, body


def test_the_tables_are_the_sources_schema(erp_dsn: str, tmp_path: Path) -> None:
    dsn = erp_dsn
    generate(dsn, tmp_path)

    described = rows(
        dsn,
        """
        select table_name, column_name,
            case
                when data_type = 'character varying' then 'varchar(' || character_maximum_length || ')'
                when data_type = 'numeric' then 'numeric(' || numeric_precision || ',' || numeric_scale || ')'
                when data_type like 'timestamp%%' then 'timestamp(' || datetime_precision || ')'
                when data_type = 'USER-DEFINED' then udt_name
                else data_type
            end,
            is_nullable
        from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position
        """,
    )
    found: dict[str, list[tuple[str, str, str]]] = {}
    for table, *column in described:
        found.setdefault(table, []).append(tuple(column))
    assert found == EXPECTED_COLUMNS

    primary = rows(
        dsn,
        """select c.conrelid::regclass::text, a.attname from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
        where c.contype = 'p' and c.connamespace = 'public'::regnamespace""",
    )
    assert {(table.strip('"'), column) for table, column in primary} == {(t, f"{t}_id") for t in EXPECTED_COLUMNS}
    sequences = rows(
        dsn,
        "select t, pg_get_serial_sequence(quote_ident(t), t || '_id') from unnest(%s::text[]) as t",
        (list(EXPECTED_COLUMNS),),
    )
    assert all(sequence == f"public.{table}_{table}_id_seq" for table, sequence in sequences)
    defaults = rows(
        dsn,
        "select distinct column_default from information_schema.columns where column_name = 'created_at'",
    )
    assert defaults == [("CURRENT_TIMESTAMP",)]

    foreign = rows(
        dsn,
        """select c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, c.confdeltype, c.confupdtype
        from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.contype = 'f' and c.connamespace = 'public'::regnamespace""",
    )
    delete_rule = {"r": "restrict", "n": "set null"}
    assert {(t.strip('"'), col): (ref.strip('"'), delete_rule[d]) for t, col, ref, d, _ in foreign} == (
        EXPECTED_FOREIGN_KEYS
    )
    assert {update for *_, update in foreign} == {"c"}  # on update cascade
    unique = rows(
        dsn,
        """select i.indrelid::regclass::text, a.attname from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
        join pg_class r on r.oid = i.indrelid
        where i.indisunique and not i.indisprimary and r.relnamespace = 'public'::regnamespace""",
    )
    assert {(table.strip('"'), column) for table, column in unique} == EXPECTED_UNIQUE

    enums = rows(
        dsn,
        "select t.typname, array_agg(e.enumlabel order by e.enumsortorder) from pg_enum e "
        "join pg_type t on t.oid = e.enumtypid group by 1",
    )
    assert dict(enums) == EXPECTED_ENUMS


def test_the_values_follow_the_sources_rules(erp_dsn: str, tmp_path: Path) -> None:
    """One transaction and one payment per order at the same instant, amounts and dates agreeing, working hours."""
    dsn = erp_dsn
    generate(dsn, tmp_path)

    counts = dict(
        rows(
            dsn, "select 'sales', count(*) from sales_order union all select 'purchases', count(*) from purchase_order"
        )
    )
    assert counts == {"sales": 125 * 20, "purchases": 125 * 8}  # scale 1: 125 working days of 20 + 8 orders
    mismatches = rows(
        dsn,
        """
        select count(*) from payment p join "transaction" t using (transaction_id)
        left join sales_order s using (sales_order_id) left join purchase_order o using (purchase_order_id)
        where p.created_at <> t.created_at or t.created_at <> coalesce(s.created_at, o.created_at)
            or p.payment_amount <> coalesce(s.units_sold * s.unit_price, o.item_quantity * o.item_unit_price)
            or p.payment_date <> coalesce(s.agreed_payment_date, o.agreed_payment_date)
            or p.counterparty_id <> coalesce(s.counterparty_id, o.counterparty_id)
            or p.payment_type_id <> case t.transaction_type when 'SALE' then 1 else 3 end
            or (t.transaction_type = 'SALE') <> (t.sales_order_id is not null and t.purchase_order_id is null)
        """,
    )
    assert mismatches == [(0,)]
    assert rows(dsn, 'select count(*) = (select count(*) from payment) from "transaction"') == [(True,)]
    hours = rows(
        dsn,
        "select min(extract(hour from created_at)), max(extract(hour from created_at)), "
        "max(extract(isodow from created_at)) from sales_order",
    )
    assert [tuple(map(int, row)) for row in hours] == [(8, 18, 5)]
    assert rows(dsn, "select count(*) from purchase_order where item_code !~ '^[A-Z0-9]{7}$'") == [(0,)]
    assert rows(dsn, "select count(distinct item_code) = count(*) from purchase_order") == [(True,)]
    assert rows(dsn, "select location from department where department_id = 4") == [("Leds",)]
    # The sequences continue after the ids written: an insert without an id gets the next one.
    assert rows(dsn, "select nextval('sales_order_sales_order_id_seq')") == [(2501,)]


def test_the_same_seed_writes_the_same_rows(erp_dsn: str, tmp_path: Path) -> None:
    def snapshot(seed: int) -> dict[str, tuple]:
        generate(erp_dsn, tmp_path / str(seed), seed=seed)
        return {table: (as_text(erp_dsn, table), read_truth(tmp_path / str(seed), table)) for table in EXPECTED_COLUMNS}

    first = snapshot(42)
    other = snapshot(7)  # day 1 starts over, whatever the seed before
    again = snapshot(42)

    assert again == first
    assert other["sales_order"] != first["sales_order"] and other["payment"] != first["payment"]
    assert other["staff"] == first["staff"]  # reference rows do not depend on the seed


def state(dsn: str, table: str) -> dict[int, tuple]:
    """id -> (created_at, last_updated, every other value) of each row."""
    return {int(row[0]): tuple(row[1:]) for row in as_text(dsn, table)}


def test_later_days_insert_one_working_day_and_update_older_rows(erp_dsn: str, tmp_path: Path) -> None:
    dsn = erp_dsn
    generate(dsn, tmp_path)
    before = {table: state(dsn, table) for table in ("sales_order", "purchase_order", "payment")}
    changed_orders, flipped = 0, 0

    for day, date in ((2, "2025-07-01"), (3, "2025-07-02"), (4, "2025-07-03"), (5, "2025-07-04"), (6, "2025-07-07")):
        summary = generate(dsn, tmp_path, day=day)
        assert summary.working_date.isoformat() == date  # the next working day: a Friday is followed by a Monday
        assert {k: v for k, v in summary.inserted.items() if k != "design"} == {
            "sales_order": 20,
            "purchase_order": 8,
            "transaction": 28,
            "payment": 28,
        }
        after = {table: state(dsn, table) for table in before}
        for table, old in before.items():
            new = after[table]
            added = sorted(set(new) - set(old))
            assert set(old) <= set(new)  # no row disappears, every id is kept
            assert added == list(range(max(old) + 1, max(old) + 1 + len(added)))
            assert all(new[i][0].startswith(date) for i in added)  # created on the day
            updated = [i for i in old if new[i] != old[i]]
            assert len(updated) == summary.updated[table]
            for i in updated:
                assert new[i][0] == old[i][0]  # created_at kept
                assert old[i][1] < new[i][1] <= f"{date} 23:59:59.999"  # last_updated newer, within the day
            if table == "payment":
                flipped += sum(old[i][7] == "false" and new[i][7] == "true" for i in updated)
            else:
                changed_orders += len(updated)
        before = after

    assert flipped > 30 and changed_orders > 0  # payments get paid, orders get corrected
    # A day whose rows were committed but whose manifest was never written is simply written again, the same.
    manifest = tmp_path / "erp" / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"days_generated": 6', '"days_generated": 5'))
    assert generate(dsn, tmp_path, day=6).inserted["sales_order"] == 20
    assert {table: state(dsn, table) for table in before} == before
    assert generate(dsn, tmp_path, day=6).inserted == {}  # a day already generated is left as it is
    assert {table: state(dsn, table) for table in before} == before


def test_the_truth_is_the_databases_state(erp_dsn: str, tmp_path: Path) -> None:
    dsn = erp_dsn
    for day in (1, 2, 3):
        generate(dsn, tmp_path, day=day)

    manifest = json.loads((tmp_path / "erp" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 42 and manifest["scale"] == 1 and manifest["days_generated"] == 3
    assert manifest["max_ids"]["sales_order"] == 127 * 20
    for table in EXPECTED_COLUMNS:
        header, body = read_truth(tmp_path, table)
        assert header == [column for column, *_ in EXPECTED_COLUMNS[table]], table
        assert body == as_text(dsn, table), table
    assert manifest["tables"] == sorted(f"{table}.csv" for table in EXPECTED_COLUMNS)


def test_a_day_needs_the_days_before_it(erp_dsn: str, tmp_path: Path) -> None:
    dsn = erp_dsn
    with pytest.raises(WarehouseError, match="day 1 of the ERP sample was never generated") as raised:
        generate(dsn, tmp_path, day=2)
    assert "generate day 1 first" in raised.value.hint
    generate(dsn, tmp_path)
    with pytest.raises(WarehouseError, match=r"only days 1\.\.1 exist"):
        generate(dsn, tmp_path, day=3)
    with pytest.raises(WarehouseError, match="were generated with seed 42, scale 1"):
        generate(dsn, tmp_path, day=2, seed=7)
    rows(dsn, "drop schema public cascade; create schema public")  # emptied; the truth folder still says day 1
    with pytest.raises(WarehouseError, match="no ERP tables") as raised:
        generate(dsn, tmp_path, day=2)
    assert "start over with day 1" in raised.value.hint


def test_warehouse_sample_writes_the_erp_at_its_own_scale(workspace: Workspace) -> None:
    """`warehouse sample --erp-scale 2` writes the ERP (twice the orders) into SOURCES__ERP__CREDENTIALS'
    database, whatever the customers' --scale."""
    result = workspace.cli("sample", "--scale", "1", "--tills-scale", "1", "--erp-scale", "2")

    assert result.returncode == 0, result.stderr[-3000:]
    dsn = workspace.server.libpq_dsn(workspace.erp_dbname)
    assert rows(dsn, "select count(*) from sales_order") == [(125 * 20 * 2,)]
    manifest = json.loads((workspace.settings.truth_dir / "erp" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scale"] == 2
    assert "ERP at scale 2" in result.stderr


def test_the_erp_database_is_configured_or_the_embedded_one(
    warehouse: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCES__ERP__CREDENTIALS", raising=False)
    assert sa.engine.make_url(erp_credentials(warehouse, settings)).database == "erp"
    assert "erp" in [row[0] for row in rows(warehouse.libpq_dsn(), "select datname from pg_database")]

    monkeypatch.setenv("SOURCES__ERP__CREDENTIALS", "postgresql://reader@erp-db.example.com/totesys")
    assert erp_credentials(warehouse, settings) == "postgresql://reader@erp-db.example.com/totesys"

    monkeypatch.delenv("SOURCES__ERP__CREDENTIALS")
    external = Connection(**{**warehouse.__dict__, "embedded": False})
    with pytest.raises(WarehouseError, match="no ERP source configured") as raised:
        erp_credentials(external, settings)
    assert "SOURCES__ERP__CREDENTIALS" in raised.value.hint
