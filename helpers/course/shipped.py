"""Measurements shipped with the course: a JSON record measured once by ``scripts/``, with the
sha256 of its own content and a description of what it was measured with (model checksums,
split, settings). Reading one back refuses a damaged or hand-edited record, or one measured
with something else, and names the command that measures again.

One policy for a record that does not fit (:func:`shipped_or_measured`): the notebook says why,
measures here (with a progress bar) and goes on; it never fails because a record belongs to
other data.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from helpers.infra import sources
from helpers.models.zoo import ModelUnavailableError

T = TypeVar("T")


class RecordUnusable(ModelUnavailableError):
    """A shipped record that is missing, damaged, or measured with something else;
    ``reason`` says which in a few words a learner can read."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def _digest(payload: dict) -> str:
    body = {k: v for k, v in payload.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def array_sha256(array) -> str:
    """The sha256 of an array's values (C order), to record what was measured on."""
    return hashlib.sha256(np.asarray(array).tobytes()).hexdigest()


def save(path: Path, measured_with: dict, content: dict, rerun: str) -> Path:
    """Write ``content`` as a record of what it was ``measured_with`` (JSON values), when and
    where, and by which command (``rerun``); atomically, with the record's own sha256."""
    payload = {
        "measured_with": measured_with,
        "measured": f"{datetime.date.today()} on {platform.machine()}, "
        f"{os.cpu_count()} CPU cores, by `{rerun}`",
        **content,
    }
    try:
        payload["sha256"] = _digest(payload)
    except TypeError as error:  # e.g. a numpy array or float32 in the content
        raise ValueError(
            f"a record holds JSON values only (numbers, text, lists, dicts): {error}; convert "
            "arrays with .tolist() and numpy numbers with float() or int() first"
        ) from None
    sources.write_atomically(Path(path), json.dumps(payload, indent=1) + "\n")
    return Path(path)


def load(path: Path, measured_with: dict, rerun: str) -> dict:
    """The record at ``path``, checked: whole, unedited, and measured with ``measured_with``
    (each differing key is named). Raises :class:`RecordUnusable` saying how to fix it."""
    path = Path(path)
    fix = f"Restore it with `git checkout -- {path}` or measure again with `{rerun}`."
    try:
        payload = json.loads(path.read_text())
    except FileNotFoundError:
        raise RecordUnusable(f"The measurements file {path} is missing. {fix}", "missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RecordUnusable(
            f"The measurements file {path} is damaged ({error}). {fix}", "damaged"
        ) from None
    if not isinstance(payload, dict) or payload.get("sha256") != _digest(payload):
        raise RecordUnusable(
            f"The measurements file {path} was changed by hand or damaged (its sha256 does "
            f"not match its content). {fix}",
            "changed by hand or damaged",
        )
    recorded = payload.get("measured_with", {})
    keys = set(recorded) | set(measured_with)
    differing = sorted(k for k in keys if recorded.get(k) != measured_with.get(k))
    if differing:
        raise RecordUnusable(
            f"The measurements in {path} were made with different {', '.join(differing)} "
            f"(recorded: {[recorded.get(k) for k in differing]}); measure again with `{rerun}`.",
            f"it was made with different {', '.join(differing)}",
        )
    return payload


def shipped_or_measured(
    read: Callable[[], tuple[T, str]],
    measure: Callable[[], T],
    name: str,
    live: bool = False,
) -> tuple[T, str]:
    """The course's one policy for shipped records.

    Parameters
    ----------
    read
        Returns ``(value, source)`` from the shipped record, or raises :class:`RecordUnusable`.
    measure
        Measures the same value here (showing its own progress bar when slow).
    name
        The record's file name, for the message.
    live
        Measure here without reading the record (a notebook's ``LIVE = True``).

    Returns
    -------
    value, source
        ``source`` says where the value comes from; when the record did not fit, why, which
        is also printed before measuring so the learner knows what the wait is for.
    """
    if live:
        reason = "LIVE = True"
    else:
        try:
            return read()
        except RecordUnusable as error:
            reason = f"the shipped record {name} does not fit this run: {error.reason}"
        print(f"Measuring here ({reason}).", flush=True)
    return measure(), f"measured here ({reason})"
