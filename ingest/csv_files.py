"""Turning landed CSV files into load files for Postgres COPY, with a clear error naming the file and line.

Every value lands as text (cleaning is dbt's job). Each row carries the file name, its line number and the
file's modification time. A file is read once: Arrow parses it in blocks and each block is written straight out
again as CSV in the warehouse's column names, plus the loader's columns, into load files that dlt imports as they
are (no Python rows, no Parquet, no normalize pass). A file may have a header line or not (then its columns are
named by the caller); columns to drop are left out of each block in memory, after the derived columns computed
from them, so their values never reach a load file. The load files are handed over only once the whole file has
parsed, so a broken file is reported before any of its rows reach the load package. The normal path is Arrow's
parser plus one memchr-speed scan for NUL bytes (which Postgres text cannot hold); the slow, line-by-line
diagnosis in `locate_problem` runs only once Arrow has failed. Catalogue of the bad inputs handled:
docs/bad_inputs.md.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import re
import shutil
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ingest.csv_source import DerivedColumn
from warehouse.errors import WarehouseError

# A quoted field may span at most two of Arrow's blocks (bad_inputs: a 17 MiB name); 4 MiB blocks parse as fast
# and take ~160 MiB less memory, but would refuse such a file.
READ_BLOCK_BYTES = 16 << 20
HEADER_LIMIT_BYTES = 1 << 20
FIRST_DATA_LINE = 2  # line 1 is the header (in a file that has one)
LOADER_COLUMNS = ("_source_file", "_line_number", "_file_modified_at")  # added to every row by this module
END_OF_LINE = re.compile(rb"\r\n|\r|\n")
# What a file that is not CSV text usually is, by its first bytes.
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a zip archive (an .xlsx workbook is one)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office document (.xls)",
    b"\x1f\x8b": "a gzip-compressed file",
    b"PAR1": "a Parquet file",
    b"%PDF": "a PDF document",
    b"\xff\xfe": "UTF-16 text",
    b"\xfe\xff": "UTF-16 text",
}
_naming = NamingConvention()


class CsvFileError(WarehouseError):
    """A landed CSV file that cannot be read; names the file and, where known, the line."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        where = f"{printable(str(path))}" + (f", line {line}" if line is not None else "")
        super().__init__(
            f"cannot read CSV file {where}: {problem}",
            hint="fix or remove the file, then run the ingest again. Nothing from this run of the source was loaded.",
        )
        self.path = path
        self.problem = problem
        self.line = line

    def __reduce__(self) -> tuple:
        # Rebuilt from its own arguments when it crosses a process boundary (each source loads in its own process).
        return type(self), (self.path, self.problem, self.line)


def printable(text: str) -> str:
    """`text` safe to print on any terminal: undecodable file-name bytes and control characters escaped."""
    if text.isprintable():
        return text
    escaped = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in escaped)


def _first_line(path: Path) -> bytes:
    """The file's first line with its line ending (\\n, \\r\\n or a lone \\r), at most HEADER_LIMIT_BYTES."""
    try:
        with path.open("rb") as raw:
            head = raw.read(HEADER_LIMIT_BYTES)
    except OSError as error:
        raise CsvFileError(path, f"the file cannot be opened ({error.strerror})") from error
    end = END_OF_LINE.search(head)
    return head if end is None else head[: end.end()]


def _not_text(line: bytes) -> str | None:
    """Why a first line is not the header of a CSV text file, or None when it may be one."""
    for signature, kind in BINARY_SIGNATURES.items():
        if line.startswith(signature):
            return f"this is {kind}, not a CSV text file; export the data as CSV (UTF-8, comma-separated)"
    if b"\x00" in line or re.search(rb"[\x01-\x08\x0e-\x1f\x7f]", line):
        return "the file holds binary bytes, not CSV text; export the data as CSV (UTF-8, comma-separated)"
    return None


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file's bytes, hex: what identifies an export whatever its name or modification time."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(READ_BLOCK_BYTES):
                digest.update(chunk)
    except OSError as error:
        raise CsvFileError(path, f"the file cannot be opened ({error.strerror})") from error
    return digest.hexdigest()


