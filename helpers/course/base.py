"""What every notebook does first (:func:`setup`), how its text states a result that must
hold (:func:`claim`), and the size cap of the ``full`` profile's smoke runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import tensorflow as tf

from helpers import plots
from helpers.infra import config


@dataclass
class SetupReport:
    """What :func:`setup` found; notebooks keep it to pass the profile along."""

    profile: str
    seed: int
    versions: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        limit = config.full_limit() if self.profile == "full" else None
        cap = f" (COURSE_FULL_LIMIT={limit}: a smoke run, not the papers' sizes)" if limit else ""
        return "\n".join(
            [
                f"profile      : {self.profile}{cap}",
                f"seed         : {self.seed}",
                "versions     : " + ", ".join(f"{k} {v}" for k, v in self.versions.items()),
            ]
        )


def setup(profile: str | None = None, seed: int = config.DEFAULT_SEED, verbose: bool = True):
    """First call of every notebook: fix seeds, apply the plot style, report the profile."""
    chosen = config.get_profile(profile)
    tf.get_logger().setLevel("ERROR")  # no retracing chatter from many small models
    config.seed_everything(seed)
    plots.apply_style()
    report = SetupReport(chosen, seed, {"tensorflow": tf.__version__, "keras": keras.__version__})
    if verbose:
        print(report.summary())
    return report


def claim(profile: str, holds: Callable[[], bool], statement: str) -> None:
    """A result the notebook's text states. In ``quick`` (what the text describes) it must
    hold, or the cell fails; when it holds the cell says so ("checked: ..."), so a learner
    reads what was checked, not a bare assertion. In ``full`` the text describes the quick
    profile: say whether the statement holds in this setting too."""
    if config.get_profile(profile) == "quick":
        if not holds():
            raise AssertionError(f"the text says: {statement}")
        print(f"checked: {statement}")
        return
    try:
        verdict = "holds here too" if holds() else "does NOT hold in this setting"
    except (KeyError, IndexError, ValueError):
        verdict = "does not apply to this setting"
    print(f"The text describes the quick profile: '{statement}' {verdict}.")


def capped(default: int) -> int:
    """``default``, or ``COURSE_FULL_LIMIT`` when that is smaller."""
    limit = config.full_limit()
    return default if limit is None else min(default, limit)
