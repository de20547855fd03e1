"""The sample ERP ("totesys") database: its 11 tables as the real source declares them, and the writes into them.

The DDL follows the reference's pg_dump of the real source (docs/sample_data.md, "ERP (totesys)"): integer keys
from owned sequences (`serial`: `<table>_<table>_id_seq`), `created_at`/`last_updated` as timestamp(3), the dates
agreed with customers as text, two enum types, foreign keys ON UPDATE CASCADE ON DELETE RESTRICT (SET NULL for
the two on `transaction`), one transaction per order and one payment per transaction (unique indexes).
Rows arrive as COPY text (sent as UTF-8 bytes: a StringIO would hold four bytes a character); updates go through a
temporary table (COPY, then one UPDATE ... FROM).
"""

from __future__ import annotations

import io

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import make_dsn, parse_dsn

from warehouse.errors import WarehouseError

PAYMENT_TYPE_NAMES = ("SALES_RECEIPT", "SALES_REFUND", "PURCHASE_PAYMENT", "PURCHASE_REFUND")
TRANSACTION_TYPES = ("SALE", "PURCHASE")

_STAMPS = """
    created_at timestamp(3) without time zone not null default current_timestamp,
    last_updated timestamp(3) without time zone not null"""

# Table name -> its columns' DDL, in the source's column order (design and the order tables put created_at early).
TABLES: dict[str, str] = {
    "address": f"""
    address_id serial not null,
    address_line_1 text not null,
    address_line_2 text,
    district text,
    city text not null,
    postal_code text not null,
    country text not null,
    phone text not null,{_STAMPS}""",
    "counterparty": f"""
    counterparty_id serial not null,
    counterparty_legal_name text not null,
    legal_address_id integer not null,
    commercial_contact text,
    delivery_contact text,{_STAMPS}""",
    "currency": f"""
    currency_id serial not null,
    currency_code varchar(3) not null,{_STAMPS}""",
    "department": f"""
    department_id serial not null,
    department_name text not null,
    location text,
    manager text,{_STAMPS}""",
    "design": """
    design_id serial not null,
    created_at timestamp(3) without time zone not null default current_timestamp,
    design_name text not null,
    file_location text not null,
    file_name text not null,
    last_updated timestamp(3) without time zone not null""",
    "staff": f"""
    staff_id serial not null,
    first_name text not null,
    last_name text not null,
    department_id integer not null,
    email_address text not null,{_STAMPS}""",
    "payment_type": f"""
    payment_type_id serial not null,
    payment_type_name "PaymentTypeName" not null,{_STAMPS}""",
    "sales_order": """
    sales_order_id serial not null,
    created_at timestamp(3) without time zone not null default current_timestamp,
    last_updated timestamp(3) without time zone not null,
    design_id integer not null,
    staff_id integer not null,
    counterparty_id integer not null,
    units_sold integer not null,
    unit_price numeric(10, 2) not null,
    currency_id integer not null,
    agreed_delivery_date text not null,
    agreed_payment_date text not null,
    agreed_delivery_location_id integer not null""",
    "purchase_order": """
    purchase_order_id serial not null,
    created_at timestamp(3) without time zone not null default current_timestamp,
    last_updated timestamp(3) without time zone not null,
    staff_id integer not null,
    counterparty_id integer not null,
    item_code text not null,
    item_quantity integer not null,
    item_unit_price numeric(10, 2) not null,
    currency_id integer not null,
    agreed_delivery_date text not null,
    agreed_payment_date text not null,
    agreed_delivery_location_id integer not null""",
    "transaction": f"""
    transaction_id serial not null,
    transaction_type "TransactionType" not null,
    sales_order_id integer,
    purchase_order_id integer,{_STAMPS}""",
    "payment": """
    payment_id serial not null,
    created_at timestamp(3) without time zone not null default current_timestamp,
    last_updated timestamp(3) without time zone not null,
    transaction_id integer not null,
    counterparty_id integer not null,
    payment_amount numeric(10, 2) not null,
    currency_id integer not null,
    payment_type_id integer not null,
    paid boolean not null,
    payment_date text not null,
    company_ac_number integer not null,
    counterparty_ac_number integer not null""",
}

