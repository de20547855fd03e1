"""No overlapping runs: a Postgres advisory lock held for the whole run, on the warehouse database itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

from warehouse.database import Connection
from warehouse.errors import WarehouseError

# One key for every command that writes (ingest, build, run, refresh); the value only has to be ours.
LOCK_KEY = 0x77617265  # "ware"


def _holder(cursor) -> str:
    cursor.execute(
        """
        select activity.application_name, activity.pid, activity.backend_start
        from pg_locks as locks
        inner join pg_stat_activity as activity on locks.pid = activity.pid
        where locks.locktype = 'advisory' and locks.objid = %s and locks.granted
        """,
        (LOCK_KEY,),
    )
    row = cursor.fetchone()
    if row is None:
        return "another run"
    name, pid, since = row
    return f"{name or 'another run'} (server pid {pid}, since {since:%Y-%m-%d %H:%M:%S %Z})"


@contextmanager
def exclusive_run(connection: Connection, label: str, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the warehouse's run lock; refuse at once (default) or wait up to `wait_seconds` for it."""
    conn = psycopg2.connect(connection.libpq_dsn(), application_name=label[:63])
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            if wait_seconds > 0:
                cursor.execute(f"set lock_timeout = '{int(wait_seconds * 1000)}ms'")
                try:
                    cursor.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
                except psycopg2.errors.LockNotAvailable as error:
                    raise WarehouseError(
                        f"waited {wait_seconds:.0f} s, but {_holder(cursor)} still holds the warehouse run lock",
                        hint="wait for that run to finish, or raise --wait.",
                    ) from error
            else:
                cursor.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,))
                if not cursor.fetchone()[0]:
                    raise WarehouseError(
                        f"another run is in progress: {_holder(cursor)}",
                        hint="wait for it to finish, or pass --wait SECONDS to queue behind it.",
                    )
        yield
    finally:
        conn.close()  # closing the session releases the advisory lock
