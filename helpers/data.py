"""Datasets and their offline resolution.

Fashion-MNIST is found, in this order: an explicit path, ``$COURSE_DATA``, ``data/`` in the
repository, Keras' cache, Debian's ``dataset-fashion-mnist``, a download (``full`` profile
only). When no full copy is found the ``quick`` profile uses the stratified subset shipped in
``data/``; the ``full`` profile raises :class:`DataNotFoundError` saying how to fetch it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.request
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import checks, config

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

# Coarse groupings of the ten classes used in notebooks 05 and 06.
COARSE_GROUPS = {
    # The six-way hierarchy used in the literature.
    "six": {
        "Tops": ("T-shirt/top", "Pullover", "Shirt"),
        "Bottoms": ("Trouser",),
        "Dresses": ("Dress",),
        "Outers": ("Coat",),
        "Shoes": ("Sandal", "Sneaker", "Ankle boot"),
        "Accessories": ("Bag",),
    },
    # Three visually distinct families.
    "three": {
        "Clothing": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Shirt"),
        "Footwear": ("Sandal", "Sneaker", "Ankle boot"),
        "Bags": ("Bag",),
    },
    # Two-way: footwear vs upper-body garments (the classes in neither are left out).
    "two": {
        "Footwear": ("Sandal", "Sneaker", "Ankle boot"),
        "Tops": ("T-shirt/top", "Pullover", "Shirt", "Coat"),
    },
}

FASHION_FILES = {
    # file name -> sha256 of the *decompressed* idx payload (the gz bytes differ between mirrors)
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
FASHION_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_SUBSET = config.DATA_DIR / "fashion_mnist_subset.npz"
SYSTEM_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FETCH_HINT = (
    "Fetch it with one of:\n"
    "  sudo apt-get install dataset-fashion-mnist          (Debian/Ubuntu, offline afterwards)\n"
    "  python -m helpers.data fetch                         (downloads into ~/.keras/datasets)\n"
    "or copy the four *-ubyte.gz files into $COURSE_DATA/fashion-mnist."
)


class DataNotFoundError(FileNotFoundError):
    """A dataset could not be found offline nor downloaded."""


@dataclass
class Dataset:
    """Images as float32 in [0, 1] with a channel axis, integer labels, class names."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    train_index: np.ndarray | None = None  # each training image's position in the full file

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self.x_train)} train, {len(self.x_test)} test, "
            f"{len(self.class_names)} classes, image {self.x_train.shape[1:]}, from {self.source})"
        )


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------------------------


def course_data_dir() -> Path | None:
    """``$COURSE_DATA`` when it names a readable folder; otherwise None, with a warning saying
    why it is ignored (unset: None, silently)."""
    value = os.environ.get("COURSE_DATA")
    if not value:
        return None
    root = Path(value)
    if not root.exists():
        why = "does not exist"
    elif not root.is_dir():
        why = "is a file, not a folder"
    elif not os.access(root, os.R_OK | os.X_OK):
        why = "cannot be read (permissions)"
    else:
        return root
    warnings.warn(f"COURSE_DATA={value} {why}: it is ignored.", stacklevel=3)
    return None


