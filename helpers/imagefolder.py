"""Image folders with one sub-folder per class (e.g. ``PetImages/Cat``, ``PetImages/Dog``).

Unreadable files (truncated JPEGs, text named ``.jpg``) are skipped with one warning naming
them: the Microsoft/Kaggle ``PetImages`` set is known to contain some.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}


@dataclass
class ImageFolder:
    """uint8 images (N, H, W, 3), integer labels, class names (sorted folder names)."""

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    skipped: tuple[Path, ...]


def _read_rgb(path: Path, size: tuple[int, int]) -> np.ndarray | None:
    try:
        with Image.open(path) as image:
            image.load()  # decodes fully: truncated files fail here, not later
            rgb = image.convert("RGB").resize((size[1], size[0]), Image.BILINEAR)
            return np.asarray(rgb, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def load_image_folder(
    root: str | os.PathLike,
    image_size: tuple[int, int] = (150, 150),
    max_per_class: int | None = None,
) -> ImageFolder:
    """Read every image under ``root/<class>/``, resized to ``image_size`` (height, width).

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist.
    ValueError
        If ``root`` has no class sub-folders, or a class folder has no readable image.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(
            f"Image folder {root} does not exist: point it at a folder with one sub-folder per "
            "class (e.g. PetImages/ with Cat/ and Dog/)."
        )
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise ValueError(f"Image folder {root} has no class sub-folders (e.g. {root}/Cat/).")
    images, labels, skipped = [], [], []
    for label, class_dir in enumerate(class_dirs):
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        read = 0
        for path in files:
            if max_per_class is not None and read >= max_per_class:
                break
            pixels = _read_rgb(path, image_size)
            if pixels is None:
                skipped.append(path)
                continue
            images.append(pixels)
            labels.append(label)
            read += 1
        if read == 0:
            raise ValueError(
                f"Class folder {class_dir} has no readable image ({IMAGE_SUFFIXES}); add images "
                "or remove the folder."
            )
    if skipped:
        names = ", ".join(str(p) for p in skipped[:20]) + (" ..." if len(skipped) > 20 else "")
        warnings.warn(f"Skipped {len(skipped)} unreadable image file(s): {names}", stacklevel=2)
    return ImageFolder(
        np.stack(images),
        np.asarray(labels, dtype=np.int64),
        tuple(p.name for p in class_dirs),
        tuple(skipped),
    )
