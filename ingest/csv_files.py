"""Reading landed CSV files as all-text Arrow batches, with a clear error naming the file and line.

Every value lands as text (cleaning is dbt's job). Each row carries the file name, its line number and the
file's modification time. A file is read twice: a validating pass that touches nothing, then the yielding pass,
so a broken file is reported before any of its rows reach the load package.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from warehouse.errors import WarehouseError

READ_BLOCK_BYTES = 16 << 20
FIRST_DATA_LINE = 2  # line 1 is the header


class CsvFileError(WarehouseError):
    """A landed CSV file that cannot be read; names the file and, where known, the line."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        where = f"{path}" + (f", line {line}" if line is not None else "")
        super().__init__(
            f"cannot read CSV file {where}: {problem}",
            hint="fix or remove the file, then run the ingest again. Nothing from this run of the source was loaded.",
        )
        self.path = path
        self.line = line


def read_header(path: Path, required_columns: Sequence[str]) -> list[str]:
    """The file's column names (trimmed, lower-cased), after checking the required ones are there."""
    with path.open("rb") as raw:
        first_line = raw.readline()
    if not first_line.strip():
        raise CsvFileError(path, "the file is empty; expected a header line " + ",".join(required_columns), 1)
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(path, f"the header is not UTF-8 text ({error.reason})", 1) from error
    header = [name.strip().lower() for name in next(csv.reader([text]))]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CsvFileError(path, f"column(s) {', '.join(duplicated)} appear more than once in the header", 1)
    missing = [name for name in required_columns if name not in header]
    if missing:
        raise CsvFileError(
            path,
            f"missing required column(s) {', '.join(missing)}; the header has {', '.join(header)}",
            1,
        )
    return header


def _open_reader(path: Path, header: list[str]) -> pa_csv.CSVStreamingReader:
    return pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(block_size=READ_BLOCK_BYTES, column_names=header, skip_rows=1),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        # Only an empty unquoted field is NULL (as in Postgres COPY); tokens such as 'N/A', 'null' or 'NaN'
        # land as the text they are (Arrow would turn them into NULL by default) - cleaning them is dbt's job.
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


def validate(path: Path, header: list[str]) -> int:
    """Parse the whole file without keeping it; return its row count or raise CsvFileError with the line."""
    rows = 0
    try:
        for batch in _open_reader(path, header):
            rows += batch.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        line, problem = locate_problem(path, len(header))
        raise CsvFileError(path, problem or str(error), line) from error
    return rows


def locate_problem(path: Path, column_count: int) -> tuple[int | None, str | None]:
    """Find the first bad line with Python's csv module (slow, so only used once Arrow has failed)."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                return number, (
                    f"bytes that are not UTF-8 at byte {error.start} of the line "
                    f"({line[error.start : error.start + 4]!r}); save the file as UTF-8"
                )
    with path.open(encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text, strict=True)
        record_start = 1
        try:
            for row in reader:
                if reader.line_num > 1 and len(row) != column_count:
                    return record_start, f"expected {column_count} fields, found {len(row)}"
                record_start = reader.line_num + 1
        except csv.Error as error:
            if "end of data" in str(error) or "EOF" in str(error):
                return record_start, "a quoted field starts here and is never closed (unterminated quote)"
            return reader.line_num, f"malformed CSV ({error})"
    return None, None


def read_text_batches(path: Path, header: list[str], chunk_rows: int) -> Iterator[pa.Table]:
    """Yield the file as Arrow tables of text columns plus _source_file, _line_number, _file_modified_at."""
    modified_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    next_line = FIRST_DATA_LINE
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def stamped(table: pa.Table, first_line: int) -> pa.Table:
        rows = table.num_rows
        return (
            table.append_column("_source_file", pa.repeat(pa.scalar(path.name), rows))
            .append_column("_line_number", pa.array(range(first_line, first_line + rows), pa.int64()))
            .append_column("_file_modified_at", pa.repeat(pa.scalar(modified_at, pa.timestamp("us", tz="UTC")), rows))
        )

    for batch in _open_reader(path, header):
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows >= chunk_rows:
            yield stamped(pa.Table.from_batches(pending), next_line)
            next_line += pending_rows
            pending, pending_rows = [], 0
    if pending:
        yield stamped(pa.Table.from_batches(pending), next_line)
