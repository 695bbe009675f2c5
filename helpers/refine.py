"""The refinement pipeline that combines a low-res and a high-res CAM (ICIP 2019), with one
consistent set of parameters: percentiles are 0-100 everywhere, fractions 0-1.

Steps, as Tagaris et al.'s ``high-res-mapping`` repository (its ``pipeline``) defines them:
normalise and blur the high map; Sobel edges; ROI = the resized low map above its
``roi_percentile``; region-growing bounds = percentiles of the edges inside the ROI; focal
points from the low map (global: the resized map's top round(sqrt(side)) pixels; local: the
low map's local maxima above the midpoint of the weakest and strongest, enlarged to full size
and, for ``maxima_areas="small"``, thinned to their skeleton); region growing (connected
threshold) from the focal points; add the ROI's strong edges; fill small holes; merge with
the low map (blend or multiply); crop the image where the refined map is high.

One named deviation: ``merge_source="high-res in segment"`` merges the blurred high-res map
inside the segment instead of Tagaris et al.'s binary segment (``"segment"``); notebook 07
measures both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage
from skimage.filters import sobel
from skimage.morphology import local_maxima, remove_small_holes, skeletonize
from skimage.transform import resize

from helpers.infra import arguments
from helpers.infra.parameters import one_of, ranged, validate

MERGE_TYPES = ("blend", "multiply")
FOCAL_SCOPES = ("global", "local")
MAXIMA_AREAS = ("small", "large")
MERGE_SOURCES = ("segment", "high-res in segment")
CROP_MODES = ("percentage", "threshold")


@dataclass(frozen=True)
class RefineParams:
    """Every parameter of the pipeline, declared once with its range or options (the refine
    explorer's controls are built from these), validated on creation."""

    blur_size: int = ranged(5, 1, None, 2, "blur size (px)", whole=True, shown_up_to=11)
    roi_percentile: float = ranged(85.0, 0, 100, 5, "ROI percentile")
    lower_percentile: float = ranged(25.0, 0, 100, 5, "lower edge percentile")
    upper_percentile: float = ranged(75.0, 0, 100, 5, "upper edge percentile")
    focal_scope: str = one_of("global", FOCAL_SCOPES, "focal points")
    maxima_areas: str = one_of("small", MAXIMA_AREAS, "local maxima areas")
    hole_area: int = ranged(256, 0, None, 32, "fill holes up to (px)", whole=True, shown_up_to=1024)
    merge: str = one_of("blend", MERGE_TYPES, "merge by")
    merge_source: str = one_of("segment", MERGE_SOURCES, "merge the low-res map with")
    alpha: float = ranged(0.5, 0, 1, 0.05, "blend weight")
    crop_mode: str = one_of("percentage", CROP_MODES, "crop by")
    crop_percentage: float = ranged(15.0, 0, 100, 5, "crop top percent")
    crop_threshold: float = ranged(0.6, 0, 1, 0.05, "crop threshold")

    def __post_init__(self):
        validate(self)
        if self.lower_percentile > self.upper_percentile:
            raise ValueError(
                f"lower_percentile ({self.lower_percentile}) must not exceed "
                f"upper_percentile ({self.upper_percentile})"
            )


@dataclass
class RefineSteps:
    """Every intermediate of the pipeline, in order."""

    low_resized: np.ndarray
    blurred: np.ndarray
    edges: np.ndarray
    roi: np.ndarray
    bounds: tuple[float, float]
    focal_points: np.ndarray
    segmented: np.ndarray
    full_segment: np.ndarray
    merged: np.ndarray
    crop_box: tuple[int, int, int, int]
    cropped: np.ndarray | None
    params: RefineParams  # the settings that made them


def normalise(values: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1]; a constant map becomes all zeros."""
    values = arguments.finite(np.asarray(values, dtype=np.float64), "values")
    span = values.max() - values.min()
    return (values - values.min()) / span if span > 0 else np.zeros_like(values)


def focal_points(
    low_map: np.ndarray, shape: tuple[int, int], scope: str, maxima_areas: str = "small"
) -> np.ndarray:
    """``(k, 2)`` row/column seeds at ``shape`` (the high map's) from the low map.

    global: the top round(sqrt(side)) pixels of the low map resized to ``shape`` (8 for a
    64 x 64 map, 15 for 224 x 224). local: the low map's local maxima stronger than the
    midpoint of its weakest and strongest maximum, enlarged to ``shape`` (nearest neighbour);
    ``maxima_areas="small"`` thins each enlarged block to its skeleton, "large" keeps it.
    """
    if scope not in FOCAL_SCOPES:
        raise ValueError(f"unknown focal_scope {scope!r}; use one of {FOCAL_SCOPES}")
    if maxima_areas not in MAXIMA_AREAS:
        raise ValueError(f"unknown maxima_areas {maxima_areas!r}; use one of {MAXIMA_AREAS}")
    low_map = arguments.finite(low_map, "low_map")
    resized = resize(low_map, shape, order=1, mode="edge", anti_aliasing=False)
    if scope == "global":
        count = max(1, round(np.sqrt(max(shape))))
        flat = np.argsort(-resized, axis=None, kind="stable")[:count]
        return np.column_stack(np.unravel_index(flat, shape))
    candidates = local_maxima(low_map, allow_borders=True)
    values = low_map[candidates]
    if values.size == 0 or values.max() == values.min():  # a flat map: its maximum
        return np.array([np.unravel_index(resized.argmax(), shape)])
    kept = candidates & (low_map > (values.max() + values.min()) / 2)
    enlarged = resize(kept.astype(float), shape, order=0, anti_aliasing=False) > 0.5
    if maxima_areas == "small":
        enlarged = skeletonize(enlarged)
    return np.argwhere(enlarged)


def region_grow(values: np.ndarray, seeds: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Connected threshold: the pixels within [lower, upper] connected to a seed inside it."""
    seeds = arguments.integral_array(seeds, "seeds")
    if seeds.ndim != 2 or seeds.shape[1] != 2:
        raise ValueError(f"seeds must be (k, 2) row/column pairs, got shape {seeds.shape}")
    if ((seeds < 0) | (seeds >= np.array(np.shape(values)))).any():
        raise ValueError(f"seeds must lie inside the {np.shape(values)} map")
    inside = (values >= lower) & (values <= upper)
    labels, _ = ndimage.label(inside)
    seeded = labels[seeds[:, 0], seeds[:, 1]]
    return np.isin(labels, seeded[seeded > 0])


def crop_box(refined: np.ndarray, params: RefineParams) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) around the kept part of the refined map (whole map if none)."""
    if params.crop_mode == "percentage":
        keep = refined >= np.percentile(refined, 100 - params.crop_percentage)
    else:
        keep = refined >= params.crop_threshold
    keep &= refined > 0
    if not keep.any():
        return 0, 0, refined.shape[0], refined.shape[1]
    rows, cols = np.flatnonzero(keep.any(axis=1)), np.flatnonzero(keep.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1] + 1), int(cols[-1] + 1)


def merge(low: np.ndarray, blurred: np.ndarray, full_segment: np.ndarray, params: RefineParams):
    """The refined map: the segment (``merge_source`` "segment") or the blurred high-res map
    inside it, blended with or multiplied by the resized low map."""
    kept = full_segment if params.merge_source == "segment" else blurred * full_segment
    if params.merge == "blend":
        return params.alpha * kept + (1 - params.alpha) * low
    return normalise(kept * low)


def refine(
    low_map: np.ndarray,
    high_map: np.ndarray,
    image: np.ndarray | None = None,
    params: RefineParams | None = None,
) -> RefineSteps:
    """Run the pipeline on one image's maps; ``low_map`` may have a lower resolution.

    The low-res CAM says roughly where the object is, the high-res CAM where its outlines
    are: region growing from the low map's focal points over the blurred high map's edges
    gives a segment, which is merged with the resized low map into the refined map (the
    module docstring lists every step).

    Parameters
    ----------
    low_map
        ``(h, w)`` finite low-res CAM, at least 2 x 2 and no larger than ``high_map``.
    high_map
        ``(H, W)`` finite high-res CAM of the same image.
    image
        The image ``(H, W, ...)``, optional: only the crop is taken from it.
    params
        The pipeline's settings (:class:`RefineParams`); None: the defaults.

    Returns
    -------
    RefineSteps
        Every intermediate, in order: ``low_resized``, ``blurred``, ``edges``, ``roi``,
        ``bounds``, ``focal_points``, ``segmented``, ``full_segment``, ``merged`` (the
        refined map, ``(H, W)``), ``crop_box``, ``cropped`` (None without ``image``) and
        the ``params`` used.

    References
    ----------
    Tagaris, T., Sdraka, M. and Stafylopatis, A. (2019). High resolution class activation
    mapping for discriminative feature localization. ICIP.

    Examples
    --------
    >>> steps = refine(low[0], high[0], image=sample[0])  # doctest: +SKIP
    >>> steps.merged  # doctest: +SKIP

    Used in notebook 07.
    """
    params = RefineParams() if params is None else params
    low_map = arguments.finite(np.asarray(low_map, float), "low_map")
    high_map = arguments.finite(np.asarray(high_map, float), "high_map")
    if low_map.ndim != 2 or high_map.ndim != 2 or min(*low_map.shape, *high_map.shape) < 2:
        raise ValueError(
            f"maps must be 2-D and at least 2 x 2, got low {low_map.shape} and high "
            f"{high_map.shape}"
        )
    if image is not None:
        arguments.finite(image, "image")
        image = np.asarray(image)  # its own dtype: the crop is shown as given
    if image is not None and image.shape[:2] != high_map.shape:
        raise ValueError(
            f"image {np.asarray(image).shape[:2]} and high map {high_map.shape} "
            "must have the same height and width"
        )
    if any(lo > hi for lo, hi in zip(low_map.shape, high_map.shape, strict=True)):
        raise ValueError(
            f"the low map {low_map.shape} must not be larger than the high map {high_map.shape}"
        )
    low = normalise(resize(low_map, high_map.shape, order=1, mode="edge", anti_aliasing=False))
    blurred = ndimage.uniform_filter(normalise(high_map), size=params.blur_size, mode="nearest")
    edges = sobel(blurred)
    roi = low > np.percentile(low, params.roi_percentile)
    if not roi.any():  # a constant low map: everything is of interest
        roi = np.ones_like(low, bool)
    inside = edges[roi]
    bounds = (
        float(np.percentile(inside, params.lower_percentile)),
        float(np.percentile(inside, params.upper_percentile)),
    )
    seeds = focal_points(low_map, high_map.shape, params.focal_scope, params.maxima_areas)
    segmented = region_grow(edges, seeds, *bounds)
    segmented |= roi & (edges >= bounds[1])
    full_segment = remove_small_holes(segmented, max_size=params.hole_area)
    merged = merge(low, blurred, full_segment, params)
    box = crop_box(merged, params)
    cropped = None if image is None else image[box[0] : box[2], box[1] : box[3]]
    return RefineSteps(
        low,
        blurred,
        edges,
        roi,
        bounds,
        seeds,
        segmented,
        full_segment,
        merged,
        box,
        cropped,
        params,
    )


def refine_batch(low_maps, high_maps, params: RefineParams | None = None) -> np.ndarray:
    """The refined (merged) map of every image of a batch: ``(N, H, W)``."""
    params = RefineParams() if params is None else params
    return refine_batch_sources(low_maps, high_maps, params, [params.merge_source])[
        params.merge_source
    ]


def refine_batch_sources(
    low_maps, high_maps, params: RefineParams, sources
) -> dict[str, np.ndarray]:
    """``{merge source: (N, H, W) refined maps}``: the pipeline runs once per image and only
    its last step, the merge, once per source in ``sources``."""
    if len(low_maps) != len(high_maps):
        raise ValueError(f"{len(low_maps)} low maps but {len(high_maps)} high maps")
    variants = {source: replace(params, merge_source=source) for source in sources}
    merged = {source: [] for source in sources}
    for lo, hi in zip(low_maps, high_maps, strict=True):
        steps = refine(lo, hi, params=params)
        for source, varied in variants.items():
            merged[source].append(
                merge(steps.low_resized, steps.blurred, steps.full_segment, varied)
            )
    return {source: np.stack(maps) for source, maps in merged.items()}
