"""The catalogue of broken source data: each case a named input and the outcome the loader must give.

Used by test_bad_inputs.py; docs/bad_inputs.md lists the same cases (a test keeps the two in step). An error case
names the text the message must hold (and the line, where there is one); a load case names the rows that must
land and, for a spot check, the exact text of some of their values.
"""

from __future__ import annotations

import gzip
import os
import random
from dataclasses import dataclass

HEADER = "customer_id,name,age,country,is_active"
SPOT_COLUMNS = "customer_id, name, age, country, is_active"


def csv_text(*lines: str, end: str = "\n") -> bytes:
    """A CRM export: the given lines joined with `end` (each line ends with it), UTF-8."""
    return "".join(line + end for line in lines).encode()


@dataclass(frozen=True)
class CsvCase:
    """A CRM export file with one defect, and what ingesting it must do."""

    name: str
    summary: str
    content: bytes
    error: str | None = None  # text the error message must contain; None when the file loads
    line: int | None = None  # the line the error names
    rows: int = 0  # data rows that must land
    spot: tuple[tuple, ...] = ()  # expected rows of `select <spot_columns> from raw.customers order by _line_number`
    spot_columns: str = SPOT_COLUMNS
    file_name: str = ""  # default customers_<name>.csv

    @property
    def loads(self) -> bool:
        return self.error is None

    @property
    def landing_name(self) -> str:
        return self.file_name or f"customers_{self.name}.csv"


GOOD_ROW = "C1,Ann,30,UK,yes"
TWO_ROWS = (("C1", "Ann", "30", "UK", "yes"), ("C2", "Bob", "40", "US", "no"))
LONG_NAME = "N" * 100_000
HUGE_FIELD = "x" * (17 << 20)

