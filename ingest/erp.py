"""ERP ("totesys"): the company's operational database, its 11 tables captured with every change, into raw.erp_*.

A declaration on the generic database machinery (ingest/database_tables.py): each table is read incrementally by
`last_updated` (the source stamps it on every insert and update, to the millisecond) and every captured version is
appended to raw.erp_<table> with its load id, so history survives; dbt takes the latest version of each key.

The lag: each run reads again the rows stamped up to LAG_SECONDS below the highest `last_updated` loaded, so a row
committed after the load with an older stamp (Postgres stamps CURRENT_TIMESTAMP at the start of the writing
transaction; a writer's clock may be a little behind) is still captured. An hour covers any OLTP transaction and
clock skew with a wide margin, and costs little: only rows changed in that hour are read again, and the versions
already in raw are dropped before they land (docs/data_rules.md, "ERP"). Rows deleted in the source, rows changed
without a new `last_updated`, and commits later than the lag are not captured.
"""

from __future__ import annotations

from ingest.database_source import DatabaseSource, DatabaseTable

# The dlt section of the ERP's credentials: sources.erp.credentials.
ERP_SECTION = "erp"
LAG_SECONDS = 3600.0


def _table(name: str, *required: str) -> DatabaseTable:
    """A totesys table: key `<name>_id`, cursor `last_updated` (the source's conventions, reference part A.1)."""
    return DatabaseTable(name, (f"{name}_id",), "last_updated", ("created_at", *required))


ERP = DatabaseSource(
    name="erp",
    credentials_section=ERP_SECTION,
    raw_prefix="erp_",
    lag_seconds=LAG_SECONDS,
    tables=(
        _table("address", "address_line_1", "city", "postal_code", "country", "phone"),
        _table("counterparty", "counterparty_legal_name", "legal_address_id"),
        _table("currency", "currency_code"),
        _table("department", "department_name", "location"),
        _table("design", "design_name", "file_location", "file_name"),
        _table("staff", "first_name", "last_name", "department_id", "email_address"),
        _table("payment_type", "payment_type_name"),
        _table(
            "sales_order",
            "design_id",
            "staff_id",
            "counterparty_id",
            "units_sold",
            "unit_price",
            "currency_id",
            "agreed_delivery_date",
            "agreed_payment_date",
            "agreed_delivery_location_id",
        ),
        _table(
            "purchase_order",
            "staff_id",
            "counterparty_id",
            "item_code",
            "item_quantity",
            "item_unit_price",
            "currency_id",
            "agreed_delivery_date",
            "agreed_payment_date",
            "agreed_delivery_location_id",
        ),
        _table("transaction", "transaction_type", "sales_order_id", "purchase_order_id"),
        _table(
            "payment",
            "transaction_id",
            "counterparty_id",
            "payment_amount",
            "currency_id",
            "payment_type_id",
            "paid",
            "payment_date",
        ),
    ),
)
