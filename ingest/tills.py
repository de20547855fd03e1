"""Branch tills: each café branch's daily till export (CSV, no header) in the landing folder `tills/`, into raw.tills.

A declaration on the generic CSV machinery (ingest/csv_landing.py): each file whose content is new loads once,
whatever its name; an empty file is a closed day. Three layouts, told apart by line 1 (docs/sample_data.md,
"Branch tills"; README, "Input contract"):
- current: `DD/MM/YYYY HH:MM`, branch, customer, basket, total, `CARD|CASH`, card number;
- excel: a current file saved by Excel, with a header line (the names below) and Excel's number and date forms;
- pilot: `YYYY-MM-DD HH:MM:SS`, branch, customer, basket, payment method, total, `<card type>,<number>` or `None`.
The raw columns take the names of the header Excel-touched files carry. The customer's name and the card number
(with the pilot's card type) are dropped in memory, so they reach no load file, state or table; what stays of them
is two keyed hashes (ingest/pseudonyms.py) computed before the drop:
- `order_id`: of the line's seven fields and its line number, so it is the same on every load of the same file,
  on any machine (Python's `hash()` is salted per process), and two equal lines of one file still differ;
- `card_holder`: of the card number's digits, to tell new from repeat card holders; NULL for cash and for a
  number Excel destroyed (`5.49417E+15` keeps 6 of 16 digits, so it identifies nobody).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ingest.csv_source import CsvLayout, CsvSource, DerivedColumn

if TYPE_CHECKING:  # Arrow is imported where rows are read: the list of sources imports this module
    import pyarrow as pa

# The header an Excel-touched file gains, and so the names of the raw columns.
COLUMNS = ("date", "branch_name", "customer", "orders", "total_price", "payment_method", "card_number")
PILOT_COLUMNS = ("date", "branch_name", "customer", "orders", "payment_method", "total_price", "card_number")
PERSONAL_COLUMNS = ("customer", "card_number")
FIELD_SEPARATOR = "\x1f"  # between the length-prefixed fields of an order id's input
CARD_DIGITS = r"^\d{12,19}$"
PILOT_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
CURRENT_TIME = r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d"  # `8/8/2023 9:00` too: a current file Excel saved without header


def first_field_is(pattern: str) -> Callable[[list[str]], bool]:
    """A layout test: line 1 has seven fields and the first matches `pattern` in full."""
    compiled = re.compile(pattern)
    return lambda fields: len(fields) == len(COLUMNS) and compiled.fullmatch(fields[0]) is not None


def is_excel_header(fields: list[str]) -> bool:
    """A layout test: line 1 is the header Excel-touched files carry (any case)."""
    return [field.lower() for field in fields] == list(COLUMNS)


def order_ids(batch: pa.RecordBatch, key: bytes) -> pa.Array:
    """A keyed hash of each line's fields (in the file's order) and line number.

    Each field is written as `<length>:<text>` (NULL, an empty unquoted field, as `-`), so no two different lines
    give the same input, whatever characters their fields hold.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from ingest.pseudonyms import keyed_hashes

    fields = []
    for name in batch.schema.names:
        if name == "_line_number":
            continue
        column = batch.column(name)
        lengths = pc.cast(pc.utf8_length(column), pa.string())
        fields.append(pc.fill_null(pc.binary_join_element_wise(lengths, column, ":"), "-"))
    numbers = pc.cast(batch.column("_line_number"), pa.string())
    lines = pc.binary_join_element_wise(*fields, numbers, FIELD_SEPARATOR)
    return keyed_hashes(lines, key, b"till order id")


def card_holders(batch: pa.RecordBatch, key: bytes) -> pa.Array:
    """A keyed hash of each card number's digits (the pilot's `<card type>,` prefix removed); NULL where none."""
    import pyarrow.compute as pc

    from ingest.pseudonyms import keyed_hashes

    # `visa16,4123...` -> `4123...`; spaces and dashes between digit groups go.
    digits = pc.replace_substring_regex(
        pc.replace_substring_regex(batch.column("card_number"), r"^.*,", ""), r"[\s-]", ""
    )
    usable = pc.fill_null(pc.match_substring_regex(digits, CARD_DIGITS), False)
    return keyed_hashes(pc.if_else(usable, digits, None), key, b"till card holder")


TILLS = CsvSource(
    name="tills",
    table="tills",
    folder="tills",
    layouts=(
        CsvLayout("excel", header=True, matches=is_excel_header),
        CsvLayout("pilot", header=False, columns=PILOT_COLUMNS, matches=first_field_is(PILOT_TIME)),
        CsvLayout("current", header=False, columns=COLUMNS, matches=first_field_is(CURRENT_TIME)),
    ),
    required_columns=COLUMNS,
    drop_columns=PERSONAL_COLUMNS,
    derived_columns=(DerivedColumn("order_id", order_ids), DerivedColumn("card_holder", card_holders)),
    empty_files_allowed=True,
)
