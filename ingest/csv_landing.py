"""A CSV source's landing folder as a dlt resource: each file whose content is new, into the source's raw table.

Generic over the declaration (ingest/csv_source.py). A file is identified by its content (the SHA-256 of its
bytes), not by its modification time: every file matching the source's patterns directly in its folder whose
content has not been loaded yet is loaded, whatever its name and mtime. The hashes loaded so far are kept in the
resource's dlt state (committed with each load, and restored by dlt from the warehouse); when that state is
missing, they are read back from the raw table (`files_in_raw`; data_rules.md, "Raw layer"). Each file is read
by the first of the source's layouts that recognises it, and turned into COPY load files by csv_files.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle  # nosec B403 - only to check that a declaration's derived columns can go to a worker process
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Any

import dlt
import psycopg2
from dlt.sources.filesystem import FileItemDict, filesystem
from psycopg2 import sql

from ingest.csv_files import (
    CsvFileError,
    LandedFile,
    LoadFile,
    LoadFileBundles,
    file_sha256,
    first_fields,
    printable,
    read_first_line,
    read_header,
    write_load_files,
    write_load_files_together,
)
from ingest.csv_source import CsvLayout, CsvSource
from ingest.sources import NOT_READ_NOTE, RAW_SCHEMA
from warehouse.database import Connection

# Several load files let dlt's load workers run their COPYs in parallel.
ROWS_PER_FILE = 1_000_000
# Load files of smaller landed files are joined up to this many rows (one dlt job each; ingest/csv_files.py).
BUNDLE_ROWS = 250_000
# dlt's filesystem listing hands the files over a page at a time, and bundles span one page: 100 files a page (its
# default) made a bundle of every 100 till files (~30,000 rows).
FILES_PER_PAGE = 10_000

# The per-file work (NUL scan, Arrow parse, derived columns and their keyed hashes, CSV writing) is CPU-bound Python
# and Arrow, one core of two in the main process: with at least PARALLEL_MIN_FILES new files it runs in up to
# PARSE_WORKERS worker processes, while this one hashes, recognises and bundles the files and dlt imports them.
PARSE_WORKERS = 2
# A till file's work is about 5 ms (20 s for 3,993 files) and a worker's start-up about 1 s: below ~200 files (a
# day of 18 branches is 22, the test suite's ingests are all small) the workers would cost more than they save.
PARALLEL_MIN_FILES = 200
# Files smaller than this are parsed in groups of about this many bytes (write_load_files_together): per file,
# Arrow's calls and a new load file cost as much as parsing its ~300 rows. Larger files are read block by block.
GROUP_BYTES = 4 << 20

EMPTY_FILE_MAX_BYTES = 64  # larger files hold data (or garbage, which the reader reports)
# Content hash -> name of the file it was first loaded from.
LoadedFiles = dict[str, str]


def text_column() -> dict[str, Any]:
    """A nullable text column's hints; a new dict each time (dlt writes the column's name into it)."""
    return {"data_type": "text", "nullable": True}


def column_hints(source: CsvSource) -> dict[str, dict[str, Any]]:
    """The raw table's columns as dlt should create them: source columns as text, the loader's with their types.

    The per-file columns are nullable: CRM rows loaded before they existed have none (the models then fall back on
    _file_modified_at).
    """
    kept = [name for name in source.required_columns if name not in source.drop_columns]
    return {
        **{name: text_column() for name in (*kept, *(column.name for column in source.derived_columns))},
        "_source_file": {"data_type": "text", "nullable": False},
        "_line_number": {"data_type": "bigint", "nullable": False},
        "_file_modified_at": {"data_type": "timestamp", "nullable": False},
        "_file_sha256": text_column(),
        **({"_layout": text_column()} if "_layout" in source.file_columns else {}),
        **({"_exported_at": {"data_type": "timestamp", "nullable": True}} if source.export_time else {}),
        "_dlt_load_id": {"data_type": "text", "nullable": False},
    }


def _timestamp_text(moment: datetime) -> str:
    """A UTC timestamp in the text form Postgres COPY reads fastest."""
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S.%f}Z"


def is_read(name: str, file_globs: Sequence[str]) -> bool:
    """True when a file of this name in the landing folder is one the source reads."""
    return any(PurePath(name).match(pattern) for pattern in file_globs)


def file_layout(path: Path, source: CsvSource) -> tuple[CsvLayout, list[str]]:
    """The layout that reads this file and the file's column names; CsvFileError when the file fits none.

    A source whose layouts all have a header names its required columns in the errors about line 1.
    """
    expected = source.required_columns if all(layout.header for layout in source.layouts) else None
    fields = first_fields(read_first_line(path, expected))
    layout = next((layout for layout in source.layouts if layout.matches is None or layout.matches(fields)), None)
    if layout is None:
        # Line 1 may hold personal data: the message names the layouts, not the line's content.
        raise CsvFileError(
            path,
            f"line 1 fits none of the layouts of source {source.name} "
            f"({', '.join(layout.name for layout in source.layouts)}); is this a {source.name} file?",
            1,
        )
    if layout.header:
        return layout, read_header(path, source.required_columns, source.own_columns)
    return layout, list(layout.columns)


@dataclass(frozen=True)
class SpoolNames:
    """The names of one parse's load files in the spool folder; a class, not a lambda, so a worker can get it."""

    spool_dir: Path
    stem: str

    def __call__(self, part: int) -> Path:
        return self.spool_dir / f"{self.stem}.{part}.csv"