def fashion_mnist_candidates(path: str | os.PathLike | None = None) -> list[Path]:
    """The folders searched for the full Fashion-MNIST, in resolution order."""
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    root = course_data_dir()
    if root is not None:
        candidates += [root / "fashion-mnist", root]
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    candidates += [
        config.DATA_DIR / "fashion-mnist",
        keras_home / "datasets" / "fashion-mnist",
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
    fix = f"delete {path} and fetch it again (`python -m helpers.data fetch`)"
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
    for name, digest in FASHION_FILES.items():
        kind = "images" if "images" in name else "labels"
        arrays[name], actual = _read_idx(folder / name, kind)
        official &= actual == digest
    for split in ("train", "t10k"):
        n_images = len(arrays[f"{split}-images-idx3-ubyte.gz"]) // (28 * 28)
        n_labels = len(arrays[f"{split}-labels-idx1-ubyte.gz"])
        if n_images != n_labels:
            raise DataNotFoundError(
                f"{folder} holds {n_images} {split} images but {n_labels} labels: the files do "
                "not belong together; fetch them again (`python -m helpers.data fetch`)."
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


def read_fashion_subset(path: Path = FASHION_SUBSET) -> Dataset:
    """The stratified subset shipped with the course (see ``data/README.md``)."""
    if not path.is_file():
        raise DataNotFoundError(
            f"The shipped subset {path} is missing: restore it with `git checkout -- {path}`."
        )
    try:
        with np.load(path) as arrays:
            return Dataset(
                _to_float_images(arrays["x_train"]),
                arrays["y_train"].astype(np.int64),
                _to_float_images(arrays["x_test"]),
                arrays["y_test"].astype(np.int64),
                FASHION_CLASSES,
                f"shipped subset {path.name} ({len(arrays['y_train'])} train / "
                f"{len(arrays['y_test'])} test)",
                arrays["train_index"].astype(np.int64),
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise DataNotFoundError(
            f"The shipped subset {path} is damaged ({type(error).__name__}: {error}): restore "
            f"it with `git checkout -- {path}`, or rebuild it with `python scripts/make_subset.py`."
        ) from error


def load_fashion_mnist(
    profile: str | None = None, path: str | os.PathLike | None = None
) -> Dataset:
    """Fashion-MNIST by the course's offline resolution order.

    Parameters
    ----------
    profile
        ``quick`` falls back to the shipped subset; ``full`` downloads when nothing is found.
    path
        A folder holding the four ``*-ubyte.gz`` files; checked first.
    """
    chosen = config.get_profile(profile)
    folder = find_fashion_mnist(path)
    if folder is not None:
        return read_fashion_folder(folder)
    if chosen == "quick":
        return read_fashion_subset()
    return read_fashion_folder(fetch_fashion_mnist())


def describe_fashion_mnist_source(profile: str | None = None) -> str:
    """One line saying which copy :func:`load_fashion_mnist` would read, without reading it."""
    folder = find_fashion_mnist()
    if folder is not None:
        return f"Fashion-MNIST files in {folder} (checked against the official release when read)"
    if config.get_profile(profile) == "quick":
        return f"shipped subset {FASHION_SUBSET.relative_to(config.REPO_ROOT)}"
    return "Fashion-MNIST not found offline: it will be downloaded on first use"


def fetch_fashion_mnist(dest: str | os.PathLike | None = None) -> Path:
    """Download the four files into ``dest`` (Keras' cache by default), checked and atomic."""
    target = Path(dest) if dest else fashion_mnist_candidates()[-2]
    searched = "\n  ".join(str(p) for p in fashion_mnist_candidates())
    try:
        for name, digest in FASHION_FILES.items():
            present = (target / name).is_file()
            if not present or not _is_official(target / name, digest):
                download_verified(FASHION_URL + name, target / name, digest, decompress=True)
    except OSError as error:
        raise DataNotFoundError(
            f"Fashion-MNIST was not found offline and could not be downloaded ({error}).\n"
            f"Searched:\n  {searched}\n{FETCH_HINT}"
        ) from error
    return target


def _is_official(path: Path, digest: str) -> bool:
    """Whether a present file decompresses to the official bytes (False when unreadable)."""
    try:
        return sha256_of(path, decompress=True) == digest
    except (OSError, EOFError):
        return False


def sha256_of(path: Path, decompress: bool = False) -> str:
    """Hex sha256 of a file's bytes, or of its gunzipped bytes when ``decompress``."""
    opener = gzip.open if decompress else open
    digest = hashlib.sha256()
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_verified(url: str, dest: Path, sha256: str, decompress: bool = False) -> Path:
    """Download to a temporary file beside ``dest``, check its sha256, then rename into place.

    A failed or corrupt download never leaves a partial file at ``dest``.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        urllib.request.urlretrieve(url, tmp)
        actual = sha256_of(tmp, decompress=decompress)
        if actual != sha256:
            raise OSError(f"checksum mismatch for {url}: expected {sha256}, got {actual}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def stratified_indices(
    labels: np.ndarray, per_class: int, seed: int = config.DEFAULT_SEED
) -> np.ndarray:
    """Sorted indices of ``per_class`` random items of every label (all of them if fewer,
    with a warning naming those labels)."""
    per_class = checks.count(per_class, "per_class")
    labels = np.asarray(labels)
    values, counts = np.unique(labels, return_counts=True)
    short = values[counts < per_class]
    if len(short):
        warnings.warn(
            f"label(s) {short[:10].tolist()} have fewer than {per_class} items "
            f"(as few as {counts.min()}): all of theirs are taken",
            stacklevel=2,
        )
    rng = np.random.default_rng(seed)
    chosen = []
    for label in values:
        members = np.flatnonzero(labels == label)
        take = min(per_class, len(members))
        chosen.append(rng.choice(members, size=take, replace=False))
    return np.sort(np.concatenate(chosen))


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


def select_classes(dataset: Dataset, classes) -> Dataset:
    """Only the images of ``classes`` (indices or names), relabelled 0..len(classes)-1 in the
    order given."""
    n = len(dataset.class_names)
    names = list(dataset.class_names)
    unknown = [c for c in classes if isinstance(c, str) and c not in names]
    if unknown:
        raise ValueError(f"unknown class name(s) {unknown}; the classes are {names}")
    classes = [
        names.index(c) if isinstance(c, str) else checks.integral(c, "classes") for c in classes
    ]
    if not classes or len(set(classes)) != len(classes) or not all(0 <= c < n for c in classes):
        raise ValueError(f"classes must be distinct indices in 0..{n - 1}, got {classes}")
    relabel = np.full(n, -1)
    relabel[classes] = np.arange(len(classes))
    train, test = np.isin(dataset.y_train, classes), np.isin(dataset.y_test, classes)
    return Dataset(
        dataset.x_train[train],
        relabel[dataset.y_train[train]],
        dataset.x_test[test],
        relabel[dataset.y_test[test]],
        tuple(dataset.class_names[c] for c in classes),
        f"{dataset.source}, classes {classes}",
        None if dataset.train_index is None else dataset.train_index[train],
    )


def describe_classes(class_names) -> str:
    """One line per class: ``index: name``."""
    return "\n".join(f"{i}: {name}" for i, name in enumerate(class_names))


# ---------------------------------------------------------------------------------------------
# CIFAR (full profile)
# ---------------------------------------------------------------------------------------------


def load_cifar(num_classes: int = 10) -> Dataset:
    """CIFAR-10 or CIFAR-100 (fine labels) through ``keras.datasets``, as floats in [0, 1]."""
    import keras

    if num_classes not in (10, 100):
        raise ValueError(f"num_classes must be 10 or 100, got {num_classes}")
    loader = keras.datasets.cifar10 if num_classes == 10 else keras.datasets.cifar100
    kwargs = {} if num_classes == 10 else {"label_mode": "fine"}
    try:
        (x_train, y_train), (x_test, y_test) = loader.load_data(**kwargs)
    except Exception as error:  # keras raises plain Exception on a failed fetch
        raise DataNotFoundError(
            f"CIFAR-{num_classes} is not in Keras' cache (~/.keras/datasets) and could not be "
            f"downloaded ({error}). On a machine with network run\n"
            f'  python -c "import keras; keras.datasets.cifar{num_classes}.load_data()"\n'
            "and copy ~/.keras/datasets to this machine."
        ) from error
    names = tuple(str(i) for i in range(num_classes))
    if num_classes == 10:
        names = ("airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck")  # fmt: skip
    return Dataset(
        x_train.astype(np.float32) / 255.0,
        y_train.ravel().astype(np.int64),
        x_test.astype(np.float32) / 255.0,
        y_test.ravel().astype(np.int64),
        names,
        f"CIFAR-{num_classes} from Keras",
        np.arange(len(x_train)),
    )


if __name__ == "__main__":  # python -m helpers.data fetch
    import sys

    if sys.argv[1:] != ["fetch"]:
        sys.exit("usage: python -m helpers.data fetch")
    print(f"Fashion-MNIST ready in {fetch_fashion_mnist()}")