def read_first_line(path: Path, header_columns: Sequence[str] | None) -> str:
    """Line 1 as text (no line ending); CsvFileError when it is missing, blank, too long, binary or not UTF-8.

    `header_columns`: the columns a header line must name, for the message; None when line 1 may be data.
    """
    expected = ",".join(header_columns or ())
    line = _first_line(path)
    if not line:
        problem = "the file is empty" + (f"; expected a header line {expected}" if header_columns is not None else "")
        raise CsvFileError(path, problem, 1)
    if not line.strip():
        first = f"the header line ({expected})" if header_columns is not None else "the first record"
        raise CsvFileError(path, f"line 1 is blank; {first} must be the first line", 1)
    if len(line) >= HEADER_LIMIT_BYTES and not END_OF_LINE.search(line):
        limit = HEADER_LIMIT_BYTES >> 20
        raise CsvFileError(path, f"the first line is longer than {limit} MiB; is this a CSV file?", 1)
    not_text = _not_text(line)
    if not_text:
        raise CsvFileError(path, not_text, 1)
    try:
        return line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as error:
        what = "the header" if header_columns is not None else "line 1"
        raise CsvFileError(path, f"{what} is not UTF-8 text ({error.reason}); save the file as UTF-8", 1) from error


def first_fields(text: str) -> list[str]:
    """The fields of a line as CSV reads them, stripped: what a layout is recognised by."""
    return [field.strip() for field in next(csv.reader([text]), [])]


