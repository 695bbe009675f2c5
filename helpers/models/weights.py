"""ImageNet weight files of ``keras.applications`` models: found offline, checked, fetched.

Keras checks a cached file's md5 on every load and, offline, deletes a file that fails it.
The course resolves and checks the file itself and hands Keras its path
(``weights=<path>``), in the course's offline resolution order: an explicit path,
``$COURSE_DATA/weights``, ``data/weights`` in the repository, Keras' cache
(``~/.keras/models``), then a download (checked, renamed into place only when complete).

A file whose checksum differs from the published one is refused, never deleted. Stand-ins
(random weights under the real file names, for offline tests) are accepted only when listed,
with their sha256, in ``stand-ins.json`` beside them; they are reported as stand-ins.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.infra import config, sources
from helpers.infra.errors import WeightsNotFoundError

STAND_INS = "stand-ins.json"


@dataclass(frozen=True)
class WeightFile:
    """One published weight file: its model and its name in Keras' cache; its address and
    md5 (None where Keras publishes none) are in :data:`helpers.infra.sources.SOURCES`."""

    model: str
    include_top: bool
    file_name: str

    @property
    def source(self) -> sources.Source:
        return sources.SOURCES[f"weights/{self.file_name}"]

    @property
    def md5(self) -> str | None:
        return self.source.checksum

    @property
    def fetch_command(self) -> str:
        return self.source.fetch_command


_MOBILENET = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224"
_VGG16 = "vgg16_weights_tf_dim_ordering_tf_kernels"
_DENSENET = "densenet121_weights_tf_dim_ordering_tf_kernels"
WEIGHT_FILES = {
    (f.model, f.include_top): f
    for f in (
        WeightFile("MobileNetV2", True, f"{_MOBILENET}.h5"),
        WeightFile("MobileNetV2", False, f"{_MOBILENET}_no_top.h5"),
        WeightFile("VGG16", True, f"{_VGG16}.h5"),
        WeightFile("VGG16", False, f"{_VGG16}_notop.h5"),
        WeightFile("DenseNet121", True, f"{_DENSENET}.h5"),
        WeightFile("DenseNet121", False, f"{_DENSENET}_notop.h5"),
    )
}


@dataclass(frozen=True)
class ResolvedWeights:
    """A checked weight file and what it is (``ImageNet`` or a stand-in)."""

    path: Path
    stand_in: bool

    def describe(self) -> str:
        kind = "stand-in weights (random, not ImageNet)" if self.stand_in else "ImageNet weights"
        return f"{kind} from {self.path}"


def weight_file(model: str, include_top: bool) -> WeightFile:
    """The published weight file of ``model`` (with or without its classifier)."""
    known = sorted({name for name, _ in WEIGHT_FILES})
    if model not in known:
        raise KeyError(f"Unknown pretrained model {model!r}; available: {known}")
    if not isinstance(include_top, bool | np.bool_):  # "False" or "no" would be truthy
        raise ValueError(
            f"include_top must be True or False, got {include_top!r}: "
            "False for the file without the classifier (no top)"
        )
    return WEIGHT_FILES[(model, bool(include_top))]


def keras_models_dir() -> Path:
    """Where Keras looks for (and caches) application weights."""
    return sources.keras_home() / "models"


def candidate_folders() -> list[Path]:
    """The folders searched for weight files, in resolution order."""
    root = sources.course_data_dir()
    folders = [] if root is None else [root / "weights"]
    return folders + [config.DATA_DIR / "weights", keras_models_dir()]


def _stand_in_digests(folder: Path) -> dict[str, str]:
    path = folder / STAND_INS
    if not path.is_file():
        return {}
    try:
        return dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError, ValueError) as error:
        raise WeightsNotFoundError(
            f"{path} is damaged ({type(error).__name__}: {error}): it must map weight file "
            "names to their sha256. Rebuild it with `python scripts/make_stand_ins.py`."
        ) from error


def check(path: Path, spec: WeightFile) -> ResolvedWeights:
    """Check one present file against its published md5, or its listed stand-in sha256."""
    stand_ins = _stand_in_digests(path.parent)
    if spec.file_name in stand_ins:
        if sources.digest_of(path, "sha256") != stand_ins[spec.file_name]:
            raise WeightsNotFoundError(
                f"{path} is listed as a stand-in in {path.parent / STAND_INS} but its sha256 "
                "differs: rebuild the stand-ins with `python scripts/make_stand_ins.py`."
            )
        warnings.warn(f"{path.name} is a stand-in: results are meaningless.", stacklevel=3)
        return ResolvedWeights(path, stand_in=True)
    if spec.md5 is not None and (actual := sources.digest_of(path, "md5")) != spec.md5:
        raise WeightsNotFoundError(
            f"{path} is not the published {spec.model} weight file: its md5 is {actual}, "
            f"the published one is {spec.md5} (a partial download or another file). It was "
            f"left in place: delete it, then run `{spec.fetch_command}`."
        )
    if spec.md5 is None:  # no published checksum: at least a whole HDF5 file of weights
        _check_unpublished(path, spec)
    return ResolvedWeights(path, stand_in=False)


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
SMALLEST_IMAGENET_FILE = 1_000_000  # bytes: every published ImageNet weight file is larger


def _check_unpublished(path: Path, spec: WeightFile) -> None:
    """A weight file without a published checksum must still be what its name says: an
    HDF5 file of at least :data:`SMALLEST_IMAGENET_FILE` bytes."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        signature = handle.read(len(HDF5_SIGNATURE))
    fix = f"It was left in place: delete it, then run `{spec.fetch_command}`."
    if signature != HDF5_SIGNATURE:
        raise WeightsNotFoundError(
            f"{path} is not an HDF5 weight file (it does not start with HDF5's signature; "
            f"{size} bytes), so it cannot be {spec.model}'s ImageNet weights. {fix}"
        )
    if size < SMALLEST_IMAGENET_FILE:
        raise WeightsNotFoundError(
            f"{path} holds only {size} bytes: too small to be {spec.model}'s ImageNet weights "
            f"(a partial download?). {fix}"
        )


def resolve(
    model: str,
    include_top: bool = True,
    path: str | os.PathLike | None = None,
    profile: str | None = None,
) -> ResolvedWeights:
    """The checked weight file of ``model``: ``path`` when given, else the first copy in
    :func:`candidate_folders`, else a download in the ``full`` profile."""
    spec = weight_file(model, include_top)
    if path is not None:
        if not Path(path).is_file():
            raise WeightsNotFoundError(f"{path} is not a file: give the {spec.file_name} file.")
        return check(Path(path), spec)
    folders = candidate_folders()
    for folder in folders:
        if (folder / spec.file_name).is_file():
            return check(folder / spec.file_name, spec)
    if config.get_profile(profile) != "full":
        raise WeightsNotFoundError(_missing(spec, folders, "the quick profile never downloads"))
    return check(fetch(model, include_top), spec)


def fetch(model: str, include_top: bool = True) -> Path:
    """Download a weight file into Keras' cache: checked, renamed into place when complete."""
    spec = weight_file(model, include_top)
    target = keras_models_dir() / spec.file_name
    try:
        return sources.download(spec.source, target)
    except OSError as error:
        raise WeightsNotFoundError(_missing(spec, candidate_folders(), str(error))) from error


def _missing(spec: WeightFile, folders: list[Path], why: str) -> str:
    what = f"The ImageNet weights of {spec.model} ({spec.file_name})"
    places = [folder / spec.file_name for folder in folders]
    target = keras_models_dir() / spec.file_name
    return sources.missing(what, places, why, spec.fetch_command, target, under="/weights")