class InlineExecutor(Executor):
    """Runs each call at once in this process: for a few files, or derived columns a worker cannot be sent."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed over with the result, as a worker's error is
            future.set_exception(error)
        return future


def _sendable(source: CsvSource) -> bool:
    """True when the source's derived columns can be sent to a worker process (module-level functions, no closures)."""
    try:
        pickle.dumps(source.derived_columns)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def parse_executor(source: CsvSource, files: int) -> Executor:
    """Where the new files are parsed: worker processes for many files, else this process."""
    workers = min(PARSE_WORKERS, os.cpu_count() or 1)
    if files < PARALLEL_MIN_FILES or workers < 2 or not _sendable(source):
        return InlineExecutor()
    # forkserver: a fork of a clean single-threaded server that imports Arrow and the CSV machinery once; a plain
    # fork of this process (dlt's threads) is unsafe, and spawn imports them again in each worker.
    context = multiprocessing.get_context("forkserver")
    derived_modules = {column.compute.__module__ for column in source.derived_columns}
    context.set_forkserver_preload(["ingest.csv_files", *sorted(derived_modules)])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _new_file_rows(
    files: list[FileItemDict],
    source: CsvSource,
    spool_dir: Path,
    notes: list[str],
    loaded_before: Callable[[], LoadedFiles],
    key: Callable[[], bytes],
) -> Iterator[Any]:
    """Each file whose content is new, parsed whole into CSV load files first, then imported into the package.

    A file whose content was loaded before (under any name) is skipped with a note; a known name with new content
    and a new file with an old modification time load like any new file. An empty file of a source that allows
    them is noted once by name (all empty files have the same content). The load files carry the load id
    themselves: dlt's normalize step does not touch imported files.
    """
    load_id = dlt.current.load_package_state()["load_id"]
    state = dlt.current.resource_state()
    if "loaded_files" not in state:  # a new state folder, or one written by the mtime-cursor loader
        state["loaded_files"] = loaded_before()
    loaded: LoadedFiles = state["loaded_files"]
    loaded_names = set(loaded.values())
    empty_files: list[str] = state.setdefault("empty_files", [])
    spool_dir.mkdir(parents=True, exist_ok=True)
    # Small files' load files are joined into bundles: dlt runs one COPY job per imported file.
    bundle_stem = f"{source.table}.{load_id}.{uuid.uuid4().hex[:12]}.bundle"
    bundles = LoadFileBundles(lambda number: spool_dir / f"{bundle_stem}{number}.csv", BUNDLE_ROWS)
    # Each new file goes to the parse workers as soon as it is recognised, so they parse while this process hashes
    # the next ones; their load files are bundled in the files' order. No worker starts when nothing is new.
    executor = parse_executor(source, len(files))
    queue = ParseQueue(executor, source, spool_dir, key)
    parsing: LoadedFiles = {}  # the files this run loads
    try:
        try:
            for file in sorted(files, key=lambda item: (item["modification_date"], item["file_name"])):
                if not is_read(file["file_name"], source.file_globs):
                    continue
                path = Path(file.local_file_path)
                if "\ufffd" in path.name and not path.exists():
                    # The filesystem listing decodes names as UTF-8 and cannot give back the original bytes.
                    raise CsvFileError(
                        path, "the file name is not UTF-8 (its undecodable bytes are shown as \ufffd); rename the file"
                    )
                sha256 = file_sha256(path)
                name = printable(path.name)
                if source.empty_files_allowed and is_empty(path):
                    if name in loaded_names:
                        notes.append(
                            f"{name} was emptied after it was loaded; the rows it had stay in raw.{source.table}"
                        )
                    elif name not in empty_files:
                        notes.append(f"{name} is empty: a delivery without rows")
                    if name not in empty_files:
                        empty_files.append(name)
                    continue
                earlier = loaded.get(sha256) or parsing.get(sha256)
                if earlier is not None:
                    if earlier != name:
                        notes.append(
                            f"skipped re-delivered file {name}: the same content was loaded as {earlier} (nothing new)"
                        )
                    continue
                if name in loaded_names:
                    notes.append(f"{name} was rewritten with new content; loading it as a new version of the export")
                layout, header = file_layout(path, source)
                constants = {"_file_sha256": sha256}
                if "_layout" in source.file_columns:
                    constants["_layout"] = layout.name
                if source.export_time is not None:
                    exported = source.export_time(path.name, file["modification_date"])
                    constants["_exported_at"] = _timestamp_text(exported)
                constants["_dlt_load_id"] = load_id
                parsing[sha256] = name
                loaded_names.add(name)
                queue.add(sha256, name, LandedFile(path, header, layout.header, constants))
            queue.flush()
        except CsvFileError:
            queue.flush()  # the files gathered before this one are parsed: an error of theirs is the one to report
            _raise_first_parse_error(queue.submitted)
            raise
        for contents, parse in queue.submitted:
            parts = parse.result()  # a bad file raises here, in the files' order: the run stops, nothing of it loads
            loaded.update(contents)
            try:
                # Extra columns of a file land too, as text; dropped ones are not created.
                ready = [
                    bundled
                    for part in parts
                    for bundled in bundles.add(
                        part, dlt.mark.make_hints(columns={column: text_column() for column in part.columns})
                    )
                ]
            except BaseException:
                for part in parts:
                    part.path.unlink(missing_ok=True)
                raise
            yield from _imports(ready)
        yield from _imports(bundles.finish())
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        _remove_unbundled([parse for _, parse in queue.submitted])
        bundles.discard()


