"""Shared fixtures: tiny fake Fashion-MNIST folders and an isolated data environment."""

from __future__ import annotations

import dataclasses
import gzip
import importlib.util
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import data  # noqa: E402
from helpers.data import fashion_mnist  # noqa: E402
from helpers.infra import config, sources  # noqa: E402


def load_script(name):
    """A module of ``scripts/`` (not a package), loaded by file path."""
    spec = importlib.util.spec_from_file_location(name, config.REPO_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_idx_split(folder, split: str, images, labels) -> None:
    """Write one split (``train`` or ``t10k``) as Fashion-MNIST's two idx gz files:
    ``images`` uint8 (N, 28, 28), ``labels`` (N,)."""
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = np.asarray(images, np.uint8), np.asarray(labels, np.uint8)
    header = np.array([2051, len(images), 28, 28], dtype=">i4").tobytes()
    with gzip.open(folder / f"{split}-images-idx3-ubyte.gz", "wb") as f:
        f.write(header + images.tobytes())
    with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(np.array([2049, len(labels)], dtype=">i4").tobytes() + labels.tobytes())


def write_idx_folder(folder, n_train=30, n_test=10, seed=0):
    """Write the four Fashion-MNIST idx gz files with random images; return their labels."""
    rng = np.random.default_rng(seed)
    labels = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels[split] = np.arange(n, dtype=np.uint8) % 10
        write_idx_split(folder, split, images, labels[split])
    return labels


def serve_source(monkeypatch, name, path, checksum=None):
    """Source ``name`` of the registry downloaded from the local file ``path``, its checksum
    ``checksum`` (default: the file's own, as the source's algorithm computes it)."""
    source = sources.SOURCES[name]
    if checksum is None:
        checksum = sources.digest_of(path, source.algorithm, source.decompressed)
    served = dataclasses.replace(source, url=Path(path).as_uri(), checksum=checksum)
    monkeypatch.setitem(sources.SOURCES, name, served)


def register_as_official(folder, monkeypatch):
    """Make the idx files in ``folder`` the official release, downloaded from ``folder``."""
    for name in data.FASHION_FILES:
        serve_source(monkeypatch, f"fashion-mnist/{name}", folder / name)


@pytest.fixture
def isolated_data(tmp_path, monkeypatch):
    """No Fashion-MNIST anywhere: empty repo data dir, Keras home, system dir; no $COURSE_DATA."""
    monkeypatch.delenv("COURSE_DATA", raising=False)
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "repo_data")
    monkeypatch.setattr(fashion_mnist, "SYSTEM_FASHION_DIR", tmp_path / "system")
    return tmp_path


@pytest.fixture(scope="session")
def subset():
    """The shipped Fashion-MNIST subset."""
    return data.read_fashion_subset()
