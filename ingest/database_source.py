"""What a database source is: a declaration of its tables, each with its key and cursor; database_tables loads it.

A source system that is a database (Postgres or any SQLAlchemy URL) is one `DatabaseSource` in a small module of
its own (e.g. ingest/erp.py) plus one entry in the list in ingest/sources.py. Each declared table is read
incrementally by its cursor column and every captured version of a row is appended to raw.<prefix><table>, with
its load id; the reading, the checks and the errors are the same for every such source. This module imports
nothing heavy: the list of sources reads the declarations without loading dlt, SQLAlchemy or Arrow.

Two capture modes:
- `cursor` (ingest/database_tables.py): rows whose cursor (a `last_updated` the source maintains on every insert
  and update) is at or above the highest cursor loaded minus the source's `lag_seconds` are read; the versions
  already in raw are dropped, so the overlap that catches late commits lands nothing twice;
- `range`: the table has no update timestamp, so its changes are found by fingerprints of key ranges of the
  cursor column (ingest/range_capture.py; the shop's `transactions`, loaded by ingest/shop_transactions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CaptureMode = Literal["cursor", "range"]


@dataclass(frozen=True)
class DatabaseTable:
    """One table of a source database: its primary key, its cursor column and the columns it must have.

    `required_columns` (the key and the cursor are always required) are checked before anything is read: a table
    without one of them stops the source with an error naming the table. Other columns land as they come; a new
    column in the source becomes a new raw column.
    """

    name: str
    primary_key: tuple[str, ...]
    cursor_column: str
    required_columns: tuple[str, ...] = ()
    capture: CaptureMode = "cursor"

    @property
    def contract_columns(self) -> tuple[str, ...]:
        """The columns the table must have, key and cursor first, each once."""
        return tuple(dict.fromkeys((*self.primary_key, self.cursor_column, *self.required_columns)))


@dataclass(frozen=True)
class DatabaseSource:
    """A database source: `tables` of the database behind the credentials of dlt section `credentials_section`.

    `name` is the source's name (`warehouse ingest --source <name>`, the dlt pipeline `<name>_to_raw`). Each table
    lands in raw.<raw_prefix><table name>, so the tables of two sources never clash. `schema` is the source
    database's schema (None: its default, `public` on Postgres). `lag_seconds` is how far below the highest cursor
    loaded each run reads again, for rows committed late with an older cursor (cursor capture only).
    """

    name: str
    credentials_section: str
    tables: tuple[DatabaseTable, ...]
    raw_prefix: str = ""
    schema: str | None = None
    lag_seconds: float = 0.0

    def __post_init__(self) -> None:
        if not self.tables:
            raise ValueError(f"database source {self.name} declares no table")
        names = [table.name for table in self.tables]
        if len(set(names)) != len(names):
            raise ValueError(f"database source {self.name} declares a table twice")
        if any(table.capture == "cursor" and not table.primary_key for table in self.tables):
            raise ValueError(f"database source {self.name}: a table captured by cursor needs its primary key")
        if self.lag_seconds < 0:
            raise ValueError(f"database source {self.name}: the lag cannot be negative")

    def raw_table(self, table: DatabaseTable) -> str:
        """The raw table `table` lands in."""
        return f"{self.raw_prefix}{table.name}"

    @property
    def raw_tables(self) -> tuple[str, ...]:
        """Every raw table of this source, in the declared order."""
        return tuple(self.raw_table(table) for table in self.tables)
