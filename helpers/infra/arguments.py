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


def count(value, name: str, low: int = 1, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]`` (whole floats accepted), else an error naming
    the argument and the range."""
    value = integral(value, name)
    if value < low or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {span}, got {value}")
    return value


def number(value, name: str, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a float in ``[low, high]`` (``(low, high]`` with ``low_open``); NaN, text
    and values outside are an error naming the argument."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    inside = (low < value if low_open else low <= value) and value <= high
    if not inside:  # also NaN
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {value}")
    return value


def labels(values, n_classes: int | None, name: str = "labels") -> np.ndarray:
    """A 1-D int array of class indices in ``0..n_classes - 1`` (any index >= 0 when
    ``n_classes`` is None), else an error naming it."""
    array = integral_array(values, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one class index per item (1-D), got shape {array.shape}")
    too_high = np.zeros_like(array, bool) if n_classes is None else array >= n_classes
    outside = np.unique(array[(array < 0) | too_high])
    if len(outside):
        allowed = ">= 0" if n_classes is None else f"0..{n_classes - 1}"
        raise ValueError(f"{name} hold class(es) {outside[:10].tolist()} outside {allowed}")
    return array


def same_length(**named) -> int:
    """The common length of the named sequences, or an error listing each length."""
    lengths = {name: len(values) for name, values in named.items()}
    if len(set(lengths.values())) > 1:
        names = " and ".join(lengths)
        listed = ", ".join(f"{name} {length}" for name, length in lengths.items())
        raise ValueError(
            f"{names} must have one entry per item, but their lengths differ: {listed}"
        )
    return next(iter(lengths.values()))


def model_batch(model, images, name: str = "images") -> np.ndarray:
    """``images`` as a finite float32 batch ``(N, *input shape)`` of at least one item that
    ``model`` accepts, else an error with the shape it expects; integer pixels (0..255 left
    unscaled) are refused."""
    images = np.asarray(images)
    if images.dtype.kind in "iub":
        raise ValueError(
            f"{name} hold whole numbers ({images.dtype}, e.g. 0..255) but the models take "
            "floats: convert with images.astype('float32') / 255 (or the model's "
            "preprocess_input)"
        )
    images = finite(images.astype(np.float32, copy=False), name)
    expected = tuple(model.inputs[0].shape[1:])
    if (
        images.ndim != len(expected) + 1
        or len(images) == 0
        or any(e is not None and e != s for e, s in zip(expected, images.shape[1:], strict=True))
    ):
        shape = ", ".join("any" if e is None else str(e) for e in expected)
        channels = ""
        if images.ndim == len(expected) + 1 and expected[-1] not in (None, images.shape[-1]):
            channels = (
                f" ({images.shape[-1]} channel(s) where the model takes {expected[-1]}: "
                f"{'grey' if expected[-1] == 1 else 'RGB'} images)"
            )
        raise ValueError(
            f"{name} must be a non-empty batch (N, {shape}) for model {model.name!r}, got shape "
            f"{images.shape}{channels}; for one image use image[None]"
        )
    return images


def per_item(values, n: int, name: str) -> np.ndarray:
    """Whole numbers given once for all ``n`` items or once per item, as an ``(n,)`` int
    array; any other length is an error naming the argument."""
    array = integral_array(values, name)
    if array.ndim > 1 or array.size not in (1, n):
        raise ValueError(
            f"{name} must be one number or one per item ({n}), got shape {array.shape}"
        )
    return np.broadcast_to(array.reshape(-1), (n,))
