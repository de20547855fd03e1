"""A tiny column store: a dataclass of equal-length numpy arrays that can be sliced, stacked and counted."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import TypeVar

import numpy as np

T = TypeVar("T", bound="Columns")


class Columns:
    """Mixin for dataclasses whose fields are all numpy arrays of one length."""

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))  # type: ignore[arg-type]

    def take(self: T, index: np.ndarray) -> T:
        """The rows at `index` (positions or a boolean mask), in that order."""
        return replace(self, **{f.name: getattr(self, f.name)[index] for f in fields(self)})  # type: ignore[arg-type]

    @classmethod
    def stack(cls: type[T], parts: list[T]) -> T:
        """All rows of `parts`, one after the other."""
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})  # type: ignore[arg-type]


def pick(rng: np.random.Generator, n: int, choices: tuple[float, ...]) -> np.ndarray:
    """n draws of an index into `choices`, each with its weight (weights need not sum to 1)."""
    weights = np.asarray(choices, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum()).astype(np.int16)


def count_in(values: np.ndarray, wanted: np.ndarray | list[int]) -> int:
    """How many values are in `wanted`."""
    return int(np.isin(values, wanted).sum())
