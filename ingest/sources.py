"""The source systems the warehouse loads: a new source is a new module plus one entry here."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import dlt

from ingest.pipeline import SourceResult, run_source
from warehouse.database import Connection
from warehouse.errors import WarehouseError
from warehouse.settings import SOURCE_DBNAME, Settings

TRANSACTIONS_CREDENTIALS_KEY = "sources.transactions.credentials"


@dataclass(frozen=True)
class Source:
    """A source system: its name (also the dlt pipeline's) and how to build its dlt resource."""

    name: str
    raw_tables: tuple[str, ...]
    make_resource: Callable[[Connection, Settings], object]


def transactions_credentials(connection: Connection) -> str:
    """SOURCES__TRANSACTIONS__CREDENTIALS (env or .dlt/secrets.toml); the embedded `shop` database otherwise."""
    configured = os.environ.get("SOURCES__TRANSACTIONS__CREDENTIALS") or dlt.secrets.get(TRANSACTIONS_CREDENTIALS_KEY)
    if configured:
        return str(configured)
    if not connection.embedded:
        raise WarehouseError(
            "no transactions source configured for an external warehouse",
            hint="set SOURCES__TRANSACTIONS__CREDENTIALS to a SQLAlchemy URL of the shop database.",
        )
    return connection.sqlalchemy_url(SOURCE_DBNAME)


# Each source module is imported only when that source runs (their libraries are slow to import).


def crm_resource(connection: Connection, settings: Settings) -> object:
    from ingest.crm_customers import customers_resource

    return customers_resource(settings.customers_landing_dir)


def shop_resource(connection: Connection, settings: Settings) -> object:
    from ingest.shop_transactions import transactions_resource

    return transactions_resource(transactions_credentials(connection), settings.dlt_dir / "spool")


SOURCES = (
    Source("crm", ("customers",), crm_resource),
    Source("shop", ("transactions",), shop_resource),
)


def run_ingest(connection: Connection, settings: Settings, only: list[str] | None = None) -> list[SourceResult]:
    """Load every source (or those named in `only`); each source's failure is reported in its result."""
    unknown = set(only or []) - {source.name for source in SOURCES}
    if unknown:
        raise WarehouseError(
            f"unknown source(s) {', '.join(sorted(unknown))}",
            hint=f"choose from {', '.join(source.name for source in SOURCES)}.",
        )
    chosen = [source for source in SOURCES if not only or source.name in only]
    return [
        run_source(source.name, lambda s=source: s.make_resource(connection, settings), connection, settings)
        for source in chosen
    ]