def read_header(path: Path, required_columns: Sequence[str], loader_columns: Sequence[str] = ()) -> list[str]:
    """The file's column names (trimmed, lower-cased), after checking the required ones are there.

    `loader_columns` are the caller's own per-file columns (besides LOADER_COLUMNS and _dlt_*): no file may have them.
    """
    text = read_first_line(path, required_columns)
    header = [name.lower() for name in first_fields(text)]
    unnamed = [str(number) for number, name in enumerate(header, start=1) if not name]
    if unnamed:
        raise CsvFileError(
            path,
            f"column(s) {', '.join(unnamed)} of the header have no name (a trailing comma?); "
            "name them or remove them from every line",
            1,
        )
    normalized = [_naming.normalize_identifier(name) for name in header]
    named = list(zip(header, normalized, strict=True))
    own_columns = (*LOADER_COLUMNS, *loader_columns)
    reserved = [name for name, dlt_name in named if dlt_name in own_columns or dlt_name.startswith("_dlt")]
    if reserved:
        raise CsvFileError(
            path,
            f"column(s) {', '.join(reserved)} clash with the loader's own columns "
            f"({', '.join(own_columns)}, _dlt_*); rename them",
            1,
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CsvFileError(path, f"column(s) {', '.join(duplicated)} appear more than once in the header", 1)
    clashing = sorted({name for name, dlt_name in named if normalized.count(dlt_name) > 1})
    if clashing:
        raise CsvFileError(
            path,
            f"column(s) {', '.join(clashing)} get the same name in the warehouse (dlt's snake_case names); "
            "rename one of them",
            1,
        )
    missing = [name for name in required_columns if name not in header]
    if missing:
        raise CsvFileError(
            path,
            f"missing required column(s) {', '.join(missing)}; the header has {_shown(header)}{_delimiter_hint(text)}",
            1,
        )
    return header


def _shown(header: list[str], limit: int = 20) -> str:
    names = [printable(name[:60]) for name in header[:limit]]
    return ", ".join(names) + (f", ... ({len(header)} columns)" if len(header) > limit else "")


def _delimiter_hint(text: str) -> str:
    if "," in text:
        return ""
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
        if delimiter in text:
            return f" (the header is separated by {name}; the file must be comma-separated)"
    return ""


def _is_header_only(path: Path) -> bool:
    """True when nothing follows the header line (Arrow cannot skip a header that has no line ending)."""
    return path.stat().st_size <= len(_first_line(path))


def _block_size(path: Path) -> int:
    """Arrow's block size for this file: READ_BLOCK_BYTES, or less for a smaller file (then read in one block).

    Arrow allocates each block whole: a 16 MiB block for a 50 KB till file cost about 1 ms a file.
    """
    return max(1 << 16, min(READ_BLOCK_BYTES, path.stat().st_size + 1))


def _open_reader(path: Path, names: list[str], skip_rows: int) -> pa_csv.CSVStreamingReader:
    return pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(block_size=_block_size(path), column_names=names, skip_rows=skip_rows),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        # Only an empty unquoted field is NULL (as in Postgres COPY); tokens such as 'N/A', 'null' or 'NaN'
        # land as the text they are (Arrow would turn them into NULL by default) - cleaning them is dbt's job.
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


@dataclass(frozen=True)
class LoadFile:
    """A CSV file ready for Postgres COPY (dlt imports it into the load package as it is) and its data rows.

    `columns`: the landed files' own columns it holds (warehouse names), which dlt is told are text.
    """

    path: Path
    rows: int
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class LandedFile:
    """A landed file to parse: `header` names its columns (those of its header line, or with `has_header` False
    those of its every line); every row gets the `constants` (one text value each, e.g. the load id)."""

    path: Path
    header: list[str]
    has_header: bool = True
    constants: dict[str, str] = field(default_factory=dict)

    @property
    def first_line(self) -> int:
        """The line number of the first row."""
        return FIRST_DATA_LINE if self.has_header else 1


@dataclass(frozen=True)
class _LoadColumns:
    """The columns of the load files of files with these column names: what is kept, derived and added."""

    file_names: tuple[str, ...]
    drop: frozenset[str]
    derived: tuple[DerivedColumn, ...]
    constant_names: tuple[str, ...]

    @property
    def kept(self) -> list[int]:
        return [index for index, name in enumerate(self.file_names) if name not in self.drop]

    @property
    def names(self) -> list[str]:
        return [
            *(self.file_names[index] for index in self.kept),
            *(column.name for column in self.derived),
            *LOADER_COLUMNS,
            *self.constant_names,
        ]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(name, pa.int64() if name == "_line_number" else pa.string()) for name in self.names])

    def header_line(self) -> bytes:
        """The header line by hand: plain names (they are snake_case), as dlt's COPY job reads them."""
        return (",".join(self.names) + "\n").encode()

    def load_batch(self, numbered: pa.RecordBatch, per_file: Sequence[pa.Array], key: bytes) -> pa.RecordBatch:
        """A load file's rows: `numbered` holds the file columns and `_line_number`, `per_file` the _source_file,
        _file_modified_at and constants columns. The derived columns are computed here, from every file column."""
        derived = [_derive(column, numbered, key) for column in self.derived]
        source_file, modified, *constants = per_file
        kept = [numbered.column(index) for index in self.kept]
        lines = numbered.column("_line_number")
        return pa.record_batch([*kept, *derived, source_file, lines, modified, *constants], schema=self.schema)


def _per_file_values(file: LandedFile) -> list[str]:
    """_source_file, _file_modified_at and the constants: the same for every row of the file."""
    # _file_modified_at as text, not an Arrow timestamp: Arrow writes zoned timestamps slowly (a time-zone lookup
    # per value, most of the old normalize step's time). Postgres reads this form (UTC, 'Z') fastest.
    modified_at = f"{datetime.fromtimestamp(file.path.stat().st_mtime, tz=timezone.utc):%Y-%m-%d %H:%M:%S.%f}Z"
    return [printable(file.path.name), modified_at, *file.constants.values()]


def _numbered(batch: pa.RecordBatch, first_line: int) -> pa.RecordBatch:
    """The block's columns plus `_line_number`, its rows' line numbers from `first_line` on."""
    lines = pa.array(np.arange(first_line, first_line + batch.num_rows, dtype=np.int64))
    return pa.RecordBatch.from_arrays([*batch.columns, lines], names=[*batch.schema.names, "_line_number"])


