"""What a CSV source is: a declaration of its landing folder, file layouts and columns; csv_landing loads it.

A source that delivers CSV files into a folder of the landing root is one `CsvSource` (in a small module of its
own, e.g. ingest/crm_customers.py) plus one entry in the list in ingest/sources.py; the reading, the loading by
file content, the notes and the errors are the same for every such source. This module imports nothing heavy:
the list of sources reads the declarations without loading dlt or Arrow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class CsvLayout:
    """One way a source's files may be laid out, and how to recognise it from the fields of the file's line 1.

    With `header`, line 1 names the columns (any order, any case; extra columns land too). Without, `columns`
    names the fields of every line in order (snake_case, as in the raw table). `matches` gets line 1's fields
    (stripped, as text) and says whether a file has this layout; None matches every file. A source's layouts are
    tried in order, the first that matches reads the file.
    """

    name: str
    header: bool = True
    columns: tuple[str, ...] = ()
    matches: Callable[[list[str]], bool] | None = None


@dataclass(frozen=True)
class DerivedColumn:
    """A column computed from each block of parsed rows, before dropped columns go: e.g. a keyed hash of a card number.

    `compute` gets an Arrow record batch of the file's columns (warehouse names, all text, dropped ones included)
    plus `_line_number`, and the source's pseudonym key (ingest/pseudonyms.py) for keyed hashes; it returns an
    Arrow string array, one value per row.
    """

    name: str
    compute: Callable[[pa.RecordBatch, bytes], pa.Array]


@dataclass(frozen=True)
class CsvSource:
    """A CSV source: files matching `file_globs` directly in <landing root>/<folder>, loaded into raw.<table>.

    `name` is the source's name (`warehouse ingest --source <name>`, the dlt pipeline `<name>_to_raw`).
    `required_columns` must be in every file; `drop_columns` (personal data) are read but never written: no load
    file, dlt state or raw table holds them. `derived_columns` are computed before the drop. With `export_time`,
    each row gets `_exported_at`: the export's own time from the file's name and modification time. With
    `empty_files_allowed`, a file of 0 bytes is a delivery without rows (a till's closed day), noted once; without,
    it is an error. A source of several layouts gives each row `_layout`, the name of the layout that read it.
    """

    name: str
    table: str
    folder: str
    layouts: tuple[CsvLayout, ...]
    required_columns: tuple[str, ...]
    file_globs: tuple[str, ...] = ("*.csv",)
    drop_columns: tuple[str, ...] = ()
    derived_columns: tuple[DerivedColumn, ...] = ()
    export_time: Callable[[str, datetime], datetime] | None = None
    empty_files_allowed: bool = False

    def __post_init__(self) -> None:
        if not self.layouts:
            raise ValueError(f"CSV source {self.name} declares no layout")
        for layout in self.layouts:
            if layout.header == bool(layout.columns):
                raise ValueError(
                    f"CSV source {self.name}, layout {layout.name}: name the columns exactly when there is no header"
                )
            missing = set(self.required_columns) - set(layout.columns) if not layout.header else set()
            if missing:
                raise ValueError(f"CSV source {self.name}, layout {layout.name} lacks {', '.join(sorted(missing))}")

    @property
    def file_columns(self) -> tuple[str, ...]:
        """The loader's per-file columns of this source (besides csv_files.LOADER_COLUMNS and `_dlt_load_id`)."""
        return (
            "_file_sha256",
            *(("_layout",) if len(self.layouts) > 1 else ()),
            *(("_exported_at",) if self.export_time else ()),
        )

    @property
    def own_columns(self) -> tuple[str, ...]:
        """Names a file's header may not use: the per-file columns and the derived ones."""
        return (*self.file_columns, *(column.name for column in self.derived_columns))
