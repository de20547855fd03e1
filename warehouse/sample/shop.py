"""The sample's operational shop database: table `public.transactions`, written with COPY."""

from __future__ import annotations

import io

import psycopg2
from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import make_dsn, parse_dsn

from warehouse.errors import WarehouseError

TABLE = "public.transactions"
CREATE_TABLE = f"""
create table {TABLE} (
    transaction_id bigint not null,
    customer_id varchar,
    amount varchar,
    transaction_date varchar
)
"""  # no primary key on purpose: the source has duplicate ids


def connect(dsn: str) -> PgConnection:
    """Connect to the shop database, or say which one could not be reached."""
    try:
        return psycopg2.connect(dsn, connect_timeout=10)
    except psycopg2.OperationalError as error:
        where = make_dsn(**{key: value for key, value in parse_dsn(dsn).items() if key != "password"})
        raise WarehouseError(
            f"cannot connect to the sample shop database ({where}): {str(error).strip()}",
            hint="start the database (`warehouse db up`) or check the source DSN.",
        ) from error


def current_max_id(conn: PgConnection) -> int | None:
    """The highest transaction_id in the table, 0 when empty, None when the table does not exist."""
    with conn.cursor() as cursor:
        cursor.execute("select to_regclass(%s)", (TABLE,))
        if cursor.fetchone()[0] is None:
            return None
        # TABLE is a constant
        cursor.execute(f"select coalesce(max(transaction_id), 0) from {TABLE}")  # nosec B608
        return int(cursor.fetchone()[0])


def recreate_table(conn: PgConnection) -> None:
    """Drop and create the empty table (day 1 starts over)."""
    with conn.cursor() as cursor:
        cursor.execute(f"drop table if exists {TABLE}")
        cursor.execute(CREATE_TABLE)


def create_index(conn: PgConnection) -> None:
    """The plain (non-unique) index on transaction_id the loader's cursor reads by."""
    with conn.cursor() as cursor:
        cursor.execute(f"create index if not exists transactions_transaction_id_idx on {TABLE} (transaction_id)")


def delete_after(conn: PgConnection, max_id: int) -> int:
    """Remove rows above `max_id` (left by an interrupted run of the same day); returns how many."""
    with conn.cursor() as cursor:
        # TABLE is a constant
        cursor.execute(f"delete from {TABLE} where transaction_id > %s", (max_id,))  # nosec B608
        return cursor.rowcount


def copy_rows(conn: PgConnection, text: str) -> None:
    """Append rows given as COPY text (tab-separated, \\N for null)."""
    with conn.cursor() as cursor:
        cursor.copy_expert(
            f"copy {TABLE} (transaction_id, customer_id, amount, transaction_date) from stdin",
            io.StringIO(text),
        )
