"""Course-wide settings at the bottom of the package (it imports none of it): the profile,
the paths, seeds, the size cap of smoke runs, cores per process."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
MODELS_DIR = DATA_DIR / "models"
PROFILES = ("quick", "full")
DEFAULT_SEED = 0


def get_profile(profile: str | None = None) -> str:
    """Return the active profile: the argument, else ``$COURSE_PROFILE``, else ``quick``.

    Raises
    ------
    ValueError
        If the profile is not one of ``quick`` or ``full``.
    """
    chosen = profile or os.environ.get("COURSE_PROFILE") or "quick"
    if not isinstance(chosen, str):
        raise ValueError(
            f"The profile must be the text 'quick' or 'full', got {chosen!r} "
            f'({type(chosen).__name__}): write PROFILE = "quick" in the notebook\'s first cell.'
        )
    chosen = chosen.strip().lower()
    if chosen not in PROFILES:
        raise ValueError(
            f"Unknown profile {chosen!r}: use one of {PROFILES} "
            "(set it in the notebook's first cell or with COURSE_PROFILE=quick|full)."
        )
    return chosen


FASHION_MNIST_CHOICES = ("subset", "full")


def fashion_mnist_choice() -> str:
    """``$COURSE_FASHION_MNIST``: ``subset`` (unset: the quick profile's fixed data, the
    subset shipped in ``data/``) or ``full`` (the 60,000 + 10,000 images, asked for by name).

    Raises
    ------
    ValueError
        If the variable holds anything else.
    """
    value = os.environ.get("COURSE_FASHION_MNIST", "").strip().lower() or "subset"
    if value not in FASHION_MNIST_CHOICES:
        raise ValueError(
            f"COURSE_FASHION_MNIST={value!r}: use one of {FASHION_MNIST_CHOICES} (or leave it "
            "unset for the shipped subset)."
        )
    return value


def user_cache_dir() -> Path:
    """Where models trained on demand are cached: ``$COURSE_CACHE`` or ``~/.cache/cnn-course``."""
    return Path(os.environ.get("COURSE_CACHE", Path.home() / ".cache" / "cnn-course"))


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and the Keras backend so a notebook gives the same numbers each run."""
    import keras

    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    keras.utils.set_random_seed(seed)


def full_limit() -> int | None:
    """``$COURSE_FULL_LIMIT``: a cap on images per set and epochs for smoke runs of the
    ``full`` profile (stand-ins in CI); None (the papers' sizes) when unset."""
    value = os.environ.get("COURSE_FULL_LIMIT", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(
            f"COURSE_FULL_LIMIT={value!r} must be a positive whole number of images "
            "(or unset, for the papers' sizes)."
        )
    return int(value)


def share_cores(processes: int) -> None:
    """Give each of ``processes`` running side by side (kernels, test workers) its share of
    the cores, unless the caller chose: processes that each start a thread per core contend
    for them."""
    threads = str(max(1, (os.cpu_count() or 1) // processes))
    for variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ.setdefault(variable, threads)