def _blocks(file: LandedFile, file_names: list[str], quote_data: bool) -> Iterator[pa.RecordBatch]:
    """The file's rows as Arrow blocks of text columns; CsvFileError naming the first bad line when it cannot parse.

    Without `quote_data` (the file has personal columns) the error shows no bytes of the file.
    """
    try:
        yield from _open_reader(file.path, file_names, skip_rows=file.first_line - 1)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        line, problem = locate_problem(file.path, len(file_names), file.first_line, quote_data)
        shown = f"malformed CSV ({error})" if quote_data else "malformed CSV"
        raise CsvFileError(file.path, problem or shown, line) from error


class LoadFileBundles:
    """Small load files joined into bundles of about `rows` rows, so dlt runs one COPY job per bundle, not per file.

    dlt loads every imported file as a job of its own (a COPY plus its bookkeeping): 3,573 till files of ~300 rows
    were 3,573 jobs and most of the ingest's time. A load file of fewer than `rows` rows is appended, without its
    header line, to the open bundle of the same header line (the same columns), and removed; a bundle is ready once
    it holds `rows` rows, a larger load file is ready as it is. Each ready file comes back with the `tag` it was
    added with (e.g. dlt's column hints: the same for every file of one header line).
    """

    def __init__(self, target: Callable[[int], Path], rows: int) -> None:
        self._target = target
        self._rows = rows
        self._open: dict[bytes, tuple[LoadFile, object]] = {}  # header line -> open bundle and its tag
        self._made = 0

    def add(self, part: LoadFile, tag: object) -> list[tuple[LoadFile, object]]:
        """The load files ready after adding `part` (it, a bundle that is full now, or nothing yet)."""
        if part.rows >= self._rows:
            return [(part, tag)]
        with part.path.open("rb") as source:
            header = source.readline()
            if header in self._open:
                bundle, _ = self._open[header]
            else:  # a new bundle starts with the header line
                bundle = LoadFile(self._target(self._made), 0)
                self._made += 1
                bundle.path.write_bytes(header)
                self._open[header] = (bundle, tag)
            with bundle.path.open("ab") as sink:
                shutil.copyfileobj(source, sink)
        part.path.unlink()
        bundle = LoadFile(bundle.path, bundle.rows + part.rows)
        if bundle.rows < self._rows:
            self._open[header] = (bundle, tag)
            return []
        self._open.pop(header, None)
        return [(bundle, tag)]

    def finish(self) -> list[tuple[LoadFile, object]]:
        """Every bundle still open, ready as it is."""
        ready, self._open = list(self._open.values()), {}
        return ready

    def discard(self) -> None:
        """Remove the bundles still open (the load stopped)."""
        for bundle, _ in self._open.values():
            bundle.path.unlink(missing_ok=True)
        self._open = {}


def warehouse_names(header: list[str]) -> list[str]:
    """The file's column names as the warehouse has them (dlt's snake_case), in the file's order."""
    return [_naming.normalize_identifier(name) for name in header]


def write_load_files(
    path: Path,
    header: list[str],
    target: Callable[[int], Path],
    rows_per_file: int,
    constants: dict[str, str] | None = None,
    *,
    has_header: bool = True,
    drop: Collection[str] = (),
    derived: Sequence[DerivedColumn] = (),
    key: bytes = b"",
) -> list[LoadFile]:
    """Parse the whole file once into CSV load files of about `rows_per_file` rows; CsvFileError on a bad file.

    `header` names the file's columns: those of its header line, or (`has_header` False) those of its every line.
    The load files (named by `target(part number)`) hold the file's columns under their warehouse names, less those
    in `drop` (warehouse names), then the `derived` columns, _source_file, _line_number, _file_modified_at and the
    `constants` (one text value for every row, e.g. the load id); `key` is handed to the derived columns. A file
    that cannot be read leaves no load file behind: those written so far are removed, then the error is raised;
    with columns to drop, the error quotes no data from the file. The file is read block by block: any size fits.
    """
    _check_key(derived, key)
    file = LandedFile(path, header, has_header, constants or {})
    if has_header and _is_header_only(path):
        return []
    _refuse_nul(path)
    file_names = warehouse_names(header)
    columns = _LoadColumns(tuple(file_names), frozenset(drop), tuple(derived), tuple(file.constants))
    same_for_every_row = _per_file_values(file)
    paths: list[Path] = []
    counts: list[int] = []
    sink: BinaryIO | None = None
    writer: pa_csv.CSVWriter | None = None
    next_line = file.first_line
    try:
        for batch in _blocks(file, file_names, quote_data=not drop):
            rows = batch.num_rows
            if writer is None or counts[-1] >= rows_per_file:
                _close(writer, sink)
                paths.append(target(len(paths)))
                counts.append(0)
                sink = paths[-1].open("wb")
                sink.write(columns.header_line())
                writer = pa_csv.CSVWriter(sink, columns.schema, write_options=pa_csv.WriteOptions(include_header=False))
            per_file = [pa.repeat(pa.scalar(value), rows) for value in same_for_every_row]
            writer.write_batch(columns.load_batch(_numbered(batch, next_line), per_file, key))
            counts[-1] += rows
            next_line += rows
        _close(writer, sink)
    except BaseException:
        _remove(paths, writer, sink)
        raise
    kept = tuple(file_names[index] for index in columns.kept)
    return [LoadFile(path, rows, kept) for path, rows in zip(paths, counts, strict=True)]


