"""Fashion-MNIST: the subset shipped in ``data/`` and the full set, read and checked.

The ``quick`` profile always reads the stratified subset shipped in ``data/``, on every machine,
whatever else is installed: everything the course ships and asserts is measured on it. The
full Fashion-MNIST is read only when asked for by name (an explicit path,
``COURSE_FASHION_MNIST=full``, or the ``full`` profile) and is found, in this order: the path,
``$COURSE_DATA``, ``data/`` in the repository, Keras' cache, Debian's
``dataset-fashion-mnist``, a download (``full`` profile only); when it is missing
:class:`~helpers.infra.errors.DataNotFoundError` says how to fetch it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np

from helpers.data.dataset import Dataset
from helpers.infra import config, sources
from helpers.infra.errors import DataNotFoundError
from helpers.infra.sampling import stratified_indices

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


FASHION_FILES = (  # each a source "fashion-mnist/<name>" in helpers.infra.sources.SOURCES
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
FASHION_SUBSET = config.DATA_DIR / "fashion_mnist_subset.npz"
SYSTEM_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FETCH_HINT = (
    "Fetch it with one of:\n"
    "  sudo apt-get install dataset-fashion-mnist          (Debian/Ubuntu, offline afterwards)\n"
    "  python -m helpers fetch fashion-mnist               (downloads into ~/.keras/datasets)\n"
    "or copy the four *-ubyte.gz files into $COURSE_DATA/fashion-mnist."
)


def fashion_mnist_candidates(path: str | os.PathLike | None = None) -> list[Path]:
    """The folders searched for the full Fashion-MNIST, in resolution order."""
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    root = sources.course_data_dir()
    if root is not None:
        candidates += [root / "fashion-mnist", root]
    candidates += [
        config.DATA_DIR / "fashion-mnist",
        sources.keras_home() / "datasets" / "fashion-mnist",
        SYSTEM_FASHION_DIR,
    ]
    return candidates


def _has_fashion_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FASHION_FILES)


def find_fashion_mnist(path: str | os.PathLike | None = None) -> Path | None:
    """The first folder holding the four Fashion-MNIST files, or None.

    An explicit ``path`` that lacks them raises :class:`DataNotFoundError` instead of being
    skipped, so a typo is never silently replaced by another copy.
    """
    if path is not None and not _has_fashion_files(Path(path)):
        raise DataNotFoundError(
            f"{path} does not hold the Fashion-MNIST files {sorted(FASHION_FILES)}.\n{FETCH_HINT}"
        )
    for folder in fashion_mnist_candidates(path):
        if _has_fashion_files(folder):
            return folder
    return None


IDX_MAGIC = {"images": 2051, "labels": 2049}


def _read_idx(path: Path, kind: str) -> tuple[np.ndarray, str]:
    """The payload of one idx gz file, checked (magic number, 28x28 images, the count in the
    header equals the bytes present), and the sha256 of its decompressed bytes."""
    fix = f"delete {path} and fetch it again (`python -m helpers fetch fashion-mnist`)"
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DataNotFoundError(
            f"{path} is truncated or not a gzip file ({type(error).__name__}: {error}): {fix}."
        ) from error
    header = 16 if kind == "images" else 8
    fields = np.frombuffer(raw[:header], dtype=">u4") if len(raw) >= header else np.array([])
    if len(fields) == 0 or fields[0] != IDX_MAGIC[kind]:
        raise DataNotFoundError(
            f"{path} is not an idx {kind} file (magic number {IDX_MAGIC[kind]} expected): {fix}."
        )
    count = int(fields[1])
    per_item = 28 * 28 if kind == "images" else 1
    if kind == "images" and tuple(fields[2:4]) != (28, 28):
        raise DataNotFoundError(f"{path} holds {tuple(fields[2:4])} images, not 28x28: {fix}.")
    if len(raw) - header != count * per_item:
        raise DataNotFoundError(
            f"{path} announces {count} {kind} but holds {(len(raw) - header) // per_item}: {fix}."
        )
    payload = np.frombuffer(raw, dtype=np.uint8, offset=header)
    return payload, hashlib.sha256(raw).hexdigest()


def _to_float_images(raw: np.ndarray) -> np.ndarray:
    return (raw.reshape(-1, 28, 28, 1).astype(np.float32)) / 255.0


def read_fashion_folder(folder: Path) -> Dataset:
    """Read the four idx files of one folder into a :class:`Dataset`, checked.

    Files that are valid idx files but not the official release (their sha256 differs: a
    partial or altered copy) are read with a warning, and the dataset says so in its source.
    """
    arrays, official = {}, True
    for name in FASHION_FILES:
        kind = "images" if "images" in name else "labels"
        arrays[name], actual = _read_idx(folder / name, kind)
        official &= actual == sources.SOURCES[f"fashion-mnist/{name}"].checksum
    for split in ("train", "t10k"):
        n_images = len(arrays[f"{split}-images-idx3-ubyte.gz"]) // (28 * 28)
        n_labels = len(arrays[f"{split}-labels-idx1-ubyte.gz"])
        if n_images != n_labels:
            raise DataNotFoundError(
                f"{folder} holds {n_images} {split} images but {n_labels} labels: the files do "
                "not belong together; fetch them again (`python -m helpers fetch fashion-mnist`)."
            )
    y_train = arrays["train-labels-idx1-ubyte.gz"].astype(np.int64)
    y_test = arrays["t10k-labels-idx1-ubyte.gz"].astype(np.int64)
    if official:
        source = f"full Fashion-MNIST from {folder}"
    else:
        source = (
            f"Fashion-MNIST-format files from {folder}, not the official release "
            f"(sha256 differs): {len(y_train)} train / {len(y_test)} test"
        )
        warnings.warn(f"Reading {source}.", stacklevel=2)
    return Dataset(
        _to_float_images(arrays["train-images-idx3-ubyte.gz"]),
        y_train,
        _to_float_images(arrays["t10k-images-idx3-ubyte.gz"]),
        y_test,
        FASHION_CLASSES,
        source,
        np.arange(len(y_train)),
    )


def _check_subset_arrays(arrays, path: Path) -> None:
    """Each split's images, labels and positions belong together: one label and one
    position per 28 x 28 image, labels 0..9."""
    fix = f"restore it with `git checkout -- {path}`"
    for split, index in (("train", "train_index"), ("test", "test_index")):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        positions = arrays[index] if index in arrays.files else labels
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DataNotFoundError(
                f"The shipped subset {path} holds {split} images of shape {images.shape[1:]}, "
                f"not 28 x 28: {fix}."
            )
        if not len(images) == len(labels) == len(positions):
            raise DataNotFoundError(
                f"The shipped subset {path} holds {len(images)} {split} images but "
                f"{len(labels)} labels and {len(positions)} positions: the arrays do not "
                f"belong together; {fix}."
            )
        if labels.size and not 0 <= labels.min() <= labels.max() < len(FASHION_CLASSES):
            raise DataNotFoundError(
                f"The shipped subset {path} holds {split} labels outside 0..9: {fix}."
            )


def read_fashion_subset(path: Path = FASHION_SUBSET) -> Dataset:
    """The stratified subset shipped with the course (see ``data/README.md``)."""
    if not path.is_file():
        raise DataNotFoundError(
            f"The shipped subset {path} is missing: restore it with `git checkout -- {path}`."
        )
    try:
        with np.load(path) as arrays:
            _check_subset_arrays(arrays, path)
            return Dataset(
                _to_float_images(arrays["x_train"]),
                arrays["y_train"].astype(np.int64),
                _to_float_images(arrays["x_test"]),
                arrays["y_test"].astype(np.int64),
                FASHION_CLASSES,
                f"shipped subset {path.name} ({len(arrays['y_train'])} train / "
                f"{len(arrays['y_test'])} test; the quick profile's fixed data, "
                "COURSE_FASHION_MNIST=full for the full set)",
                arrays["train_index"].astype(np.int64),
            )
    except DataNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise DataNotFoundError(
            f"The shipped subset {path} is damaged ({type(error).__name__}: {error}): restore "
            f"it with `git checkout -- {path}`, or rebuild it with `python scripts/make_subset.py`."
        ) from error


def load_fashion_mnist(
    profile: str | None = None, path: str | os.PathLike | None = None
) -> Dataset:
    """Fashion-MNIST as the profile asks for it.

    Parameters
    ----------
    profile
        ``quick``: the subset shipped in ``data/``, identical on every machine, unless the
        full set is asked for by name (``path`` or ``COURSE_FASHION_MNIST=full``; then it must
        be found offline). ``full``: the full set, downloaded when nothing is found.
    path
        A folder holding the four ``*-ubyte.gz`` files of the full set; checked first.

    Returns
    -------
    Dataset
        Its ``source`` says which copy was read and why.
    """
    chosen = config.get_profile(profile)
    asked_by_name = path is not None or config.fashion_mnist_choice() == "full"
    if chosen == "quick" and not asked_by_name:
        return read_fashion_subset()
    folder = find_fashion_mnist(path)
    if folder is None and chosen == "quick":
        raise DataNotFoundError(
            "COURSE_FASHION_MNIST=full asks for the full Fashion-MNIST, which was not found "
            f"(the quick profile never downloads). Searched:\n  "
            f"{sources.searched(fashion_mnist_candidates())}\n{FETCH_HINT}\n"
            "Or unset COURSE_FASHION_MNIST to use the subset shipped with the course."
        )
    dataset = read_fashion_folder(folder if folder is not None else fetch_fashion_mnist())
    why = (
        "asked for by path"
        if path is not None
        else ("COURSE_FASHION_MNIST=full" if chosen == "quick" else "the full profile")
    )
    dataset.source += f" ({why})"
    return dataset


def fetch_fashion_mnist(dest: str | os.PathLike | None = None) -> Path:
    """Download the four files into ``dest`` (Keras' cache by default), checked and atomic."""
    target = Path(dest) if dest else fashion_mnist_candidates()[-2]
    places = sources.searched(fashion_mnist_candidates())
    try:
        for name in FASHION_FILES:
            source = sources.SOURCES[f"fashion-mnist/{name}"]
            present = (target / name).is_file()
            if not present or not _is_official(target / name, source.checksum):
                sources.download(source, target / name)
    except OSError as error:
        raise DataNotFoundError(
            f"Fashion-MNIST was not found offline and could not be downloaded ({error}).\n"
            f"Searched:\n  {places}\n{FETCH_HINT}"
        ) from error
    return target


def _is_official(path: Path, digest: str) -> bool:
    """Whether a present file decompresses to the official bytes (False when unreadable)."""
    try:
        return sources.sha256_of(path, decompress=True) == digest
    except (OSError, EOFError):
        return False


def make_fashion_subset(
    source: Dataset,
    train_per_class: int = 1000,
    test_per_class: int = 200,
    seed: int = config.DEFAULT_SEED,
) -> dict[str, np.ndarray]:
    """Arrays for the shipped subset: uint8 images, labels, and their indices in ``source``."""
    train_idx = stratified_indices(source.y_train, train_per_class, seed)
    test_idx = stratified_indices(source.y_test, test_per_class, seed)

    def as_uint8(images: np.ndarray) -> np.ndarray:
        return np.round(images[..., 0] * 255).astype(np.uint8)

    return {
        "x_train": as_uint8(source.x_train[train_idx]),
        "y_train": source.y_train[train_idx].astype(np.uint8),
        "train_index": train_idx,
        "x_test": as_uint8(source.x_test[test_idx]),
        "y_test": source.y_test[test_idx].astype(np.uint8),
        "test_index": test_idx,
    }