class ParseQueue:
    """New files on their way to the parser: files under GROUP_BYTES in groups of about that size, larger ones alone.

    `submitted` holds each parse in the files' order, with the files it reads (content hash -> name).
    """

    def __init__(self, executor: Executor, source: CsvSource, spool_dir: Path, key: Callable[[], bytes]) -> None:
        self._executor = executor
        self._source = source
        self._spool_dir = spool_dir
        self._key = key
        self._file_key: bytes | None = None
        self._group: list[LandedFile] = []
        self._group_contents: LoadedFiles = {}
        self._group_bytes = 0
        self.submitted: list[tuple[LoadedFiles, Future]] = []

    def add(self, sha256: str, name: str, file: LandedFile) -> None:
        if self._file_key is None:  # the key is asked for only when a file needs it
            self._file_key = self._key() if self._source.derived_columns else b""
        size = file.path.stat().st_size
        if size >= GROUP_BYTES:  # read block by block: a file of any size fits in memory
            self.flush()  # the files before it first: parses are taken (and their errors raised) in the files' order
            self._submit(
                {sha256: name},
                write_load_files,
                file.path,
                file.header,
                self._spool_names(),
                ROWS_PER_FILE,
                file.constants,
                has_header=file.has_header,
            )
            return
        self._group.append(file)
        self._group_contents[sha256] = name
        self._group_bytes += size
        if self._group_bytes >= GROUP_BYTES:
            self.flush()

    def flush(self) -> None:
        """Submit the group of small files gathered so far."""
        if self._group:
            self._submit(self._group_contents, write_load_files_together, self._group, self._spool_names())
        self._group, self._group_contents, self._group_bytes = [], {}, 0

    def _submit(self, contents: LoadedFiles, parse: Callable[..., list[LoadFile]], *args: Any, **kwargs: Any) -> None:
        source = self._source
        future = self._executor.submit(
            parse, *args, drop=source.drop_columns, derived=source.derived_columns, key=self._file_key, **kwargs
        )
        self.submitted.append((contents, future))

    def _spool_names(self) -> SpoolNames:
        return SpoolNames(self._spool_dir, f"{self._source.table}.{uuid.uuid4().hex[:16]}")


def _raise_first_parse_error(submitted: list[tuple[LoadedFiles, Future]]) -> None:
    """Raise the error of the first parse submitted so far that failed, if any (waits for them)."""
    for _, parse in submitted:
        error = parse.exception()
        if error is not None:
            raise error


def _remove_unbundled(futures: list[Future]) -> None:
    """Remove the load files of parsed files the run stopped before bundling (after an error in an earlier file)."""
    for future in futures:
        if future.done() and not future.cancelled() and future.exception() is None:
            for part in future.result():
                part.path.unlink(missing_ok=True)


def _imports(ready: list[tuple[LoadFile, Any]]) -> Iterator[Any]:
    """Ready load files as dlt file imports, each removed once dlt has hard-linked (or copied) it into the package."""
    try:
        for load_file, hints in ready:
            yield dlt.mark.with_file_import(str(load_file.path), "csv", items_count=load_file.rows, hints=hints)
    finally:
        for load_file, _ in ready:
            load_file.path.unlink(missing_ok=True)


