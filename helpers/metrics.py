"""Quality of saliency maps against ground truth: pointing game, IoU, box localisation,
deletion/insertion curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage
from tqdm.auto import tqdm

from helpers import stats
from helpers.infra import arguments

BOX_IOU = 0.5  # a box is correct from this IoU with the true box on (PASCAL VOC, CAM paper)


def _check(maps: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    maps, masks = arguments.finite(np.asarray(maps, float), "maps"), np.asarray(masks, bool)
    if maps.shape != masks.shape or maps.ndim != 3:
        raise ValueError(f"maps {maps.shape} and masks {masks.shape} must both be (N, H, W)")
    empty = np.flatnonzero(~masks.reshape(len(masks), -1).any(axis=1))
    if len(empty):
        raise ValueError(
            f"mask(s) {empty[:10].tolist()} are empty: there is no object to localise; "
            "leave those images out"
        )
    return maps, masks


def pointing_game(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per image: is the map's maximum inside the mask? (ties: the first maximum). A constant
    (blank) map points nowhere: a miss.

    Only the single strongest pixel counts, so a map can hit while most of its mass lies
    elsewhere; the share of hits over images is the pointing-game accuracy.

    Parameters
    ----------
    maps
        ``(N, H, W)`` finite saliency maps.
    masks
        ``(N, H, W)`` ground-truth object masks (truthy inside the object), none empty.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` booleans: True for a hit.

    References
    ----------
    Zhang, J., Lin, Z., Brandt, J., Shen, X. and Sclaroff, S. (2016). Top-down neural
    attention by excitation backprop. ECCV.

    Examples
    --------
    >>> pointing_game(maps, test.masks).mean()  # doctest: +SKIP

    Used in notebook 07.
    """
    maps, masks = _check(maps, masks)
    flat_maps = maps.reshape(len(maps), -1)
    hits = masks.reshape(len(masks), -1)[np.arange(len(masks)), flat_maps.argmax(axis=1)]
    return hits & (np.ptp(flat_maps, axis=1) > 0)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1.0 when both are empty)."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if a.shape != b.shape:
        raise ValueError(f"masks of different shapes {a.shape} and {b.shape} cannot be compared")
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def thresholded(maps: np.ndarray, fraction: float = 0.5) -> np.ndarray:
    """Each map above ``fraction`` of its own maximum (an all-zero map gives no pixel)."""
    fraction = arguments.number(fraction, "fraction", 0, 1)
    maps = arguments.finite(maps, "maps")
    if maps.ndim != 3:
        raise ValueError(f"maps must be a batch (N, H, W), got shape {maps.shape}")
    peaks = maps.reshape(len(maps), -1).max(axis=1)[:, None, None]
    return (maps >= fraction * peaks) & (peaks > 0)


def mask_iou(maps: np.ndarray, masks: np.ndarray, fraction: float = 0.5) -> np.ndarray:
    """Per image: IoU of the map thresholded at ``fraction`` of its max with the mask."""
    maps, masks = _check(maps, masks)
    return np.array([iou(m, g) for m, g in zip(thresholded(maps, fraction), masks, strict=True)])


def outline(regions: np.ndarray) -> np.ndarray:
    """The boundary pixels of boolean regions ``(..., H, W)``: region pixels with a
    4-neighbour outside the region (the image border counts as outside)."""
    regions = np.asarray(regions, bool)
    cross = ndimage.generate_binary_structure(2, 1)
    footprint = cross.reshape((1,) * (regions.ndim - 2) + cross.shape)
    inner = ndimage.binary_erosion(regions, footprint, border_value=0)
    return regions & ~inner


def boundary_f(
    maps: np.ndarray, masks: np.ndarray, fraction: float = 0.5, tolerance: float = 1.0
) -> np.ndarray:
    """Per image: boundary F-score of the map thresholded at ``fraction`` of its max against
    the mask. A boundary pixel counts as matched within ``tolerance`` pixels (Euclidean) of
    the other outline; F = 2PR / (P + R), 0 when the map keeps no pixel. Sharp maps that
    follow the object's outline score high; a blob at the right place does not."""
    maps, masks = _check(maps, masks)
    tolerance = arguments.number(tolerance, "tolerance", 0, np.inf)
    found, target = outline(thresholded(maps, fraction)), outline(masks)
    reach = int(tolerance)  # within ``tolerance`` of a pixel: a disk, one batch at a time
    rows, cols = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disk = (rows**2 + cols**2 <= tolerance**2)[None]
    near_target = ndimage.binary_dilation(target, disk)
    near_found = ndimage.binary_dilation(found, disk)
    precision = _ratio((found & near_target).sum(axis=(1, 2)), found.sum(axis=(1, 2)))
    recall = _ratio((target & near_found).sum(axis=(1, 2)), target.sum(axis=(1, 2)))
    return _ratio(2 * precision * recall, precision + recall)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, 0 where the denominator is 0."""
    numerator = np.asarray(numerator, float)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def energy_in_mask(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per image: the share of the map's positive mass inside the mask (the energy-based
    pointing game of Score-CAM); 0 for a map with no positive value."""
    maps, masks = _check(maps, masks)
    positive = np.clip(maps, 0, None).reshape(len(maps), -1)
    inside = (positive * masks.reshape(len(masks), -1)).sum(axis=1)
    return _ratio(inside, positive.sum(axis=1))


