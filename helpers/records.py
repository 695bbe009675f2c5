"""Measurements shipped with the course: a JSON record measured once by ``scripts/``, with the
sha256 of its own content and a description of what it was measured with (model checksums,
split, settings). Reading one back refuses a damaged or hand-edited record, or one measured
with something else, and names the command that measures again."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
from pathlib import Path

import numpy as np

from helpers import config


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
    payload["sha256"] = _digest(payload)
    config.write_atomically(Path(path), json.dumps(payload, indent=1) + "\n")
    return Path(path)


def load(path: Path, measured_with: dict, rerun: str) -> dict:
    """The record at ``path``, checked: whole, unedited, and measured with ``measured_with``
    (each differing key is named). Raises ``ModelUnavailableError`` saying how to fix it."""
    from helpers.zoo import ModelUnavailableError

    path = Path(path)
    fix = f"Restore it with `git checkout -- {path}` or measure again with `{rerun}`."
    try:
        payload = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelUnavailableError(f"The measurements file {path} is missing. {fix}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelUnavailableError(
            f"The measurements file {path} is damaged ({error}). {fix}"
        ) from None
    if not isinstance(payload, dict) or payload.get("sha256") != _digest(payload):
        raise ModelUnavailableError(
            f"The measurements file {path} was changed by hand or damaged (its sha256 does "
            f"not match its content). {fix}"
        )
    recorded = payload.get("measured_with", {})
    keys = set(recorded) | set(measured_with)
    differing = sorted(k for k in keys if recorded.get(k) != measured_with.get(k))
    if differing:
        raise ModelUnavailableError(
            f"The measurements in {path} were made with another {', '.join(differing)} "
            f"(recorded: {[recorded.get(k) for k in differing]}); measure again with `{rerun}`."
        )
    return payload
