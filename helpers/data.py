"""Datasets and their offline resolution.

The ``quick`` profile always reads the stratified Fashion-MNIST subset shipped in ``data/``,
on every machine, whatever else is installed: everything the course ships and asserts is
measured on it. The full Fashion-MNIST is read only when asked for by name (an explicit path,
``COURSE_FASHION_MNIST=full``, or the ``full`` profile) and is found, in this order: the path,
``$COURSE_DATA``, ``data/`` in the repository, Keras' cache, Debian's
``dataset-fashion-mnist``, a download (``full`` profile only); when it is missing
:class:`DataNotFoundError` says how to fetch it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import tarfile
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
    why = _course_data_problem(value)
    if why is None:
        return Path(value)
    warnings.warn(f"COURSE_DATA={value} {why}: it is ignored.", stacklevel=3)
    return None


def _course_data_problem(value: str) -> str | None:
    root = Path(value)
    if not root.exists():
        return "does not exist"
    if not root.is_dir():
        return "is a file, not a folder"
    if not os.access(root, os.R_OK | os.X_OK):
        return "cannot be read (permissions)"
    return None


def searched(paths) -> str:
    """The places searched, one per line, for a "not found" message; a ``$COURSE_DATA``
    that was set but ignored is listed too, with why, so its absence is not a mystery."""
    lines = [str(p) for p in paths]
    value = os.environ.get("COURSE_DATA")
    if value and (why := _course_data_problem(value)):
        lines.insert(0, f"$COURSE_DATA={value} (ignored: it {why})")
    return "\n  ".join(lines)


def keras_home() -> Path:
    """Keras' cache folder: ``$KERAS_HOME``, else ``~/.keras`` (``datasets/``, ``models/``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


def fashion_mnist_candidates(path: str | os.PathLike | None = None) -> list[Path]:
    """The folders searched for the full Fashion-MNIST, in resolution order."""
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    root = course_data_dir()
    if root is not None:
        candidates += [root / "fashion-mnist", root]
    candidates += [
        config.DATA_DIR / "fashion-mnist",
        keras_home() / "datasets" / "fashion-mnist",
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
            f"{searched(fashion_mnist_candidates())}\n{FETCH_HINT}\n"
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
    places = searched(fashion_mnist_candidates())
    try:
        for name, digest in FASHION_FILES.items():
            present = (target / name).is_file()
            if not present or not _is_official(target / name, digest):
                download_verified(FASHION_URL + name, target / name, digest, decompress=True)
    except OSError as error:
        raise DataNotFoundError(
            f"Fashion-MNIST was not found offline and could not be downloaded ({error}).\n"
            f"Searched:\n  {places}\n{FETCH_HINT}"
        ) from error
    return target


def _is_official(path: Path, digest: str) -> bool:
    """Whether a present file decompresses to the official bytes (False when unreadable)."""
    try:
        return sha256_of(path, decompress=True) == digest
    except (OSError, EOFError):
        return False


def digest_of(path: Path, algorithm: str = "sha256", decompress: bool = False) -> str:
    """Hex digest (``sha256`` or ``md5``) of a file's bytes, or of its gunzipped bytes."""
    opener = gzip.open if decompress else open
    digest = hashlib.new(algorithm)
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path, decompress: bool = False) -> str:
    """Hex sha256 of a file's bytes, or of its gunzipped bytes when ``decompress``."""
    return digest_of(path, "sha256", decompress)