def write_load_files_together(
    files: Sequence[LandedFile],
    target: Callable[[int], Path],
    *,
    drop: Collection[str] = (),
    derived: Sequence[DerivedColumn] = (),
    key: bytes = b"",
) -> list[LoadFile]:
    """Parse several small files, each whole, then write their rows into one load file per set of columns.

    Each row gets the same values as `write_load_files` gives it (derived columns are computed row by row), but
    Arrow's calls, the derived columns' calls and a new CSV file are paid once per group, not once per file: for
    3,573 till files of ~300 rows that halves the work. The files are held in memory together, so the caller keeps
    a group small. A bad file raises its CsvFileError before anything is written.
    """
    _check_key(derived, key)
    # Files of the same columns in the same order (a layout) are written together; the order of their rows is kept.
    together: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[_LoadColumns, list[pa.RecordBatch]]] = {}
    for file in files:
        if file.has_header and _is_header_only(file.path):
            continue
        _refuse_nul(file.path)
        file_names = warehouse_names(file.header)
        columns = _LoadColumns(tuple(file_names), frozenset(drop), tuple(derived), tuple(file.constants))
        batches = together.setdefault((columns.file_names, columns.constant_names), (columns, []))[1]
        names = [*file_names, "_line_number", "_source_file", "_file_modified_at", *file.constants]
        same_for_every_row = _per_file_values(file)
        next_line = file.first_line
        for batch in _blocks(file, file_names, quote_data=not drop):
            numbered = _numbered(batch, next_line)
            per_file = [pa.repeat(pa.scalar(value), batch.num_rows) for value in same_for_every_row]
            batches.append(pa.RecordBatch.from_arrays([*numbered.columns, *per_file], names=names))
            next_line += batch.num_rows
    paths: list[Path] = []
    written: list[LoadFile] = []
    try:
        for columns, batches in together.values():
            numbered_names = [*columns.file_names, "_line_number"]
            # Joined into as few batches as Arrow can hold (one, below 2 GiB of text): derived columns run per row.
            joined = pa.Table.from_batches(batches).combine_chunks().to_batches()
            if not joined:
                continue
            paths.append(target(len(paths)))
            rows = 0
            with paths[-1].open("wb") as sink:
                sink.write(columns.header_line())
                for batch in joined:
                    numbered = batch.select(numbered_names)
                    per_file = batch.columns[len(numbered_names) :]
                    load_batch = columns.load_batch(numbered, per_file, key)
                    pa_csv.write_csv(load_batch, sink, write_options=pa_csv.WriteOptions(include_header=False))
                    rows += batch.num_rows
            kept = tuple(columns.file_names[index] for index in columns.kept)
            written.append(LoadFile(paths[-1], rows, kept))
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    return written


def _check_key(derived: Sequence[DerivedColumn], key: bytes) -> None:
    if derived and not key:
        raise TypeError("derived columns need the source's pseudonym key")  # an empty key: a plain, reversible hash


