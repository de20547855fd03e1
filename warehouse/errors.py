"""The one error type the CLI turns into a clear message and a non-zero exit."""

from __future__ import annotations


class WarehouseError(Exception):
    """A failure a user can act on: what failed, where, and (in `hint`) what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  what to do: {self.hint}" if self.hint else self.message