# (table, column, referenced table, on delete); the referenced column is <referenced table>_id.
FOREIGN_KEYS = (
    ("counterparty", "legal_address_id", "address", "restrict"),
    ("staff", "department_id", "department", "restrict"),
    ("sales_order", "design_id", "design", "restrict"),
    ("sales_order", "staff_id", "staff", "restrict"),
    ("sales_order", "counterparty_id", "counterparty", "restrict"),
    ("sales_order", "currency_id", "currency", "restrict"),
    ("sales_order", "agreed_delivery_location_id", "address", "restrict"),
    ("purchase_order", "staff_id", "staff", "restrict"),
    ("purchase_order", "counterparty_id", "counterparty", "restrict"),
    ("purchase_order", "currency_id", "currency", "restrict"),
    ("purchase_order", "agreed_delivery_location_id", "address", "restrict"),
    ("transaction", "sales_order_id", "sales_order", "set null"),
    ("transaction", "purchase_order_id", "purchase_order", "set null"),
    ("payment", "transaction_id", "transaction", "restrict"),
    ("payment", "counterparty_id", "counterparty", "restrict"),
    ("payment", "currency_id", "currency", "restrict"),
    ("payment", "payment_type_id", "payment_type", "restrict"),
)
UNIQUE = (("transaction", "sales_order_id"), ("transaction", "purchase_order_id"), ("payment", "transaction_id"))
# The tables in an order that inserts referenced rows first.
LOAD_ORDER = tuple(TABLES)


def columns(table: str) -> list[str]:
    """The table's column names in order."""
    return [line.strip().split()[0] for line in TABLES[table].strip().splitlines()]


def ddl() -> list[sql.Composed]:
    """The statements that create the types and the tables with their primary keys (constraints() adds the rest)."""
    statements = [
        sql.SQL("create type {} as enum ({})").format(
            sql.Identifier(name), sql.SQL(", ").join(map(sql.Literal, values))
        )
        for name, values in (("PaymentTypeName", PAYMENT_TYPE_NAMES), ("TransactionType", TRANSACTION_TYPES))
    ]
    for table, body in TABLES.items():
        # The body is this module's own DDL text (columns and types), never data or configuration.
        statements.append(
            sql.SQL("create table {} ({},\n    constraint {} primary key ({})\n)").format(
                sql.Identifier(table),
                sql.SQL(body),
                sql.Identifier(f"{table}_pkey"),
                sql.Identifier(f"{table}_id"),
            )
        )
    return statements


def constraints() -> list[sql.Composed]:
    """The unique indexes and foreign keys: added after day 1's COPY, as pg_dump does (checking them row by row
    while copying makes day 1 several times slower)."""
    statements = []
    for table, column in UNIQUE:
        statements.append(
            sql.SQL("create unique index {} on {} ({})").format(
                sql.Identifier(f"{table}_{column}_key"), sql.Identifier(table), sql.Identifier(column)
            )
        )
    for table, column, target, on_delete in FOREIGN_KEYS:
        statements.append(
            sql.SQL(
                "alter table {} add constraint {} foreign key ({}) references {} ({}) on update cascade on delete {}"
            ).format(
                sql.Identifier(table),
                sql.Identifier(f"{table}_{column}_fkey"),
                sql.Identifier(column),
                sql.Identifier(target),
                sql.Identifier(f"{target}_id"),
                sql.SQL(on_delete),  # a referential action of FOREIGN_KEYS, this module's constant
            )
        )
    return statements


def connect(dsn: str) -> PgConnection:
    """Connect to the ERP database, or say which one could not be reached."""
    try:
        return psycopg2.connect(dsn, connect_timeout=10)
    except psycopg2.OperationalError as error:
        where = make_dsn(**{key: value for key, value in parse_dsn(dsn).items() if key != "password"})
        raise WarehouseError(
            f"cannot connect to the sample ERP database ({where}): {str(error).strip()}",
            hint="start the database (`warehouse db up`) or check SOURCES__ERP__CREDENTIALS.",
        ) from error


