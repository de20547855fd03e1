"""The one error type the CLI turns into a clear message and a non-zero exit."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class WarehouseError(Exception):
    """A failure a user can act on: what failed, where, and (in `hint`) what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  what to do: {self.hint}" if self.hint else self.message


# What a full disk, a missing permission or a read-only file system raise.
FILE_SYSTEM_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def is_file_error(error: BaseException) -> bool:
    """An OSError about a file or the file system (not, say, a refused network connection)."""
    return isinstance(error, OSError) and (error.filename is not None or error.errno in FILE_SYSTEM_ERRNOS)


def file_error(
    error: OSError, doing: str = "read or write a file", setting: str | None = None, path: Path | None = None
) -> WarehouseError:
    """A file-system failure outside the models (disk full, no permission, read-only) as a clear error.

    `doing` says what failed ("write the HTML report"); `setting` is the variable that points it elsewhere; `path`
    is the file when the error does not name it (a failed write() names none).
    """
    named = error.filename or path
    path = str(named) if named else "(unknown path)"
    folder = Path(path).parent if named else Path.cwd()
    elsewhere = f", or set {setting} to another place" if setting else ""
    if error.errno == errno.ENOSPC:
        cause = "the disk is full (no space left on device)"
        hint = f"free space on the file system that holds {folder} (`df -h {folder}`), then run the command again."
    elif error.errno == errno.EDQUOT:
        cause = "the disk quota is used up"
        hint = f"free space in your quota on the file system that holds {folder}, then run the command again."
    elif error.errno == errno.EROFS:
        cause = "the file system is read-only"
        hint = f"mount the file system that holds {folder} read-write{elsewhere}, then run the command again."
    elif error.errno in (errno.EACCES, errno.EPERM):
        cause = "permission denied"
        hint = f"give the user running the warehouse write access to {folder}{elsewhere}, then run the command again."
    else:
        cause = error.strerror or os.strerror(error.errno or 0) or type(error).__name__
        hint = f"fix the cause above for {path}{elsewhere}, then run the command again."
    return WarehouseError(f"cannot {doing}: {path}: {cause}", hint=hint)