CSV_CASES = (
    # --- files that load: every data row lands, every value as the exact text of the file ---
    CsvCase(
        "byte_order_mark",
        "UTF-8 byte-order mark before the header (Excel's 'CSV UTF-8')",
        b"\xef\xbb\xbf" + csv_text(HEADER, GOOD_ROW, "C2,Bob,40,US,no"),
        rows=2,
        spot=TWO_ROWS,
    ),
    CsvCase(
        "crlf_line_endings",
        "Windows line endings (CRLF)",
        csv_text(HEADER, GOOD_ROW, "C2,Bob,40,US,no", end="\r\n"),
        rows=2,
        spot=TWO_ROWS,
    ),
    CsvCase(
        "cr_line_endings",
        "classic Mac line endings (a lone CR)",
        csv_text(HEADER, GOOD_ROW, "C2,Bob,40,US,no", end="\r"),
        rows=2,
        spot=TWO_ROWS,
    ),
    CsvCase(
        "no_final_newline",
        "the last line has no line ending",
        csv_text(HEADER, GOOD_ROW) + b"C2,Bob,40,US,no",
        rows=2,
        spot=TWO_ROWS,
    ),
    CsvCase(
        "quoted_commas_newlines_quotes",
        "quoted names holding commas, a line break and doubled quotes",
        csv_text(HEADER, 'C1,"Smith, Ann\nJr.",30,UK,yes', 'C2,"Bob ""the builder""",40,US,no'),
        rows=2,
        spot=(("C1", "Smith, Ann\nJr.", 2), ("C2", 'Bob "the builder"', 3)),
        spot_columns="customer_id, name, _line_number",
    ),
    CsvCase(
        "stray_quote_in_field",
        "a quote inside an unquoted field",
        csv_text(HEADER, 'C1,Ann "the" Smith,30,UK,yes'),
        rows=1,
        spot=(("C1", 'Ann "the" Smith'),),
        spot_columns="customer_id, name",
    ),
    CsvCase("header_only", "a header line and no data rows", csv_text(HEADER), rows=0),
    CsvCase("header_only_no_newline", "only a header, without a line ending", HEADER.encode(), rows=0),
    CsvCase(
        "blank_lines",
        "blank lines between and after the rows (skipped, not rows)",
        csv_text(HEADER, "", GOOD_ROW, "", "", "C2,Bob,40,US,no", ""),
        rows=2,
        spot=TWO_ROWS,
    ),
    CsvCase(
        "header_case_and_spaces",
        "header in other case, padded with spaces, quoted",
        csv_text(' Customer_ID ,NAME,"Age", Country ,Is_Active', GOOD_ROW),
        rows=1,
        spot=(TWO_ROWS[0],),
    ),
    CsvCase(
        "reordered_columns",
        "required columns in another order",
        csv_text("is_active,country,age,name,customer_id", "yes,UK,30,Ann,C1"),
        rows=1,
        spot=(TWO_ROWS[0],),
    ),
    CsvCase(
        "extra_column",
        "an extra column (lands as an extra text column; its name in dlt's snake_case)",
        csv_text("customer_id,name,E-Mail,age,country,is_active", "C1,Ann,ann@example.com,30,UK,yes"),
        rows=1,
        spot=(("C1", "Ann", "ann@example.com", "30", "UK", "yes"),),
        spot_columns="customer_id, name, e_mail, age, country, is_active",
    ),
    CsvCase(
        "null_like_tokens",
        "'N/A', 'null', 'NULL', '-', 'NaN' (land as text); a quoted empty string and an empty field (NULL)",
        csv_text(HEADER, "C1,N/A,null,NULL,-", 'C2,"",NaN,,'),
        rows=2,
        spot=(("C1", "N/A", "null", "NULL", "-"), ("C2", None, "NaN", None, None)),
    ),
    CsvCase(
        "whitespace_kept",
        "values padded with spaces and tabs",
        csv_text(HEADER, " c1 ,  Ann  Lee ,\t30\t, uk , YES "),
        rows=1,
        spot=((" c1 ", "  Ann  Lee ", "\t30\t", " uk ", " YES "),),
    ),
    CsvCase(
        "unicode_whitespace",
        "values padded with no-break, ideographic and zero-width spaces and a BOM",
        csv_text(HEADER, "\u00a0c1\u200b,\u3000Ann\u00a0\u00a0Lee\ufeff,\u202f30\u2060,\u00a0uk\u00a0,\u2009yes"),
        rows=1,
        spot=(("\u00a0c1\u200b", "\u3000Ann\u00a0\u00a0Lee\ufeff", "\u202f30\u2060", "\u00a0uk\u00a0", "\u2009yes"),),
    ),
    CsvCase(
        "very_long_customer_id",
        "a 10,000-character customer_id",
        csv_text(HEADER, f"{'k' * 10_000},Ann,30,UK,yes", "C2,Bob,40,US,no"),
        rows=2,
        spot=((10_000,), (2,)),
        spot_columns="length(customer_id)",
    ),
    CsvCase(
        "absurd_values",
        "age 99999, -5, 1e3 and 'thirty'; unknown country; is_active 'maybe'",
        csv_text(HEADER, "C1,Ann,99999,Atlantis,maybe", "C2,Bob,-5,UK,yes", "C3,Cid,1e3,,no", "C4,Dan,thirty,US,1"),
        rows=4,
        spot=(("C1", "99999", "Atlantis", "maybe"), ("C2", "-5", "UK", "yes"), ("C3", "1e3", None, "no")),
        spot_columns="customer_id, age, country, is_active",
    ),
    CsvCase(
        "unicode_text",
        "names in other scripts, accents and an emoji",
        csv_text(HEADER, "C1,Zoë Ünal,30,DE,yes", "C2,李雷,40,CN,no", "C3,Ana 🎉,50,ES,yes"),
        rows=3,
        spot=(("C1", "Zoë Ünal"), ("C2", "李雷"), ("C3", "Ana 🎉")),
        spot_columns="customer_id, name",
    ),
    CsvCase(
        "very_long_name",
        "a 100 kB name",
        csv_text(HEADER, f"C1,{LONG_NAME},30,UK,yes", "C2,Bob,40,US,no"),
        rows=2,
        spot=(("C1", 100_000, True), ("C2", 3, False)),
        spot_columns=f"customer_id, length(name), name = '{LONG_NAME}'",
    ),
    CsvCase(
        "field_longer_than_read_block",
        "a 17 MiB name (longer than the reader's 16 MiB block)",
        csv_text(HEADER, f"C1,{HUGE_FIELD},30,UK,yes"),
        rows=1,
        spot=(("C1", len(HUGE_FIELD), "30"),),
        spot_columns="customer_id, length(name), age",
    ),
    CsvCase(
        "unicode_file_name",
        "a file name with a space and non-ASCII letters",
        csv_text(HEADER, GOOD_ROW),
        rows=1,
        spot=(("C1", "kunden ü 2024.csv"),),
        spot_columns="customer_id, _source_file",
        file_name="kunden ü 2024.csv",
    ),
    # --- files that stop the CRM load: a message naming the file (and line), nothing of the run loaded ---
    CsvCase(
        "latin1_bytes",
        "a Latin-1 'ö' in a data row",
        HEADER.encode() + b"\nC1,Ann,30,UK,yes\nC2,B\xf6b,40,DE,no\n",
        error="bytes that are not UTF-8 at byte 5 of the line (b'\\xf6b,4'); save the file as UTF-8",
        line=3,
    ),
    CsvCase(
        "latin1_header",
        "a Latin-1 byte in the header",
        b"customer_id,n\xe4me,age,country,is_active\nC1,Ann,30,UK,yes\n",
        error="the header is not UTF-8 text",
        line=1,
    ),
    CsvCase(
        "utf16_file",
        "UTF-16 text (Excel's 'Unicode text')",
        f"{HEADER}\n{GOOD_ROW}\n".encode("utf-16"),
        error="this is UTF-16 text, not a CSV text file",
        line=1,
    ),
    CsvCase(
        "unterminated_quote",
        "a quote opened and never closed",
        csv_text(HEADER, GOOD_ROW, 'C2,"Bob,40,US,no', "C3,Cid,50,DE,yes"),
        error="a quoted field starts here and is never closed (unterminated quote)",
        line=3,
    ),
    CsvCase("empty_file", "zero bytes", b"", error="the file is empty; expected a header line", line=1),
    CsvCase(
        "blank_first_line",
        "a blank line before the header",
        csv_text("", HEADER, GOOD_ROW),
        error="line 1 is blank; the header line (customer_id,name,age,country,is_active) must be the first line",
        line=1,
    ),
    CsvCase(
        "missing_column",
        "no country column",
        csv_text("customer_id,name,age,is_active", "C1,Ann,30,yes"),
        error="missing required column(s) country; the header has customer_id, name, age, is_active",
        line=1,
    ),
    CsvCase(
        "renamed_column",
        "cust_id instead of customer_id",
        csv_text("cust_id,name,age,country,is_active", GOOD_ROW),
        error="missing required column(s) customer_id; the header has cust_id, name, age, country, is_active",
        line=1,
    ),
    CsvCase(
        "duplicated_column",
        "age twice",
        csv_text("customer_id,name,age,country,is_active,age", GOOD_ROW + ",31"),
        error="column(s) age appear more than once in the header",
        line=1,
    ),
    CsvCase(
        "duplicated_column_other_case",
        "Name and name",
        csv_text("customer_id,Name,age,country,is_active,name", GOOD_ROW + ",Ann"),
        error="column(s) name appear more than once in the header",
        line=1,
    ),
    CsvCase(
        "columns_clash_in_warehouse",
        "extra columns E-Mail and 'e mail' (both e_mail in the warehouse)",
        csv_text(HEADER + ",E-Mail,e mail", GOOD_ROW + ",a@x,b@x"),
        error="column(s) e mail, e-mail get the same name in the warehouse",
        line=1,
    ),
    CsvCase(
        "loader_column_in_header",
        "a column named like the loader's own _source_file",
        csv_text(HEADER + ",_source_file", GOOD_ROW + ",x.csv"),
        error="column(s) _source_file clash with the loader's own columns",
        line=1,
    ),
    CsvCase(
        "trailing_comma_header",
        "every line ends with a comma (a column with no name)",
        csv_text(HEADER + ",", GOOD_ROW + ","),
        error="column(s) 6 of the header have no name (a trailing comma?)",
        line=1,
    ),
    CsvCase(
        "too_many_fields",
        "a row with a sixth field",
        csv_text(HEADER, GOOD_ROW, "C2,Bob,40,US,no,extra"),
        error="expected 5 fields, found 6",
        line=3,
    ),
    CsvCase(
        "too_few_fields",
        "a row with three fields",
        csv_text(HEADER, GOOD_ROW, "C2,Bob,40"),
        error="expected 5 fields, found 3",
        line=3,
    ),
    CsvCase(
        "whitespace_only_line",
        "a line holding only spaces",
        csv_text(HEADER, GOOD_ROW, "   "),
        error="expected 5 fields, found 1",
        line=3,
    ),
    CsvCase(
        "nul_byte",
        "a NUL byte inside a name",
        csv_text(HEADER, GOOD_ROW, "C2,Bo\0b,40,US,no"),
        error="a NUL byte (0x00) at character 6 of the line; Postgres text cannot hold it",
        line=3,
    ),
    CsvCase(
        "semicolon_delimited",
        "semicolons instead of commas",
        csv_text(HEADER.replace(",", ";"), GOOD_ROW.replace(",", ";")),
        error="the header is separated by semicolons; the file must be comma-separated",
        line=1,
    ),
    CsvCase(
        "tab_delimited",
        "tabs instead of commas",
        csv_text(HEADER.replace(",", "\t"), GOOD_ROW.replace(",", "\t")),
        error="the header is separated by tabs; the file must be comma-separated",
        line=1,
    ),
    CsvCase(
        "xlsx_workbook",
        "an Excel workbook (a zip archive) saved as .csv",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)),
        error="this is a zip archive (an .xlsx workbook is one), not a CSV text file",
        line=1,
    ),
    CsvCase(
        "gzip_file",
        "a gzip-compressed export named .csv",
        gzip.compress(csv_text(HEADER, GOOD_ROW), mtime=0),
        error="this is a gzip-compressed file, not a CSV text file",
        line=1,
    ),
    CsvCase(
        "binary_garbage",
        "random bytes",
        bytes([0, 7, 1]) + random.Random(7).randbytes(4096),
        error="the file holds binary bytes, not CSV text",
        line=1,
    ),
    CsvCase(
        "non_utf8_file_name",
        "a file name whose bytes are not UTF-8 (Latin-1 'é')",
        csv_text(HEADER, GOOD_ROW),
        error="the file name is not UTF-8",
        file_name=os.fsdecode(b"customers_caf\xe9.csv"),
    ),
)


