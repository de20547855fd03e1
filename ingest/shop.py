"""Shop: the operational database's `transactions` table, declared; ingest/shop_transactions.py loads it.

The table has no update timestamp, so it is captured by fingerprints of `transaction_id` ranges (capture mode
`range`, ingest/range_capture.py), not by a cursor; `transaction_id` is not necessarily unique, so no primary key is
declared. The declaration is the one place that names the table and the columns the loader requires.
"""

from __future__ import annotations

from ingest.database_source import DatabaseSource, DatabaseTable

# The dlt section of the shop database's credentials: sources.transactions.credentials.
TRANSACTIONS_SECTION = "transactions"

SHOP = DatabaseSource(
    name="shop",
    credentials_section=TRANSACTIONS_SECTION,
    tables=(
        DatabaseTable(
            "transactions",
            primary_key=(),
            cursor_column="transaction_id",
            required_columns=("customer_id", "amount", "transaction_date"),
            capture="range",
        ),
    ),
)
