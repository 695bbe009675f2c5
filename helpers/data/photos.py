"""Real photos that come with packages the course already installs, and the learner's own.

scikit-image's wheel ships ``chelsea`` (a cat), ``coffee``, ``astronaut`` and ``rocket``;
scikit-learn's ships ``china`` (a temple) and ``flower``. Image files in
``$COURSE_DATA/images/`` (or its sub-folders) are added after them. Every photo is
centre-cropped to a square on its shorter side and resized to ``size`` x ``size`` with PIL's
bilinear filter: the rule the reference outputs of ``tests/fixtures`` were made with.

Used in notebooks 00, 01, 02, 05 and 07.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image
from sklearn.datasets import load_sample_image

from helpers.data import imagefolder
from helpers.infra import arguments, sources


def _shipped() -> dict[str, Callable[[], np.ndarray]]:
    return {
        "chelsea": skimage.data.chelsea,
        "coffee": skimage.data.coffee,
        "astronaut": skimage.data.astronaut,
        "rocket": skimage.data.rocket,
        "china": lambda: load_sample_image("china.jpg"),
        "flower": lambda: load_sample_image("flower.jpg"),
    }


SHIPPED = ("chelsea", "coffee", "astronaut", "rocket", "china", "flower")


@dataclass
class Photos:
    """``images`` (N, size, size, 3) float32 in [0, 1], their ``names`` and ``sources``."""

    images: np.ndarray
    names: tuple[str, ...]
    sources: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.names)


def square(image: np.ndarray, size: int) -> np.ndarray:
    """An RGB uint8 image centre-cropped to a square on its shorter side, resized to
    ``size`` x ``size`` (PIL, bilinear); uint8."""
    size = arguments.count(size, "size", low=8, high=4096)
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError(
            f"a photo must be an RGB uint8 array (H, W, 3); got {array.dtype} {array.shape}"
        )
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    crop = np.ascontiguousarray(array[top : top + side, left : left + side])
    return np.asarray(Image.fromarray(crop).resize((size, size), Image.BILINEAR), np.uint8)


def own_photo_files() -> list[Path]:
    """Image files in ``$COURSE_DATA/images/`` and its sub-folders, sorted."""
    root = sources.course_data_dir()
    folder = None if root is None else root / "images"
    if folder is None or not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in imagefolder.IMAGE_SUFFIXES
    )


def course_photos(size: int = 224, names=SHIPPED) -> Photos:
    """The shipped photos ``names`` (all six by default), then the learner's own from
    ``$COURSE_DATA/images/`` (unreadable files skipped with one warning naming them).

    Returns
    -------
    Photos
        Images in [0, 1], the networks' input range.
    """
    shipped = _shipped()
    unknown = [name for name in names if name not in shipped]
    if unknown:
        raise ValueError(f"no shipped photo called {unknown}; there are {list(shipped)}")
    arrays = [square(shipped[name](), size) for name in names]
    labels, sources = (
        list(names),
        ["scikit-image" if n in SHIPPED[:4] else "scikit-learn" for n in names],
    )
    unreadable = []
    for path in own_photo_files():
        try:
            arrays.append(square(imagefolder.read_rgb(path), size))
        except imagefolder.UnreadableImage as why:
            unreadable.append(f"{path} ({why})")
            continue
        labels.append(imagefolder.readable_name(path, path.stem))
        sources.append(str(path))
    if unreadable:
        warnings.warn(
            f"{len(unreadable)} file(s) in $COURSE_DATA/images are left out: "
            f"{'; '.join(unreadable[:5])}",
            stacklevel=2,
        )
    images = np.stack(arrays).astype(np.float32) / 255.0
    return Photos(images, tuple(labels), tuple(sources))
