"""CRM source: customer demographics exported as CSV files into the landing folder `customers/`.

An export is identified by its content (the SHA-256 of its bytes), not by its modification time: every `*.csv`
file directly in the folder whose content has not been loaded yet is loaded, whatever its name and mtime. The
hashes loaded so far are kept in the resource's dlt state (committed with each load, and restored by dlt from the
warehouse); when that state is missing, they are read back from raw.customers (data_rules.md, "Raw layer").
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import dlt
from dlt.sources.filesystem import FileItemDict, filesystem

from ingest.csv_files import CsvFileError, file_sha256, printable, read_header, warehouse_names, write_load_files
from ingest.sources import NOT_READ_NOTE

REQUIRED_COLUMNS = ("customer_id", "name", "age", "country", "is_active")
FILE_GLOB = "*.csv"
# An export's own time is the date in its name (customers_YYYYMMDD.csv, midnight UTC), else its modification time.
EXPORT_NAME = re.compile(r"customers_(\d{8})\.csv")
# The per-file columns this module adds to every row (besides csv_files' _source_file, _line_number, ...).
FILE_COLUMNS = ("_file_sha256", "_exported_at")
# Several load files let dlt's load workers run their COPYs in parallel.
ROWS_PER_FILE = 1_000_000

# Every source column lands as text; the loader's own columns get their real types. The two per-file columns are
# nullable: rows loaded before they existed have none (the models then fall back on _file_modified_at).
COLUMN_HINTS = {
    **{name: {"data_type": "text", "nullable": True} for name in REQUIRED_COLUMNS},
    "_source_file": {"data_type": "text", "nullable": False},
    "_line_number": {"data_type": "bigint", "nullable": False},
    "_file_modified_at": {"data_type": "timestamp", "nullable": False},
    "_file_sha256": {"data_type": "text", "nullable": True},
    "_exported_at": {"data_type": "timestamp", "nullable": True},
    "_dlt_load_id": {"data_type": "text", "nullable": False},
}

# Content hash -> name of the file it was first loaded from.
LoadedFiles = dict[str, str]


def export_time(name: str, modified_at: datetime) -> datetime:
    """The export's own time: the date in a name customers_YYYYMMDD.csv (00:00 UTC), else `modified_at`."""
    match = EXPORT_NAME.fullmatch(name)
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=timezone.utc)
        except ValueError:  # customers_20251341.csv: not a date
            pass
    return modified_at


def _timestamp_text(moment: datetime) -> str:
    """A UTC timestamp in the text form Postgres COPY reads fastest."""
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S.%f}Z"


@dlt.transformer(name="customers", write_disposition="append", columns=COLUMN_HINTS)
def customer_rows(
    files: list[FileItemDict], spool_dir: Path, notes: list[str], loaded_before: Callable[[], LoadedFiles]
) -> Iterator[Any]:
    """Each export whose content is new, parsed whole into CSV load files first, then imported into the package.

    A file whose content was loaded before (under any name) is skipped with a note; a known name with new content
    and a new file with an old modification time load like any new export. The load files carry the load id
    themselves: dlt's normalize step does not touch imported files.
    """
    load_id = dlt.current.load_package_state()["load_id"]
    state = dlt.current.resource_state()
    if "loaded_files" not in state:  # a new state folder, or one written by the mtime-cursor loader
        state["loaded_files"] = loaded_before()
    loaded: LoadedFiles = state["loaded_files"]
    loaded_names = set(loaded.values())
    spool_dir.mkdir(parents=True, exist_ok=True)
    for file in sorted(files, key=lambda item: (item["modification_date"], item["file_name"])):
        path = Path(file.local_file_path)
        if "\ufffd" in path.name and not path.exists():
            # The filesystem listing decodes names as UTF-8 and cannot give back the original bytes.
            raise CsvFileError(
                path, "the file name is not UTF-8 (its undecodable bytes are shown as \ufffd); rename the file"
            )
        sha256 = file_sha256(path)
        name = printable(path.name)
        if sha256 in loaded:
            if loaded[sha256] != name:
                notes.append(
                    f"skipped re-delivered file {name}: the same content was loaded as {loaded[sha256]} (nothing new)"
                )
            continue
        if name in loaded_names:
            notes.append(f"{name} was rewritten with new content; loading it as a new version of the export")
        header = read_header(path, REQUIRED_COLUMNS, FILE_COLUMNS)
        exported_at = export_time(path.name, file["modification_date"])
        stem = f"customers.{load_id}.{uuid.uuid4().hex[:12]}"
        parts = write_load_files(
            path,
            header,
            lambda part, stem=stem: spool_dir / f"{stem}.{part}.csv",
            ROWS_PER_FILE,
            {"_file_sha256": sha256, "_exported_at": _timestamp_text(exported_at), "_dlt_load_id": load_id},
        )
        loaded[sha256] = name
        loaded_names.add(name)
        # Extra columns of this file land too, as text.
        hints = dlt.mark.make_hints(
            columns={name: {"data_type": "text", "nullable": True} for name in warehouse_names(header)}
        )
        try:
            for part in parts:
                yield dlt.mark.with_file_import(str(part.path), "csv", items_count=part.rows, hints=hints)
        finally:
            for part in parts:
                part.path.unlink(missing_ok=True)  # dlt has hard-linked (or copied) it into the package


def unread_entries(landing_dir: Path) -> list[str]:
    """What lies in the landing folder that the loader does not read: other extensions and subfolders."""
    return sorted(
        printable(entry.name) + ("/" if entry.is_dir() else "")
        for entry in landing_dir.iterdir()
        if entry.is_dir() or not entry.match(FILE_GLOB)
    )


def customers_resource(
    landing_dir: Path, spool_dir: Path, notes: list[str], loaded_before: Callable[[], LoadedFiles]
) -> dlt.sources.DltResource:
    """The CSV exports in `landing_dir` whose content is not loaded yet, as raw.customers rows.

    Entries the loader will not read (not `*.csv`, or a folder) are named in `notes`; `loaded_before` reads the
    loaded files back from the warehouse when the dlt state does not have them.
    """
    landing_dir.mkdir(parents=True, exist_ok=True)
    unread = unread_entries(landing_dir)
    if unread:
        notes.append(
            f"{NOT_READ_NOTE} {printable(str(landing_dir))}: {', '.join(unread)} "
            f"(only {FILE_GLOB} files directly in the folder are loaded; move or rename them to load them)"
        )
    all_files = filesystem(bucket_url=landing_dir.resolve().as_uri(), file_glob=FILE_GLOB)
    return all_files | customer_rows(spool_dir=spool_dir, notes=notes, loaded_before=loaded_before)