def map_box(saliency: np.ndarray, fraction: float = 0.2) -> np.ndarray:
    """Box (top, left, bottom, right) of the largest connected region above ``fraction`` of
    the map's max, as in the CAM paper; the whole map when nothing is above."""
    saliency = np.asarray(saliency)
    if saliency.ndim != 2:
        raise ValueError(f"saliency must be one map (H, W), got shape {saliency.shape}")
    return map_boxes(saliency[None], fraction)[0]


def map_boxes(maps: np.ndarray, fraction: float = 0.2) -> np.ndarray:
    """:func:`map_box` of each map of a batch ``(N, H, W)``: ``(N, 4)``. The regions of all
    maps are labelled at once (4-neighbours within a map); on a tie in size, the region met
    first in reading order wins."""
    above = thresholded(maps, fraction)
    n, height, width = above.shape
    boxes = np.tile([0, 0, height, width], (n, 1))
    within_a_map = np.zeros((3, 3, 3), bool)
    within_a_map[1] = ndimage.generate_binary_structure(2, 1)
    labels, count = ndimage.label(above, within_a_map)
    if count == 0:
        return boxes
    extents = ndimage.find_objects(labels)  # per region: (map, rows, columns) slices
    owner = np.array([extent[0].start for extent in extents])
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    order = np.lexsort((np.arange(count), -sizes, owner))  # per map: largest, then first
    largest = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    for region in largest:
        _, rows, cols = extents[region]
        boxes[owner[region]] = [rows.start, cols.start, rows.stop, cols.stop]
    return boxes


def box_iou(a, b) -> float:
    """IoU of two (top, left, bottom, right) boxes with exclusive ends."""
    a, b = _box(a, "a"), _box(b, "b")
    top, left = max(a[0], b[0]), max(a[1], b[1])
    bottom, right = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, bottom - top) * max(0, right - left)
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / area) if area > 0 else 0.0


def _box(box, name: str) -> np.ndarray:
    box = arguments.finite(box, name)
    if box.shape != (4,) or box[0] > box[2] or box[1] > box[3]:
        raise ValueError(
            f"box {name} must be (top, left, bottom, right) with top <= bottom and "
            f"left <= right, got {box.tolist()}"
        )
    return box


def box_accuracy(maps: np.ndarray, boxes: np.ndarray, fraction: float = 0.2) -> np.ndarray:
    """Per image: does the map's box overlap the true box with IoU >= :data:`BOX_IOU`?"""
    arguments.same_length(maps=maps, boxes=boxes)
    return np.array(
        [box_iou(m, b) >= BOX_IOU for m, b in zip(map_boxes(maps, fraction), boxes, strict=True)]
    )


