"""Quality of saliency maps against ground truth: pointing game, IoU, box localisation,
deletion/insertion curves."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from helpers.cluttered import mask_box


def _check(maps: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    maps, masks = np.asarray(maps, float), np.asarray(masks, bool)
    if maps.shape != masks.shape or maps.ndim != 3:
        raise ValueError(f"maps {maps.shape} and masks {masks.shape} must both be (N, H, W)")
    return maps, masks


def pointing_game(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per image: is the map's maximum inside the mask? (ties: the first maximum)"""
    maps, masks = _check(maps, masks)
    flat = maps.reshape(len(maps), -1).argmax(axis=1)
    return masks.reshape(len(masks), -1)[np.arange(len(masks)), flat]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1.0 when both are empty)."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def thresholded(maps: np.ndarray, fraction: float = 0.5) -> np.ndarray:
    """Each map above ``fraction`` of its own maximum (an all-zero map gives no pixel)."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    maps = np.asarray(maps, float)
    peaks = maps.reshape(len(maps), -1).max(axis=1)[:, None, None]
    return (maps >= fraction * peaks) & (peaks > 0)


def mask_iou(maps: np.ndarray, masks: np.ndarray, fraction: float = 0.5) -> np.ndarray:
    """Per image: IoU of the map thresholded at ``fraction`` of its max with the mask."""
    maps, masks = _check(maps, masks)
    return np.array([iou(m, g) for m, g in zip(thresholded(maps, fraction), masks, strict=True)])


def map_box(saliency: np.ndarray, fraction: float = 0.2) -> np.ndarray:
    """Box (top, left, bottom, right) of the largest connected region above ``fraction`` of
    the map's max, as in the CAM paper; the whole map when nothing is above."""
    above = thresholded(saliency[None], fraction)[0]
    labels, count = ndimage.label(above)
    if count == 0:
        return np.array([0, 0, *saliency.shape])
    largest = 1 + np.argmax(ndimage.sum_labels(above, labels, range(1, count + 1)))
    return mask_box(labels == largest)


def box_iou(a, b) -> float:
    """IoU of two (top, left, bottom, right) boxes with exclusive ends."""
    top, left = max(a[0], b[0]), max(a[1], b[1])
    bottom, right = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, bottom - top) * max(0, right - left)
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / area) if area > 0 else 0.0


def box_accuracy(maps: np.ndarray, boxes: np.ndarray, fraction: float = 0.2) -> np.ndarray:
    """Per image: does the map's box overlap the true box with IoU >= 0.5?"""
    return np.array(
        [box_iou(map_box(m, fraction), b) >= 0.5 for m, b in zip(maps, boxes, strict=True)]
    )


def deletion_insertion(
    score,
    images: np.ndarray,
    maps: np.ndarray,
    targets: np.ndarray,
    steps: int = 8,
    baseline: float = 0.0,
) -> dict[str, np.ndarray]:
    """Deletion and insertion curves and their areas (mean over the curve, in [0, 1]).

    Pixels are taken in the order of the map, most salient first. Deletion replaces them by
    ``baseline`` (a good map makes the target probability fall fast: low area); insertion
    starts from the baseline image and puts them back (good map: high area). ``score`` maps a
    batch of images to class probabilities. One batch of N images per step.
    """
    images = np.asarray(images, np.float32)
    if len(images) != len(maps) or images.shape[1:3] != np.asarray(maps).shape[1:]:
        raise ValueError(f"images {images.shape} and maps {np.asarray(maps).shape} do not match")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    n, pixels = len(images), images.shape[1] * images.shape[2]
    order = np.argsort(-np.asarray(maps).reshape(n, -1), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(pixels)[None].repeat(n, 0), axis=1)
    rank = rank.reshape(images.shape[:3])[..., None]
    curves = {"deletion": [], "insertion": []}
    for step in range(steps + 1):
        shown = rank < round(step / steps * pixels)
        for kind, keep in (("deletion", ~shown), ("insertion", shown)):
            batch = np.where(keep, images, baseline).astype(np.float32)
            curves[kind].append(np.asarray(score(batch))[np.arange(n), targets])
    out = {kind: np.stack(values, axis=1) for kind, values in curves.items()}
    out |= {f"{kind}_area": curve.mean(axis=1) for kind, curve in list(out.items())}
    return out


def quality_table(
    maps: dict,
    masks,
    boxes,
    score=None,
    images=None,
    targets=None,
    curve_images: int = 100,
    steps: int = 8,
):
    """One row per map type: pointing game, mean IoU (map > 50% of its max vs mask), box
    accuracy (CAM paper's 20% box, IoU >= 0.5), and, when ``score`` is given, deletion and
    insertion areas on the first ``curve_images`` images."""
    import pandas as pd

    rows = {}
    for name, saliency in maps.items():
        row = {
            "pointing game": pointing_game(saliency, masks).mean(),
            "mean IoU": mask_iou(saliency, masks).mean(),
            "box accuracy": box_accuracy(saliency, boxes).mean(),
        }
        if score is not None:
            n = min(curve_images, len(saliency))
            curves = deletion_insertion(score, images[:n], saliency[:n], targets[:n], steps)
            row |= {
                "deletion area (lower is better)": curves["deletion_area"].mean(),
                "insertion area (higher is better)": curves["insertion_area"].mean(),
            }
        rows[name] = row
    return pd.DataFrame(rows).T.round(3)
