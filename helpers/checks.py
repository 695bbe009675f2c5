"""Argument checks shared at the package's boundaries: integral counts and finite arrays."""

from __future__ import annotations

import numpy as np


def integral(value, name: str) -> int:
    """``value`` as an int when it is a whole number (``2``, ``2.0``, ``np.int64(2)``); any
    other value (``2.7``, ``"2"``, ``True``) is an error naming the argument."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not np.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def integral_array(values, name: str) -> np.ndarray:
    """An int array from whole numbers (one or many); fractions are an error naming it."""
    array = np.asarray(values)
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold whole numbers, got {values!r}")
    if array.dtype.kind == "f" and not (
        np.isfinite(array).all() and (array == np.round(array)).all()
    ):
        raise ValueError(f"{name} must hold whole numbers, got {values!r}")
    return array.astype(np.int64)


def finite(array, name: str) -> np.ndarray:
    """``array`` as floats, or an error naming it when it holds NaN or inf."""
    array = np.asarray(array)
    array = array if array.dtype.kind == "f" else array.astype(float)
    if not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).sum())
        raise ValueError(
            f"{name} holds {bad} NaN or infinite value(s): clean or drop those items first"
        )
    return array