def is_empty(path: Path) -> bool:
    """True for a file without a line of data: 0 bytes, or only a UTF-8 byte order mark and line ends/blanks
    (what a spreadsheet saves for an empty sheet)."""
    if path.stat().st_size > EMPTY_FILE_MAX_BYTES:
        return False
    return not path.read_bytes().removeprefix(b"\xef\xbb\xbf").strip()


def unread_entries(landing_dir: Path, file_globs: Sequence[str]) -> list[str]:
    """What lies in the landing folder that the loader does not read: other names and subfolders."""
    return sorted(
        printable(entry.name) + ("/" if entry.is_dir() else "")
        for entry in landing_dir.iterdir()
        if entry.is_dir() or not is_read(entry.name, file_globs)
    )


def csv_resource(
    source: CsvSource,
    landing_dir: Path,
    spool_dir: Path,
    notes: list[str],
    loaded_before: Callable[[], LoadedFiles],
    key: Callable[[], bytes],
) -> dlt.sources.DltResource:
    """The files in `landing_dir` whose content is not loaded yet, as rows of raw.<source.table>.

    Entries the loader will not read (not matching the source's patterns, or a folder) are named in `notes`;
    `loaded_before` reads the loaded files back from the warehouse when the dlt state does not have them; `key`
    gives the source's pseudonym key for its derived columns (asked for only when a file is read).
    """
    landing_dir.mkdir(parents=True, exist_ok=True)
    unread = unread_entries(landing_dir, source.file_globs)
    if unread:
        notes.append(
            f"{NOT_READ_NOTE} {printable(str(landing_dir))}: {', '.join(unread)} "
            f"(only {' or '.join(source.file_globs)} files directly in the folder are loaded; move or rename them "
            "to load them)"
        )
    # One pattern is listed as it is; several are listed as every file, then filtered by `is_read`.
    listed = source.file_globs[0] if len(source.file_globs) == 1 else "*"
    all_files = filesystem(bucket_url=landing_dir.resolve().as_uri(), file_glob=listed, files_per_page=FILES_PER_PAGE)
    rows = dlt.transformer(name=source.table, write_disposition="append", columns=column_hints(source))(_new_file_rows)
    return all_files | rows(source=source, spool_dir=spool_dir, notes=notes, loaded_before=loaded_before, key=key)


def files_in_raw(connection: Connection, table: str, landing_dir: Path) -> LoadedFiles:
    """The files raw.<table> holds, as content hash -> file name: the loaded files when dlt's state lost them.

    Rows loaded before the table had `_file_sha256` (the CRM loader that went by modification time) name only
    their file: that file in the landing folder counts as loaded as it is now (exports are never rewritten in place).
    """
    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn, conn.cursor() as cursor:
        cursor.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            (RAW_SCHEMA, table),
        )
        columns = {row[0] for row in cursor.fetchall()}
        if not columns:
            return {}
        sha256 = sql.Identifier("_file_sha256") if "_file_sha256" in columns else sql.SQL("null")
        cursor.execute(
            sql.SQL("select distinct _source_file, {} from {}").format(sha256, sql.Identifier(RAW_SCHEMA, table))
        )
        files = cursor.fetchall()
    loaded: LoadedFiles = {}
    for name, content_hash in files:
        if content_hash is None and (landing_dir / name).is_file():
            content_hash = file_sha256(landing_dir / name)
        if content_hash is not None:
            loaded.setdefault(content_hash, name)
    return loaded


# The Postgres types of the dlt data types column_hints uses (dlt's own mapping for Postgres).
POSTGRES_TYPES = {"text": "varchar", "bigint": "bigint", "timestamp": "timestamp with time zone"}


def create_raw_table_if_missing(source: CsvSource, connection: Connection) -> str | None:
    """Create the source's raw table, empty, when no file has landed yet: the models read it from the first build.

    dlt creates a table only with its first rows, and a source may have delivered nothing yet (a new branch feed,
    a test without its files). The columns are those dlt would create; dlt adds later ones to a table that exists.
    (dlt's `materialize_table_schema` marker cannot do it: the resource is a transformer of the folder's listing,
    never called for an empty folder.)
    """
    columns = [
        sql.SQL("{} {}{}").format(
            sql.Identifier(name),
            sql.SQL(POSTGRES_TYPES[hints["data_type"]]),
            sql.SQL("" if hints["nullable"] else " not null"),
        )
        for name, hints in column_hints(source).items()
    ]
    with closing(psycopg2.connect(connection.libpq_dsn())) as conn, conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        cursor.execute(
            sql.SQL("create table if not exists {} ({})").format(
                sql.Identifier(RAW_SCHEMA, source.table), sql.SQL(", ").join(columns)
            )
        )
    return None