@dataclass(frozen=True)
class DbCase:
    """A shop database with one defect, and what ingesting it must do.

    `setup` (SQL in the source database) is loaded first by a run that must succeed; then `change` is applied
    and the run under test follows. `rows` is the raw row count after it (for an error: the count before it).
    """

    name: str
    summary: str
    setup: str
    change: str = ""
    error: str | None = None
    rows: int = 0
    spot: tuple[tuple, ...] = ()  # expected rows of `spot_query`
    spot_columns: str = "transaction_id, customer_id, amount, transaction_date"
    spot_where: str = ""
    credentials: str | None = None  # SOURCES__TRANSACTIONS__CREDENTIALS for the run under test
    source_encoding: str | None = None  # create the source database in this encoding

    @property
    def loads(self) -> bool:
        return self.error is None

    @property
    def spot_query(self) -> str:
        where = f" where {self.spot_where}" if self.spot_where else ""
        return f"select {self.spot_columns} from {CURRENT_RAW_TRANSACTIONS}{where} order by transaction_id, amount"


# The raw rows of the latest capture of each transaction_id range: what the warehouse holds as the source's rows now
# (a changed range is captured again whole; its earlier rows stay in raw as stale versions).
CURRENT_RAW_TRANSACTIONS = (
    "(select captured.* from raw.transactions as captured join (select distinct on (range_low_id) range_low_id,"
    " _dlt_load_id from raw.transactions_captures order by range_low_id, _dlt_load_id desc) as latest"
    " on captured._range_low_id = latest.range_low_id and captured._dlt_load_id = latest._dlt_load_id) as transactions"
)