def download_verified(
    url: str, dest: Path, digest: str | None, decompress: bool = False, algorithm: str = "sha256"
) -> Path:
    """Download to a temporary file beside ``dest``, check its digest (None: no published
    one), then rename into place. A failed or corrupt download never leaves a partial file.
    A target that cannot be written (a folder in its place, or a file where a folder of its
    path should be) is a ``ValueError`` naming it, not a failed download."""
    dest = Path(dest)
    if dest.is_dir():
        raise ValueError(f"{dest} is a folder, so the download cannot be written there")
    blocking = next((p for p in dest.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ValueError(
            f"{blocking} is a file, so {dest} cannot be written: move or delete {blocking} "
            "(a folder belongs there), then fetch again"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        urllib.request.urlretrieve(url, tmp)
        actual = digest_of(tmp, algorithm, decompress)
        if digest is not None and actual != digest:
            raise OSError(f"checksum mismatch for {url}: expected {digest}, got {actual}")
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
    if isinstance(classes, str | int | np.integer) or not hasattr(classes, "__iter__"):
        raise ValueError(
            f"classes must be a list of class indices or names, e.g. [2, 4] or "
            f"['Pullover', 'Coat'], got {classes!r}: put even one class in a list"
        )
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


def limited(dataset: Dataset, limit: int | None) -> Dataset:
    """The first ``limit`` training and test images of ``dataset`` (all when None): the size
    cap of smoke runs (``COURSE_FULL_LIMIT``)."""
    if limit is None:
        return dataset
    return Dataset(
        dataset.x_train[:limit],
        dataset.y_train[:limit],
        dataset.x_test[:limit],
        dataset.y_test[:limit],
        dataset.class_names,
        f"{dataset.source}, first {limit} images (COURSE_FULL_LIMIT)",
        None if dataset.train_index is None else dataset.train_index[:limit],
    )


def describe_classes(class_names) -> str:
    """One line per class: ``index: name``."""
    return "\n".join(f"{i}: {name}" for i, name in enumerate(class_names))


# ---------------------------------------------------------------------------------------------
# CIFAR (full profile), read from the official python archives by the course itself
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CifarRelease:
    """One CIFAR python archive: its name, inner folder, sha256 and pickled batches."""

    archive: str
    folder: str
    sha256: str
    train: tuple[str, ...]
    test: str
    meta: str
    label_key: bytes
    names_key: bytes
    keras_name: str  # the archive's name in Keras' cache (keras.datasets.cifarN.load_data)

    @property
    def url(self) -> str:
        return "https://www.cs.toronto.edu/~kriz/" + self.archive

    @property
    def name(self) -> str:
        return "cifar10" if self.archive.startswith("cifar-10-") else "cifar100"


CIFAR = {
    10: CifarRelease(
        "cifar-10-python.tar.gz",
        "cifar-10-batches-py",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        tuple(f"data_batch_{i}" for i in range(1, 6)),
        "test_batch",
        "batches.meta",
        b"labels",
        b"label_names",
        "cifar-10-batches-py-target_archive",
    ),
    100: CifarRelease(
        "cifar-100-python.tar.gz",
        "cifar-100-python",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
        ("train",),
        "test",
        "meta",
        b"fine_labels",
        b"fine_label_names",
        "cifar-100-python-target_archive",
    ),
}


def cifar_release(num_classes: int) -> CifarRelease:
    if num_classes not in CIFAR:
        raise ValueError(f"num_classes must be 10 or 100, got {num_classes}")
    return CIFAR[num_classes]


def cifar_candidates(num_classes: int) -> list[Path]:
    """The archive paths searched for CIFAR-``num_classes``, in resolution order."""
    release = cifar_release(num_classes)
    root = course_data_dir()
    keras_datasets = keras_home() / "datasets"
    candidates = [] if root is None else [root / release.archive]
    return candidates + [
        config.DATA_DIR / release.archive,
        keras_datasets / release.keras_name,
        keras_datasets / release.archive,
    ]


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, bytes and numpy arrays only: a file that is not the official
    release cannot run code when read."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # bytes, as Python 3 pickles them with protocol 2
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR batch")
        return super().find_class(module, name)


def _read_cifar_archive(path: Path, release: CifarRelease) -> dict[str, dict]:
    """Each pickled member of ``release`` in the archive, by name."""
    wanted = {*release.train, release.test, release.meta}
    members = {}
    fix = f"delete {path} and fetch it again (`python -m helpers.data fetch {release.name}`)"
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = member.name.rsplit("/", 1)[-1]
                if member.isfile() and name in wanted:
                    handle = archive.extractfile(member)
                    members[name] = _ArrayUnpickler(handle, encoding="bytes").load()
    except (OSError, EOFError, tarfile.TarError, pickle.UnpicklingError) as error:
        raise DataNotFoundError(
            f"{path} is not a readable CIFAR archive ({type(error).__name__}: {error}): {fix}."
        ) from error
    missing = sorted(wanted - set(members))
    if missing:
        raise DataNotFoundError(f"{path} lacks {missing}: {fix}.")
    return members


def _cifar_arrays(batches: list[dict], release: CifarRelease, n_classes: int, path: Path):
    images, labels = [], []
    for batch in batches:
        data_, label = np.asarray(batch.get(b"data")), np.asarray(batch.get(release.label_key))
        if data_.ndim != 2 or data_.shape[1] != 3072 or data_.dtype != np.uint8:
            raise DataNotFoundError(
                f"{path} holds a batch of shape {data_.shape} ({data_.dtype}), not N x 3072 "
                "uint8 pixels: it is not a CIFAR python archive."
            )
        if len(label) != len(data_) or (
            label.size and not 0 <= label.min() <= label.max() < n_classes
        ):
            raise DataNotFoundError(
                f"{path} holds {len(data_)} images but {len(label)} labels, or labels outside "
                f"0..{n_classes - 1}: it is not a CIFAR-{n_classes} archive."
            )
        images.append(data_.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(label.astype(np.int64))
    return np.concatenate(images).astype(np.float32) / 255.0, np.concatenate(labels)


def read_cifar_archive(path: Path, num_classes: int) -> Dataset:
    """CIFAR-``num_classes`` (fine labels for 100) from one python archive, checked.

    An archive that is not the official release (its sha256 differs) is read with a warning,
    and the dataset says so in its source.
    """
    release = cifar_release(num_classes)
    members = _read_cifar_archive(path, release)
    x_train, y_train = _cifar_arrays(
        [members[n] for n in release.train], release, num_classes, path
    )
    x_test, y_test = _cifar_arrays([members[release.test]], release, num_classes, path)
    names = tuple(n.decode() for n in members[release.meta].get(release.names_key, []))
    if len(names) != num_classes:
        raise DataNotFoundError(f"{path} names {len(names)} classes, not {num_classes}.")
    source = f"CIFAR-{num_classes} from {path}"
    if sha256_of(path) != release.sha256:
        source = (
            f"CIFAR-{num_classes}-format archive {path}, not the official release (sha256 differs)"
        )
        warnings.warn(f"Reading {source}.", stacklevel=2)
    return Dataset(x_train, y_train, x_test, y_test, names, source, np.arange(len(y_train)))


def fetch_cifar(num_classes: int) -> Path:
    """Download the CIFAR archive into Keras' cache (checked, renamed into place when whole)."""
    release = cifar_release(num_classes)
    target = cifar_candidates(num_classes)[-1]
    try:
        return download_verified(release.url, target, release.sha256)
    except OSError as error:
        raise DataNotFoundError(_cifar_missing(num_classes, str(error))) from error


def _cifar_missing(num_classes: int, why: str) -> str:
    return (
        f"CIFAR-{num_classes} was not found ({why}).\nSearched:\n  "
        f"{searched(cifar_candidates(num_classes))}\n"
        f"Fetch it with `python -m helpers.data fetch cifar{num_classes}` on a machine with "
        f"network and copy {cifar_candidates(num_classes)[-1]} to the same place (or to "
        "$COURSE_DATA) on this machine."
    )


def load_cifar(num_classes: int = 10, profile: str | None = None) -> Dataset:
    """CIFAR-10 or CIFAR-100 (fine labels) as floats in [0, 1], by the course's offline
    resolution order; downloaded only in the ``full`` profile."""
    for path in cifar_candidates(num_classes):
        if path.is_file():
            return read_cifar_archive(path, num_classes)
    if config.get_profile(profile) != "full":
        raise DataNotFoundError(_cifar_missing(num_classes, "the quick profile never downloads"))
    return read_cifar_archive(fetch_cifar(num_classes), num_classes)


# ---------------------------------------------------------------------------------------------
# Cats vs dogs (full profile): Microsoft's PetImages folder
# ---------------------------------------------------------------------------------------------

PETS_URL = (
    "https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/"
    "kagglecatsanddogs_5340.zip"
)
# sha256 of that zip (824,887,076 bytes) as Hugging Face's `cats_vs_dogs` dataset records it
PETS_SHA256 = "b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9"


def pets_candidates() -> list[Path]:
    """The PetImages folders searched, in resolution order."""
    root = course_data_dir()
    keras_datasets = keras_home() / "datasets"
    candidates = [] if root is None else [root / "PetImages"]
    return candidates + [config.DATA_DIR / "PetImages", keras_datasets / "PetImages"]


def pets_folder(profile: str | None = None) -> Path:
    """The first PetImages folder (``Cat/``, ``Dog/``) found; downloaded in the ``full``
    profile when there is none."""
    for folder in pets_candidates():
        if folder.is_dir():
            return folder
    if config.get_profile(profile) != "full":
        raise DataNotFoundError(_pets_missing("the quick profile never downloads"))
    return fetch_pets()


def fetch_pets() -> Path:
    """Download Microsoft's cats-vs-dogs zip (825 MB, checked), unpack its PetImages folder
    into Keras' cache and delete the zip; nothing is left half-written on a failure."""
    target = pets_candidates()[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".PetImages.") as tmp:
        try:
            archive = download_verified(PETS_URL, Path(tmp) / "pets.zip", PETS_SHA256)
            with zipfile.ZipFile(archive) as zipped:
                members = [m for m in zipped.namelist() if m.startswith("PetImages/")]
                zipped.extractall(tmp, members)
        except (OSError, zipfile.BadZipFile) as error:
            raise DataNotFoundError(_pets_missing(str(error))) from error
        os.replace(Path(tmp) / "PetImages", target)
    return target


def _pets_missing(why: str) -> str:
    return (
        f"The cats-vs-dogs photos (a PetImages folder with Cat/ and Dog/) were not found "
        f"({why}).\nSearched:\n  {searched(pets_candidates())}\nFetch them with "
        f"`python -m helpers.data fetch pets` on a machine with network and copy "
        f"{pets_candidates()[-1]} to the same place (or to $COURSE_DATA) on this machine."
    )


FETCH_USAGE = """usage: python -m helpers.data fetch [WHAT]
  fashion-mnist (the default)    the four Fashion-MNIST files, into ~/.keras/datasets
  cifar10 | cifar100             the CIFAR python archive, into ~/.keras/datasets
  weights MODEL [--no-top]       ImageNet weights of MobileNetV2, VGG16 or DenseNet121
  pets                           Microsoft's cats-vs-dogs photos (PetImages, 825 MB)"""


def fetch(arguments: list[str]) -> str:
    """Carry out ``python -m helpers.data fetch ...``; return what was done."""
    from helpers import weights

    what = arguments[0] if arguments else "fashion-mnist"
    if what == "fashion-mnist" and len(arguments) <= 1:
        return f"Fashion-MNIST ready in {fetch_fashion_mnist()}"
    if what in ("cifar10", "cifar100") and len(arguments) == 1:
        return f"{what} ready in {fetch_cifar(int(what[5:]))}"
    if what == "weights" and len(arguments) in (2, 3) and arguments[2:] in ([], ["--no-top"]):
        path = weights.fetch(arguments[1], include_top=arguments[2:] != ["--no-top"])
        return f"{arguments[1]} weights ready in {path}"
    if what == "pets" and len(arguments) == 1:
        return f"PetImages ready in {fetch_pets()}"
    raise SystemExit(FETCH_USAGE)


if __name__ == "__main__":  # python -m helpers.data fetch ...
    import sys

    if sys.argv[1:2] != ["fetch"]:
        sys.exit(FETCH_USAGE)
    try:
        print(fetch(sys.argv[2:]))
    except (DataNotFoundError, FileNotFoundError, KeyError, ValueError) as error:
        sys.exit(f"error: {error}")
