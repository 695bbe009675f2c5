"""Image folders with one sub-folder per class (e.g. ``PetImages/Cat``, ``PetImages/Dog``).

Unreadable files (truncated JPEGs, text named ``.jpg``) are skipped with one warning naming
them: the Microsoft/Kaggle ``PetImages`` set is known to contain some. Entries that are not
images this loader reads (other suffixes such as ``Thumbs.db``, nested folders, named pipes
and other non-regular files, which are never opened) are left out with a second warning
saying why. Images are read as a viewer shows them: EXIF rotation applied, 16-bit scaled to
8-bit, transparent pixels on white.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from helpers.infra import arguments

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


@dataclass
class ImageFolder:
    """uint8 images (N, H, W, 3), integer labels, class names (sorted folder names)."""

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    skipped: tuple[Path, ...]


def _as_rgb(image: Image.Image) -> Image.Image:
    """EXIF rotation applied, 16/32-bit grey scaled to 8 bits, transparency on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        wide = np.asarray(image, dtype=np.float64)
        image = Image.fromarray(np.round(wide * 255 / 65535).clip(0, 255).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("RGB")


class UnreadableImage(Exception):
    """An image file that cannot be decoded; ``too_large`` when PIL's decompression-bomb
    guard refused it. The message says why, in a few words."""

    def __init__(self, why: str, too_large: bool = False):
        super().__init__(why)
        self.too_large = too_large


def read_rgb(path: Path) -> np.ndarray:
    """The image at ``path`` as RGB uint8, as a viewer shows it (:func:`_as_rgb`), decoded
    fully (a truncated file fails here, not later); :class:`UnreadableImage` saying why not."""
    try:
        with Image.open(path) as image:
            image.load()
            return np.asarray(_as_rgb(image), dtype=np.uint8)
    except Image.DecompressionBombError:
        raise UnreadableImage(
            "too large to decode safely (a decompression bomb?): shrink it", too_large=True
        ) from None
    except (OSError, ValueError) as error:
        raise UnreadableImage(f"not a readable image ({type(error).__name__})") from None


def _resized(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize((size[1], size[0]), Image.BILINEAR), np.uint8)


def image_size_pair(image_size, name: str = "image_size") -> tuple[int, int]:
    """``(height, width)`` as two whole numbers of at least 1, else an error naming the
    argument (a single number, a fraction or a triple are refused)."""
    if not isinstance(image_size, tuple | list) or len(image_size) != 2:
        raise ValueError(
            f"{name} must be a pair (height, width) of whole numbers, got {image_size!r}"
        )
    return tuple(
        arguments.count(side, f"{name}'s {which}")
        for side, which in zip(image_size, ("height", "width"), strict=True)
    )


def class_name(folder: Path) -> str:
    """A class folder's name as text: names that are not valid UTF-8 (e.g. written in
    Latin-1 on another system) are read as Latin-1, byte for byte, so they print."""
    return readable_name(folder, folder.name)


def readable_name(path: Path, name: str) -> str:
    """``name`` (of ``path``: a folder's name or a file's stem) as printable text: a name
    that is not valid UTF-8 is read as Latin-1, byte for byte, with a warning naming it."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as surrogates
        raw = os.fsencode(name)
        decoded = raw.decode("latin-1")
        warnings.warn(
            f"{raw!r} in {path.parent} is not named in UTF-8: read as Latin-1, {decoded!r}. "
            "Rename it to see another name.",
            stacklevel=3,
        )
        return decoded
    return name


def _why_left_out(path: Path) -> str | None:
    """Why a class folder's entry is not read as an image, or None when it is one."""
    if path.is_dir():
        return "a nested folder (only <class>/<image> is read)"
    if not path.is_file():
        return "not a regular file"
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"not an image suffix ({', '.join(sorted(IMAGE_SUFFIXES))})"
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
    image_size = image_size_pair(image_size)
    if max_per_class is not None:
        max_per_class = arguments.count(max_per_class, "max_per_class")
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise FileNotFoundError(
            f"Image folder {root} {what}: point it at a folder with one sub-folder per "
            "class (e.g. PetImages/ with Cat/ and Dog/)."
        )
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise ValueError(f"Image folder {root} has no class sub-folders (e.g. {root}/Cat/).")
    images, labels, skipped, left_out, too_large = [], [], [], [], []
    for label, class_dir in enumerate(class_dirs):
        files = []
        for path in sorted(class_dir.iterdir()):
            why = _why_left_out(path)
            if why is None:
                files.append(path)
            else:
                left_out.append(f"{path} ({why})")
        read, large_here = 0, len(too_large)
        for path in files:
            if max_per_class is not None and read >= max_per_class:
                break
            try:
                pixels = _resized(read_rgb(path), image_size)
            except UnreadableImage as error:
                (too_large if error.too_large else skipped).append(path)
                continue
            images.append(pixels)
            labels.append(label)
            read += 1
        if read == 0:
            large = len(too_large) - large_here
            why = f" ({large} too large to decode safely: shrink them)" if large else ""
            raise ValueError(
                f"Class folder {class_dir} has no readable image ({IMAGE_SUFFIXES}){why}; add "
                "images or remove the folder."
            )
    if too_large:
        names = ", ".join(str(p) for p in too_large[:20])
        warnings.warn(
            f"Left out {len(too_large)} image(s) too large to decode safely (more pixels than "
            f"PIL's decompression-bomb limit, {Image.MAX_IMAGE_PIXELS}): {names}. Shrink them "
            "first.",
            stacklevel=2,
        )
    if skipped:
        names = ", ".join(str(p) for p in skipped[:20]) + (" ..." if len(skipped) > 20 else "")
        warnings.warn(f"Skipped {len(skipped)} unreadable image file(s): {names}", stacklevel=2)
    if left_out:
        names = "; ".join(left_out[:20]) + (" ..." if len(left_out) > 20 else "")
        warnings.warn(f"Left out {len(left_out)} entries: {names}", stacklevel=2)
    return ImageFolder(
        np.stack(images),
        np.asarray(labels, dtype=np.int64),
        tuple(class_name(p) for p in class_dirs),
        tuple(skipped),
    )
