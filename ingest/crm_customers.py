"""CRM source: customer demographics exported as CSV files into the landing folder `customers/`, into raw.customers.

A declaration on the generic CSV machinery (ingest/csv_landing.py): each export whose content is new loads once,
whatever its name or modification time. Files have a header line naming at least the required columns (any order,
any case; extra columns land too). An export's own time (`_exported_at`) is the date in its name.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ingest.csv_source import CsvLayout, CsvSource

# An export's own time is the date in its name (customers_YYYYMMDD.csv, midnight UTC), else its modification time.
EXPORT_NAME = re.compile(r"customers_(\d{8})\.csv")


def export_time(name: str, modified_at: datetime) -> datetime:
    """The export's own time: the date in a name customers_YYYYMMDD.csv (00:00 UTC), else `modified_at`."""
    match = EXPORT_NAME.fullmatch(name)
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=timezone.utc)
        except ValueError:  # customers_20251341.csv: not a date
            pass
    return modified_at


CRM_CUSTOMERS = CsvSource(
    name="crm",
    table="customers",
    folder="customers",
    layouts=(CsvLayout("export"),),
    required_columns=("customer_id", "name", "age", "country", "is_active"),
    export_time=export_time,
)