def deletion_insertion(
    score,
    images: np.ndarray,
    maps: np.ndarray,
    targets: np.ndarray,
    steps: int = 16,
    baseline: float = 0.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Deletion and insertion curves and their areas (trapezoid rule over the fraction of
    pixels changed, 0..1).

    Pixels are taken in the order of the map, most salient first; pixels of equal value in a
    seeded random order (not raster order, which would favour flat maps' top rows).
    Deletion replaces them by ``baseline`` (a good map makes the target probability fall
    fast: low area); insertion starts from the baseline image and puts them back (good map:
    high area). ``score`` maps a batch of images to class probabilities. One batch of N
    images per step; ``steps`` >= 16.

    Parameters
    ----------
    score
        A callable from an ``(N, H, W, C)`` batch to ``(N, classes)`` probabilities.
    images
        ``(N, H, W, C)`` finite images.
    maps
        ``(N, H, W)`` finite saliency maps, one per image.
    targets
        ``(N,)`` the class whose probability is followed in each image.
    steps
        Points of each curve after the first (at least 16): step *s* changes ``s / steps``
        of the pixels.
    baseline
        The value deleted pixels take (and the insertion curve starts from).
    seed
        Random seed of the order among pixels of equal saliency.

    Returns
    -------
    dict
        ``deletion`` and ``insertion``: ``(N, steps + 1)`` target probabilities;
        ``deletion_area`` and ``insertion_area``: ``(N,)`` areas under them.

    References
    ----------
    Petsiuk, V., Das, A. and Saenko, K. (2018). RISE: randomized input sampling for
    explanation of black-box models. BMVC.

    Examples
    --------
    >>> curves = deletion_insertion(model.predict, images, maps, targets)  # doctest: +SKIP
    >>> curves["deletion_area"].mean()  # doctest: +SKIP

    Used in notebook 07.
    """
    images = arguments.finite(np.asarray(images, np.float32), "images")
    maps = arguments.finite(maps, "maps")
    if images.ndim != 4 or len(images) != len(maps) or images.shape[1:3] != maps.shape[1:]:
        raise ValueError(
            f"images {images.shape} and maps {maps.shape} do not match: give (N, H, W, C) "
            "images and one (H, W) map per image"
        )
    targets = arguments.integral_array(targets, "targets")
    if targets.shape != (len(images),):
        raise ValueError(f"targets {targets.shape} must hold one class per image ({len(images)})")
    steps = arguments.count(steps, "steps", low=16)
    n, pixels = len(images), images.shape[1] * images.shape[2]
    tiebreak = np.random.default_rng(seed).random((n, pixels))
    order = np.lexsort((tiebreak, -maps.reshape(n, -1)), axis=-1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(pixels)[None].repeat(n, 0), axis=1)
    rank = rank.reshape(images.shape[:3])[..., None]
    whole = np.asarray(score(images))  # deletion's first and insertion's last batch
    arguments.labels(targets, whole.shape[1], "targets")
    empty = np.asarray(score(np.full_like(images, baseline)))  # and the other way round
    curves = {"deletion": [], "insertion": []}
    for step in range(steps + 1):
        shown = rank < round(step / steps * pixels)
        for kind, keep in (("deletion", ~shown), ("insertion", shown)):
            if keep.all() or not keep.any():
                scores = whole if keep.all() else empty
            else:
                scores = np.asarray(score(np.where(keep, images, baseline).astype(np.float32)))
            curves[kind].append(scores[np.arange(n), targets])
    out = {kind: np.stack(values, axis=1) for kind, values in curves.items()}
    out |= {
        f"{kind}_area": np.trapezoid(curve, dx=1 / steps, axis=1)
        for kind, curve in list(out.items())
    }
    return out


def _maps_shape(shape) -> tuple[int, int, int]:
    if np.ndim(shape) != 1 or len(shape) != 3:
        raise ValueError(f"shape must be (N, H, W), got {shape!r}")
    return tuple(arguments.count(side, "shape") for side in shape)


def random_maps(shape, seed: int = 0) -> np.ndarray:
    """Reference maps of uniform noise ``(N, H, W)``: the floor any real map must beat."""
    shape = _maps_shape(shape)
    return np.random.default_rng(seed).random(shape)


def centre_prior_maps(shape, sigma_fraction: float = 0.25) -> np.ndarray:
    """Reference maps ``(N, H, W)``: the same Gaussian centred on the image (standard
    deviation ``sigma_fraction`` of the side) for every image; a map that knows nothing of
    the image but that objects tend to sit near the middle."""
    n, height, width = _maps_shape(shape)
    arguments.number(sigma_fraction, "sigma_fraction", 0, np.inf, low_open=True)
    rows = (np.arange(height) - (height - 1) / 2) / (sigma_fraction * height)
    cols = (np.arange(width) - (width - 1) / 2) / (sigma_fraction * width)
    prior = np.exp(-0.5 * (rows[:, None] ** 2 + cols[None, :] ** 2))
    return np.broadcast_to(prior, (n, height, width)).copy()


def localisation_scores(maps: np.ndarray, masks: np.ndarray) -> dict[str, np.ndarray]:
    """Per image, against the masks: pointing game hit (0/1), IoU (map > 50 % of its max vs
    mask), boundary F (that thresholded map's outline vs the mask's, 1 px tolerance) and
    energy in mask."""
    return {
        "pointing game": pointing_game(maps, masks).astype(float),
        "IoU": mask_iou(maps, masks),
        "boundary F": boundary_f(maps, masks),
        "energy in mask": energy_in_mask(maps, masks),
    }


CURVE_AREAS = {
    "deletion": "deletion area (lower is better)",
    "insertion": "insertion area (higher is better)",
}


def curve_areas(score, images, maps, targets, steps: int = 16) -> dict[str, np.ndarray]:
    """Per image, the deletion and insertion areas of :func:`deletion_insertion`, named as
    the quality table names them."""
    curves = deletion_insertion(score, images, maps, targets, steps)
    return {label: curves[f"{kind}_area"] for kind, label in CURVE_AREAS.items()}


def per_image_quality(saliency: np.ndarray, masks, boxes) -> dict[str, np.ndarray]:
    """Per image: the :func:`localisation_scores` and box hit (CAM paper's 20 % box,
    IoU >= 0.5)."""
    return localisation_scores(saliency, masks) | {
        "box accuracy": box_accuracy(saliency, boxes).astype(float)
    }


def single_image_scores(maps: dict, mask: np.ndarray):
    """A small table for one image: per map (rows), its :func:`localisation_scores` against
    ``mask``, the pointing game as hit or miss."""
    rows = {}
    for name, m in maps.items():
        scores = {
            metric: round(float(v[0]), 3)
            for metric, v in localisation_scores(m[None], mask[None]).items()
        }
        rows[name] = scores | {"pointing game": "hit" if scores["pointing game"] else "miss"}
    return pd.DataFrame(rows).T


def per_image_scores(maps: dict, masks, boxes, progress: bool = False) -> dict:
    """``{map name: {metric: per-image scores}}``: :func:`per_image_quality` of each map.

    Each metric rewards something different: the pointing game a well-placed peak, IoU and
    boundary F a map whose strong part follows the object's shape, energy in mask a map
    whose mass stays on the object, box accuracy a map whose largest region boxes it.

    Parameters
    ----------
    maps
        ``{map name: (N, H, W) saliency maps}``, the same images for every map.
    masks
        ``(N, H, W)`` ground-truth object masks, none empty.
    boxes
        ``(N, 4)`` true boxes ``(top, left, bottom, right)``, ends exclusive.
    progress
        Show a progress bar over the maps.

    Returns
    -------
    dict
        ``{map name: {metric: (N,) float scores}}`` with the metrics ``pointing game``
        (0/1), ``IoU`` (map above 50 % of its max vs mask), ``boundary F`` (1 px
        tolerance), ``energy in mask`` and ``box accuracy`` (0/1: the box of the largest
        region above 20 % of the max has IoU >= 0.5 with the true box).

    References
    ----------
    Zhang, J., Lin, Z., Brandt, J., Shen, X. and Sclaroff, S. (2016). Top-down neural
    attention by excitation backprop. ECCV.

    Zhou, B., Khosla, A., Lapedriza, A., Oliva, A. and Torralba, A. (2016). Learning deep
    features for discriminative localization. CVPR.

    Wang, H. et al. (2020). Score-CAM: score-weighted visual explanations for convolutional
    neural networks. CVPR Workshops.

    Examples
    --------
    >>> per_image = per_image_scores(all_maps, test.masks, test.boxes)  # doctest: +SKIP

    Used in notebook 07.
    """
    shown = tqdm(maps.items(), desc="scoring maps", disable=not progress, total=len(maps))
    return {name: per_image_quality(saliency, masks, boxes) for name, saliency in shown}


def quality_table(maps: dict, masks, boxes):
    """One row per map type: each metric of :func:`per_image_quality` with its 95 %
    bootstrap interval over the images (columns ``metric``, ``metric low``, ``metric high``)."""
    return stats.interval_table(per_image_scores(maps, masks, boxes), decimals=3)


def paired_against(per_image: dict, reference: str, rows, metric_names, matters: float = 0.0):
    """Each map of ``rows`` minus ``reference`` on each metric, paired over the same images
    (:func:`helpers.stats.paired_comparison`): a table indexed by (map, metric) with the mean
    difference, its 95 % interval and the call; an interval inside ``±matters`` is called
    "too small to matter" (:meth:`helpers.stats.Paired.call`).

    Parameters
    ----------
    per_image
        ``{map name: {metric: (N,) scores}}``, e.g. from :func:`per_image_scores`.
    reference
        The map every row is compared with (a key of ``per_image``).
    rows
        The maps compared with it.
    metric_names
        The metrics compared, each present for every map.
    matters
        The smallest difference that matters for the scores; 0: any significant difference
        counts.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``map``, ``metric``); columns ``minus <reference>`` (mean difference),
        ``low`` and ``high`` (its 95 % paired bootstrap interval), rounded to 4 decimals,
        and ``call``: which is better, "no significant difference" or "too small to
        matter".

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> paired_against(per_image, "low-res CAM", ["high-res CAM"], ["IoU"])  # doctest: +SKIP

    Used in notebook 07.
    """
    unknown = [name for name in [reference, *rows] if name not in per_image]
    if unknown:
        raise ValueError(f"no per-image scores for {unknown}; there are {list(per_image)}")
    table = {}
    for row in rows:
        for metric in metric_names:
            paired = stats.paired_comparison(
                per_image[row][metric], per_image[reference][metric], row, reference
            )
            table[(row, metric)] = {
                f"minus {reference}": round(paired.difference, 4),
                "low": round(paired.low, 4),
                "high": round(paired.high, 4),
                "call": paired.call(matters),
            }
    return pd.DataFrame(table).T.rename_axis(["map", "metric"])
