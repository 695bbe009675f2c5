"""Course-wide settings: the profile, the paths, seeds, and the set-up check."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MODELS_DIR = DATA_DIR / "models"
PROFILES = ("quick", "full")
DEFAULT_SEED = 0


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to a temporary file beside ``path``, then rename it into place: a
    write that fails half-way (disk full) leaves the old file whole and no partial file."""
    path = Path(path)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb" if isinstance(content, bytes) else "w") as tmp:
            tmp.write(content)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def get_profile(profile: str | None = None) -> str:
    """Return the active profile: the argument, else ``$COURSE_PROFILE``, else ``quick``.

    Raises
    ------
    ValueError
        If the profile is not one of ``quick`` or ``full``.
    """
    chosen = profile or os.environ.get("COURSE_PROFILE") or "quick"
    chosen = chosen.strip().lower()
    if chosen not in PROFILES:
        raise ValueError(
            f"Unknown profile {chosen!r}: use one of {PROFILES} "
            "(set it in the notebook's first cell or with COURSE_PROFILE=quick|full)."
        )
    return chosen


def user_cache_dir() -> Path:
    """Where models trained on demand are cached: ``$COURSE_CACHE`` or ``~/.cache/cnn-course``."""
    return Path(os.environ.get("COURSE_CACHE", Path.home() / ".cache" / "cnn-course"))


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and the Keras backend so a notebook gives the same numbers each run."""
    import keras

    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    keras.utils.set_random_seed(seed)


@dataclass
class SetupReport:
    """What :func:`setup` found; notebooks keep it to pass the profile along."""

    profile: str
    seed: int
    data_source: str
    models: dict[str, float | None] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"profile      : {self.profile}",
            f"seed         : {self.seed}",
            f"data         : {self.data_source}",
        ]
        if self.models:
            for name, acc in self.models.items():
                acc_text = "n/a" if acc is None else f"{acc:.4f}"
                lines.append(f"model        : {name} (test accuracy {acc_text})")
        else:
            lines.append("model        : none shipped yet")
        lines.append("versions     : " + ", ".join(f"{k} {v}" for k, v in self.versions.items()))
        return "\n".join(lines)


def setup(
    profile: str | None = None, seed: int = DEFAULT_SEED, verbose: bool = True
) -> SetupReport:
    """First call of every notebook: fix seeds, apply the plot style, report what is in use."""
    import keras
    import tensorflow as tf

    from helpers import data, plots, zoo

    chosen = get_profile(profile)
    tf.get_logger().setLevel("ERROR")  # no retracing chatter from many small models
    seed_everything(seed)
    plots.apply_style()
    report = SetupReport(
        profile=chosen,
        seed=seed,
        data_source=data.describe_fashion_mnist_source(chosen),
        models={entry["name"]: entry.get("test_accuracy") for entry in zoo.manifest_entries()},
        versions={"tensorflow": tf.__version__, "keras": keras.__version__},
    )
    if verbose:
        print(report.summary())
    return report


def share_cores(processes: int) -> None:
    """Give each of ``processes`` running side by side (kernels, test workers) its share of
    the cores, unless the caller chose: processes that each start a thread per core contend
    for them."""
    threads = str(max(1, (os.cpu_count() or 1) // processes))
    for variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ.setdefault(variable, threads)