def drop_tables(conn: PgConnection) -> None:
    """Drop the ERP tables and types of an earlier sample, if any."""
    with conn.cursor() as cursor:
        for table in reversed(LOAD_ORDER):
            cursor.execute(sql.SQL("drop table if exists {} cascade").format(sql.Identifier(table)))
        cursor.execute(
            sql.SQL("drop type if exists {}, {}").format(
                sql.Identifier("PaymentTypeName"), sql.Identifier("TransactionType")
            )
        )


def recreate(conn: PgConnection) -> None:
    """Drop the ERP tables and types (of an earlier sample) and create them empty, without the constraints that
    `add_constraints` adds once they are filled (day 1 starts over)."""
    drop_tables(conn)
    with conn.cursor() as cursor:
        for statement in ddl():
            cursor.execute(statement)


def add_constraints(conn: PgConnection) -> None:
    """The unique indexes and foreign keys (after day 1's rows are in)."""
    with conn.cursor() as cursor:
        for statement in constraints():
            cursor.execute(statement)


def qualified_name(conn: PgConnection, table: str) -> str:
    """`public.<table>` quoted by the driver, as text for to_regclass and pg_get_serial_sequence."""
    return sql.Identifier("public", table).as_string(conn)


def max_ids(conn: PgConnection) -> dict[str, int] | None:
    """The highest id of every table (0 when empty), None when a table is missing."""
    found: dict[str, int] = {}
    with conn.cursor() as cursor:
        for table in LOAD_ORDER:
            cursor.execute("select to_regclass(%s)", (qualified_name(conn, table),))
            if cursor.fetchone()[0] is None:
                return None
            query = sql.SQL("select coalesce(max({}), 0) from {}").format(
                sql.Identifier(f"{table}_id"), sql.Identifier(table)
            )
            cursor.execute(query)
            found[table] = int(cursor.fetchone()[0])
    return found


def delete_after(conn: PgConnection, max_id: dict[str, int]) -> None:
    """Remove rows above `max_id[table]` (left by a run of the same day whose manifest was not written)."""
    with conn.cursor() as cursor:
        for table in reversed(LOAD_ORDER):
            if table in max_id:
                query = sql.SQL("delete from {} where {} > %s").format(
                    sql.Identifier(table), sql.Identifier(f"{table}_id")
                )
                cursor.execute(query, (max_id[table],))


def copy_rows(conn: PgConnection, table: str, text: str) -> None:
    """Append rows given as COPY text (tab-separated, \\N for null) in the table's column order."""
    if not text:
        return
    with conn.cursor() as cursor:
        cursor.copy_expert(
            sql.SQL("copy {} ({}) from stdin").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns(table)))
            ),
            io.BytesIO(text.encode()),
        )


def update_rows(conn: PgConnection, table: str, changed: list[str], text: str) -> int:
    """Set the `changed` columns of the rows given as COPY text (the id, then `changed`); returns rows updated."""
    if not text:
        return 0
    key = f"{table}_id"
    staging = sql.Identifier(f"changed_{table}")
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("create temporary table {} on commit drop as select {} from {} limit 0").format(
                staging, sql.SQL(", ").join(map(sql.Identifier, [key, *changed])), sql.Identifier(table)
            )
        )
        cursor.copy_expert(sql.SQL("copy {} from stdin").format(staging), io.BytesIO(text.encode()))
        cursor.execute(
            sql.SQL("update {table} as t set {sets} from {staging} as c where t.{key} = c.{key}").format(
                table=sql.Identifier(table),
                sets=sql.SQL(", ").join(
                    sql.SQL("{} = c.{}").format(sql.Identifier(name), sql.Identifier(name)) for name in changed
                ),
                staging=staging,
                key=sql.Identifier(key),
            )
        )
        updated = cursor.rowcount
        cursor.execute(sql.SQL("drop table {}").format(staging))
        return updated


def reset_sequences(conn: PgConnection) -> None:
    """Point each table's id sequence at its highest id, so the next insert without an id continues after it."""
    with conn.cursor() as cursor:
        for table in LOAD_ORDER:
            cursor.execute(
                sql.SQL(
                    "select setval(pg_get_serial_sequence(%s, %s), coalesce(max({}), 0) + 1, false) from {}"
                ).format(sql.Identifier(f"{table}_id"), sql.Identifier(table)),
                (qualified_name(conn, table), f"{table}_id"),
            )
