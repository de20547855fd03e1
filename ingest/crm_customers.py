"""CRM source: customer demographics exported as CSV files into the landing folder `customers/`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
from dlt.sources.filesystem import FileItemDict, filesystem

from ingest.csv_files import CsvFileError, read_header, warehouse_names, write_load_files

REQUIRED_COLUMNS = ("customer_id", "name", "age", "country", "is_active")
FILE_GLOB = "*.csv"
# Several load files let dlt's load workers run their COPYs in parallel.
ROWS_PER_FILE = 1_000_000

# Every source column lands as text; the loader's own columns get their real types.
COLUMN_HINTS = {
    **{name: {"data_type": "text", "nullable": True} for name in REQUIRED_COLUMNS},
    "_source_file": {"data_type": "text", "nullable": False},
    "_line_number": {"data_type": "bigint", "nullable": False},
    "_file_modified_at": {"data_type": "timestamp", "nullable": False},
    "_dlt_load_id": {"data_type": "text", "nullable": False},
}


@dlt.transformer(name="customers", write_disposition="append", columns=COLUMN_HINTS)
def customer_rows(files: list[FileItemDict], spool_dir: Path) -> Iterator[Any]:
    """Each new export file, parsed whole into CSV load files first, then imported into the load package.

    The load files carry the load id themselves: dlt's normalize step does not touch imported files.
    """
    load_id = dlt.current.load_package_state()["load_id"]
    spool_dir.mkdir(parents=True, exist_ok=True)
    for file in sorted(files, key=lambda item: (item["modification_date"], item["file_name"])):
        path = Path(file.local_file_path)
        if "\ufffd" in path.name and not path.exists():
            # The filesystem listing decodes names as UTF-8 and cannot give back the original bytes.
            raise CsvFileError(
                path, "the file name is not UTF-8 (its undecodable bytes are shown as \ufffd); rename the file"
            )
        header = read_header(path, REQUIRED_COLUMNS)
        stem = f"customers.{load_id}.{uuid.uuid4().hex[:12]}"
        parts = write_load_files(
            path,
            header,
            lambda part, stem=stem: spool_dir / f"{stem}.{part}.csv",
            ROWS_PER_FILE,
            {"_dlt_load_id": load_id},
        )
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


def customers_resource(landing_dir: Path, spool_dir: Path) -> dlt.sources.DltResource:
    """New CSV exports in `landing_dir` (incremental on file modification time), as raw.customers rows."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    new_files = filesystem(
        bucket_url=landing_dir.resolve().as_uri(),
        file_glob=FILE_GLOB,
        incremental=dlt.sources.incremental("modification_date"),
    )
    return new_files | customer_rows(spool_dir=spool_dir)
