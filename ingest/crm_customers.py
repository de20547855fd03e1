"""CRM source: customer demographics exported as CSV files into the landing folder `customers/`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.sources.filesystem import FileItemDict, filesystem

from ingest.csv_files import CsvFileError, read_header, read_text_batches, validate

REQUIRED_COLUMNS = ("customer_id", "name", "age", "country", "is_active")
FILE_GLOB = "*.csv"
CHUNK_ROWS = 250_000

# Every source column lands as text; the loader's own columns get their real types.
COLUMN_HINTS = {
    **{name: {"data_type": "text", "nullable": True} for name in REQUIRED_COLUMNS},
    "_source_file": {"data_type": "text", "nullable": False},
    "_line_number": {"data_type": "bigint", "nullable": False},
    "_file_modified_at": {"data_type": "timestamp", "nullable": False},
    "_dlt_load_id": {"data_type": "text", "nullable": False},
}


@dlt.transformer(name="customers", write_disposition="append", columns=COLUMN_HINTS)
def customer_rows(files: list[FileItemDict]) -> Iterator[pa.Table]:
    """Each new export file, validated whole first, then yielded in Arrow batches."""
    for file in sorted(files, key=lambda item: (item["modification_date"], item["file_name"])):
        path = Path(file.local_file_path)
        if "\ufffd" in path.name and not path.exists():
            # The filesystem listing decodes names as UTF-8 and cannot give back the original bytes.
            raise CsvFileError(
                path, "the file name is not UTF-8 (its undecodable bytes are shown as \ufffd); rename the file"
            )
        header = read_header(path, REQUIRED_COLUMNS)
        validate(path, header)
        yield from read_text_batches(path, header, CHUNK_ROWS)


def customers_resource(landing_dir: Path) -> dlt.sources.DltResource:
    """New CSV exports in `landing_dir` (incremental on file modification time), as raw.customers rows."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    new_files = filesystem(
        bucket_url=landing_dir.resolve().as_uri(),
        file_glob=FILE_GLOB,
        incremental=dlt.sources.incremental("modification_date"),
    )
    return new_files | customer_rows