def _derive(column: DerivedColumn, batch: pa.RecordBatch, key: bytes) -> pa.Array:
    """A derived column's values for one block; TypeError (a bug in its declaration, not in the file) when unfit."""
    values = column.compute(batch, key)
    if not isinstance(values, pa.Array) or len(values) != batch.num_rows or values.type != pa.string():
        raise TypeError(f"derived column {column.name} must give one Arrow string per row ({batch.num_rows})")
    return values


def _close(writer: pa_csv.CSVWriter | None, sink: BinaryIO | None) -> None:
    if writer is not None:
        writer.close()
    if sink is not None:
        sink.close()


def _remove(paths: list[Path], writer: pa_csv.CSVWriter | None, sink: BinaryIO | None) -> None:
    """Close and delete the load files of a file that turned out unreadable."""
    with contextlib.suppress(OSError, pa.ArrowException):  # failing already; the files go anyway
        _close(writer, sink)
    for path in paths:
        path.unlink(missing_ok=True)


def _refuse_nul(path: Path) -> None:
    """Raise CsvFileError naming the line of the first NUL byte, if the file holds one."""
    nul_at = _find_nul(path)
    if nul_at is not None:
        line, column = _position(path, nul_at)
        raise CsvFileError(
            path, f"a NUL byte (0x00) at character {column} of the line; Postgres text cannot hold it", line
        )


def _find_nul(path: Path) -> int | None:
    """Byte offset of the first NUL byte in the file (memchr over 16 MiB reads: a few ms per 100 MB).

    Read in pieces, not memory-mapped: a map of the whole file would count in the process's memory.
    """
    offset = 0
    # No larger than the file: a new 16 MiB buffer is zeroed first, 10 s over 3,600 till files of ~50 KB each.
    piece = bytearray(max(1, min(READ_BLOCK_BYTES, path.stat().st_size)))
    with path.open("rb", buffering=0) as raw:
        while size := raw.readinto(piece):
            found = piece.find(b"\x00", 0, size)
            if found >= 0:
                return offset + found
            offset += size
    return None


def _position(path: Path, offset: int) -> tuple[int, int]:
    """The (line, byte-in-line) of a byte offset; lines end in \\n, \\r\\n or \\r. Only used to report an error."""
    line, line_start = 1, 0
    with path.open("rb") as raw:
        for piece in _lines(raw):
            if line_start + len(piece) > offset:
                break
            line, line_start = line + 1, line_start + len(piece)
    return line, offset - line_start + 1


def _lines(raw: Iterable[bytes]) -> Iterator[bytes]:
    """Physical lines of a binary file, ending in \\n, \\r\\n or a lone \\r (Arrow accepts all three)."""
    for piece in raw:
        yield from piece.splitlines(keepends=True)


def locate_problem(
    path: Path, column_count: int, first_data_line: int = FIRST_DATA_LINE, quote_data: bool = True
) -> tuple[int | None, str | None]:
    """Find the first bad line with Python's csv module (slow, so only used once Arrow has failed).

    Lines before `first_data_line` (the header) are not counted; without `quote_data` no bytes of the file are shown.
    """
    with path.open("rb") as raw:
        for number, line in enumerate(_lines(raw), start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                shown = f" ({line[error.start : error.start + 4]!r})" if quote_data else ""
                return number, (
                    f"bytes that are not UTF-8 at byte {error.start + 1} of the line{shown}; save the file as UTF-8"
                )
    csv.field_size_limit(sys.maxsize)  # Arrow reads fields of any length; so must the diagnosis
    with path.open(encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text, strict=True)
        record_start = 1
        try:
            for row in reader:
                if not row:  # a blank line: Arrow skips it too
                    pass
                elif reader.line_num >= first_data_line and len(row) != column_count:
                    return record_start, f"expected {column_count} fields, found {len(row)}"
                record_start = reader.line_num + 1
        except csv.Error as error:
            if "end of data" in str(error) or "EOF" in str(error):
                return record_start, "a quoted field starts here and is never closed (unterminated quote)"
            return reader.line_num, f"malformed CSV ({error})"
    return None, None
