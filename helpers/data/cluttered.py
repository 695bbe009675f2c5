"""Cluttered Fashion-MNIST: a localisation set with ground-truth masks and boxes.

Each image is one Fashion-MNIST item pasted at a random place and scale on a larger black
canvas, plus distractor fragments cut from other items and placed outside the item's box.
The mask is the item's own pixels, the box is tight around the mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from helpers.infra import arguments

MASK_THRESHOLD = 0.1


@dataclass
class ClutteredSet:
    """images (N, S, S, 1) float32; labels (N,); masks (N, S, S) bool; boxes (N, 4) as
    (top, left, bottom, right) with exclusive bottom/right; source index of each item."""

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    source_index: np.ndarray


def mask_box(mask: np.ndarray) -> np.ndarray:
    """Tight (top, left, bottom, right) box of a non-empty 2-D boolean mask, exclusive ends."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError("mask is empty: it has no box")
    return np.array([rows[0], cols[0], rows[-1] + 1, cols[-1] + 1])


def _overlaps(a: tuple[int, int, int, int], b: np.ndarray) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def make_cluttered(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    canvas: int = 64,
    scale_range: tuple[float, float] = (0.8, 1.6),
    distractors: int = 4,
    fragment_size: tuple[int, int] = (6, 10),
    seed: int = 0,
) -> ClutteredSet:
    """Make ``n`` cluttered images from 28x28 items ``images`` (N, 28, 28[, 1]) in [0, 1].

    Deterministic for a seed. Raises ValueError when the largest scaled item does not fit on
    the canvas or an argument is out of range.
    """
    items = arguments.finite(np.asarray(images, dtype=np.float32), "images")
    if items.ndim == 4:
        items = items[..., 0]
    if items.ndim != 3 or len(items) != len(labels) or len(items) == 0:
        raise ValueError("images must be a non-empty (N, H, W[, 1]) array matching labels")
    low, high = scale_range
    if not 0 < low <= high:
        raise ValueError(f"scale_range must satisfy 0 < low <= high, got {scale_range}")
    if round(items.shape[1] * high) > canvas:
        raise ValueError(
            f"an item scaled by {high} ({round(items.shape[1] * high)} px) does not fit a "
            f"{canvas}-px canvas: enlarge the canvas or lower the scale range"
        )
    n = arguments.count(n, "n")
    distractors = arguments.count(distractors, "distractors", low=0)
    canvas = arguments.count(canvas, "canvas")
    rng = np.random.default_rng(seed)
    out = np.zeros((n, canvas, canvas), np.float32)
    masks = np.zeros((n, canvas, canvas), bool)
    boxes = np.zeros((n, 4), np.int64)
    picks = rng.integers(0, len(items), size=n)
    for i, pick in enumerate(picks):
        scale = rng.uniform(low, high)
        item = np.clip(ndimage.zoom(items[pick], scale, order=1), 0.0, 1.0)
        h, w = item.shape
        top, left = rng.integers(0, canvas - h + 1), rng.integers(0, canvas - w + 1)
        out[i, top : top + h, left : left + w] = item
        masks[i, top : top + h, left : left + w] = item > MASK_THRESHOLD
        if not masks[i].any():  # an almost black item: keep its whole footprint
            masks[i, top : top + h, left : left + w] = True
        boxes[i] = mask_box(masks[i])
        for _ in range(distractors):
            size = int(rng.integers(fragment_size[0], fragment_size[1] + 1))
            source = items[rng.integers(0, len(items))]
            sy, sx = rng.integers(0, source.shape[0] - size + 1, size=2)
            fragment = source[sy : sy + size, sx : sx + size]
            for _attempt in range(10):
                fy, fx = rng.integers(0, canvas - size + 1, size=2)
                if not _overlaps((fy, fx, fy + size, fx + size), boxes[i]):
                    region = out[i, fy : fy + size, fx : fx + size]
                    np.maximum(region, fragment, out=region)
                    break
    return ClutteredSet(out[..., None], np.asarray(labels)[picks], masks, boxes, picks)