SHOP_TABLE = """
create table transactions (
    transaction_id bigint not null,
    customer_id varchar,
    amount varchar,
    transaction_date varchar
);
"""
SHOP_ROWS = "insert into transactions values (1, 'C1', '12.50', '2024-01-05'), (2, 'C2', '7', '2024-01-06');"
SHOP = SHOP_TABLE + SHOP_ROWS
NO_CHANGE = ""

DB_CASES = (
    # --- loads: every new source row lands, values as the shop stores them (as text) ---
    DbCase(
        "amount_numeric_from_the_start",
        "amount numeric(12,2) and transaction_date date instead of varchar",
        "create table transactions (transaction_id bigint not null, customer_id varchar, amount numeric(12,2), "
        "transaction_date date); insert into transactions values (1, 'C1', 12.5, '2024-01-05');",
        change="insert into transactions values (2, 'C2', 1234567.891, '2024-02-29');",
        rows=2,
        spot=(
            (1, "12.50", "2024-01-05", "character varying", "character varying"),
            (2, "1234567.89", "2024-02-29", "character varying", "character varying"),
        ),
        spot_columns="transaction_id, amount, transaction_date, pg_typeof(amount)::text, "
        "pg_typeof(transaction_date)::text",
    ),
    DbCase(
        "date_column_under_dmy_datestyle",
        "transaction_date of type date in a database whose DateStyle is 'SQL, DMY'",
        "create table transactions (transaction_id bigint not null, customer_id varchar, amount varchar, "
        "transaction_date date); insert into transactions values (1, 'C1', '1', '2024-01-05');"
        "do $$ begin execute format('alter database %I set datestyle = %L', current_database(), 'SQL, DMY'); end $$;",
        change="insert into transactions values (2, 'C2', '2', '2024-12-31');",
        rows=2,
        spot=((1, "2024-01-05"), (2, "2024-12-31")),
        spot_columns="transaction_id, transaction_date",
    ),
    DbCase(
        "amount_type_changed_after_a_load",
        "amount altered from varchar to numeric between two loads",
        SHOP,
        change="alter table transactions alter column amount type numeric(12,2) using amount::numeric; "
        "insert into transactions values (3, 'C3', 99.9, '2024-01-07');",
        rows=3,
        spot=((1, "12.50"), (2, "7.00"), (3, "99.90")),
        spot_columns="transaction_id, amount",
    ),
    DbCase(
        "integer_cursor",
        "transaction_id integer instead of bigint",
        SHOP.replace("bigint", "integer"),
        change="insert into transactions values (3, 'C3', '1', '2024-01-07');",
        rows=3,
        spot=((1, "C1"), (2, "C2"), (3, "C3")),
        spot_columns="transaction_id, customer_id",
    ),
    DbCase(
        "extra_column",
        "extra columns currency (varchar) and store_id (integer)",
        SHOP,
        change="alter table transactions add column currency varchar, add column store_id integer; "
        "insert into transactions values (3, 'C3', '5', '2024-01-07', 'EUR', 17);",
        rows=3,
        spot=((1, None, None), (2, None, None), (3, "EUR", "17")),
        spot_columns="transaction_id, currency, store_id",
    ),
    DbCase(
        "amount_formats",
        "amounts '$1,234.50', '€12', '1e3', '1.234,50', 'N/A', ' 12 ', '-5', '' and NULL",
        SHOP,
        change="insert into transactions values (3, 'C3', '$1,234.50', '2024-01-07'), (4, 'C3', '€12', '2024-01-07'),"
        " (5, 'C3', '1e3', '2024-01-07'), (6, 'C3', '1.234,50', '2024-01-07'), (7, 'C3', 'N/A', '2024-01-07'),"
        " (8, 'C3', ' 12 ', '2024-01-07'), (9, 'C3', '-5', '2024-01-07'), (10, 'C3', '', '2024-01-07'),"
        " (11, 'C3', null, '2024-01-07');",
        rows=11,
        spot=(
            (3, "$1,234.50"),
            (4, "€12"),
            (5, "1e3"),
            (6, "1.234,50"),
            (7, "N/A"),
            (8, " 12 "),
            (9, "-5"),
            (10, None),
            (11, None),
        ),
        spot_columns="transaction_id, amount",
        spot_where="transaction_id >= 3",
    ),
    DbCase(
        "absurd_values",
        "amount 1e12 written out and with 29 digits; dates 9999-12-31, 0000-01-01, 2024-02-30",
        SHOP,
        change="insert into transactions values (3, 'C3', '1000000000000', '9999-12-31'),"
        " (4, 'C3', '99999999999999999999999999999', '0000-01-01'), (5, 'C3', '1e12', '2024-02-30');",
        rows=5,
        spot=(
            (3, "1000000000000", "9999-12-31"),
            (4, "99999999999999999999999999999", "0000-01-01"),
            (5, "1e12", "2024-02-30"),
        ),
        spot_columns="transaction_id, amount, transaction_date",
        spot_where="transaction_id >= 3",
    ),
    DbCase(
        "very_long_text",
        "a 100 kB customer_id",
        SHOP,
        change=f"insert into transactions values (3, '{LONG_NAME}', '1', '2024-01-07');",
        rows=3,
        spot=((3, 100_000, True),),
        spot_columns=f"transaction_id, length(customer_id), customer_id = '{LONG_NAME}'",
        spot_where="transaction_id = 3",
    ),
    DbCase(
        "duplicate_ids",
        "one transaction_id twice with different values",
        SHOP,
        change="insert into transactions values (3, 'C3', '1', '2024-01-07'), (3, 'C3', '2', '2024-01-07');",
        rows=4,
        spot=((3, "1"), (3, "2")),
        spot_columns="transaction_id, amount",
        spot_where="transaction_id = 3",
    ),
    DbCase(
        "latin1_source_database",
        "the shop database is in LATIN1 encoding, names with accents",
        SHOP,
        change="insert into transactions values (3, 'Zoë-Café', '1', '2024-01-07');",
        rows=3,
        spot=((3, "Zoë-Café"),),
        spot_columns="transaction_id, customer_id",
        spot_where="transaction_id = 3",
        source_encoding="LATIN1",
    ),
    DbCase("empty_table", "the table exists but has no new rows", SHOP, change=NO_CHANGE, rows=2),
    # --- errors: a message naming the table (and column), what to do; nothing of the run loaded ---
    DbCase(
        "cursor_is_text",
        "transaction_id text: '10' < '9', rows would be skipped",
        SHOP,
        change="alter table transactions alter column transaction_id type text; "
        "insert into transactions values ('10', 'C3', '1', '2024-01-07');",
        error="column transaction_id of table public.transactions in the source database",
        rows=2,
    ),
    DbCase(
        "cursor_is_numeric",
        "transaction_id numeric instead of an integer type",
        SHOP,
        change="alter table transactions alter column transaction_id type numeric; "
        "insert into transactions values (3, 'C3', '1', '2024-01-07');",
        error="is NUMERIC, but the incremental cursor must be an integer column (bigint)",
        rows=2,
    ),
    DbCase(
        "missing_column",
        "the amount column dropped",
        SHOP,
        change="alter table transactions drop column amount; insert into transactions values (3, 'C3', '2024-01-07');",
        error="table public.transactions in the source database",
        rows=2,
    ),
    DbCase(
        "renamed_column",
        "amount renamed to total",
        SHOP,
        change="alter table transactions rename column amount to total;",
        error="has no column(s) amount; it has transaction_id, customer_id, total, transaction_date",
        rows=2,
    ),
    DbCase(
        "missing_table",
        "the transactions table is gone",
        SHOP,
        change="drop table transactions;",
        error="table public.transactions does not exist in the source database",
        rows=2,
    ),
    DbCase(
        "null_cursor",
        "a row with a NULL transaction_id (the incremental cursor)",
        SHOP.replace("bigint not null", "bigint"),
        change="insert into transactions values (null, 'C3', '1', '2024-01-07'), (3, 'C3', '2', '2024-01-07');",
        error="1 row(s) of the source table public.transactions have no transaction_id (NULL)",
        rows=2,
    ),
    DbCase(
        "database_down",
        "the shop database does not answer",
        SHOP,
        error="cannot reach the transactions source database postgresql+psycopg2://shop:***@127.0.0.1:1/shop",
        rows=2,
        credentials="postgresql://shop:secret@127.0.0.1:1/shop",
    ),
)
