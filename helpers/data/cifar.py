"""CIFAR-10 and CIFAR-100 (the ``full`` profile), read from the official python archives by
the course itself (no code in a pickle can run)."""

from __future__ import annotations

import pickle
import tarfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.data.dataset import Dataset
from helpers.infra import config, sources
from helpers.infra.errors import DataNotFoundError


@dataclass(frozen=True)
class CifarRelease:
    """One CIFAR python archive: its name, inner folder and pickled batches (its address and
    sha256 are in :data:`helpers.infra.sources.SOURCES`)."""

    archive: str
    folder: str
    train: tuple[str, ...]
    test: str
    meta: str
    label_key: bytes
    names_key: bytes
    keras_name: str  # the archive's name in Keras' cache (keras.datasets.cifarN.load_data)

    @property
    def name(self) -> str:
        return "cifar10" if self.archive.startswith("cifar-10-") else "cifar100"

    @property
    def source(self) -> sources.Source:
        return sources.SOURCES[self.name]


CIFAR = {
    10: CifarRelease(
        "cifar-10-python.tar.gz",
        "cifar-10-batches-py",
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
    root = sources.course_data_dir()
    keras_datasets = sources.keras_home() / "datasets"
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
    fix = f"delete {path} and fetch it again (`{release.source.fetch_command}`)"
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
    if sources.sha256_of(path) != release.source.checksum:
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
        return sources.download(release.source, target)
    except OSError as error:
        raise DataNotFoundError(_cifar_missing(num_classes, str(error))) from error


def _cifar_missing(num_classes: int, why: str) -> str:
    places = cifar_candidates(num_classes)
    command = cifar_release(num_classes).source.fetch_command
    return sources.missing(f"CIFAR-{num_classes}", places, why, command, places[-1])


def load_cifar(num_classes: int = 10, profile: str | None = None) -> Dataset:
    """CIFAR-10 or CIFAR-100 (fine labels) as floats in [0, 1], by the course's offline
    resolution order; downloaded only in the ``full`` profile."""
    for path in cifar_candidates(num_classes):
        if path.is_file():
            return read_cifar_archive(path, num_classes)
    if config.get_profile(profile) != "full":
        raise DataNotFoundError(_cifar_missing(num_classes, "the quick profile never downloads"))
    return read_cifar_archive(fetch_cifar(num_classes), num_classes)
