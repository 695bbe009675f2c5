"""Occlusion maps: how much a target score drops when a window of the image is hidden.

Streams: one compiled step makes ``batch_size`` occluded copies at a time, scores them and adds
their drops to the maps, so the extra memory is bounded by the batch size, not by the number
of window positions. Overlapping windows (stride < window) are averaged by how many windows
cover each pixel. The results are the same for every batch size up to float32 rounding
(tested to rtol 1e-6, atol 1e-7).

The hidden window is filled with an explicit *baseline* that does not depend on the other
images of the call: 0 by default (captum's default too; black, Fashion-MNIST's
background), a constant such as the dataset's mean, or ``"blur"`` (the image blurred, which
hides detail but keeps the overall brightness).
"""

from __future__ import annotations

import weakref

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from scipy import ndimage
from tqdm.auto import tqdm

from helpers.infra import arguments
from helpers.saliency import Saliency, Score, resolve_targets


def _pair(value, name: str) -> tuple[int, int]:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    pair = tuple(arguments.integral(v, name) for v in pair)
    if min(pair) < 1:
        raise ValueError(f"{name} must be at least 1 pixel, got {value!r}")
    return pair


def window_starts(size: int, window: int, stride: int) -> list[int]:
    """Start offsets along one axis; the last window always touches the far edge."""
    size = arguments.count(size, "size")
    window = arguments.count(window, "window", 1, size)
    stride = arguments.count(stride, "stride")
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] != size - window:
        starts.append(size - window)
    return starts


def _window_masks(tops, lefts, height, width, window):
    """``(B, H, W)`` float masks, 1 inside each window: the outer product of a row band and
    a column band, so no per-window Python work is needed."""
    rows, cols = tf.range(height)[None, :], tf.range(width)[None, :]
    in_rows = (rows >= tops[:, None]) & (rows < tops[:, None] + window[0])
    in_cols = (cols >= lefts[:, None]) & (cols < lefts[:, None] + window[1])
    return tf.cast(in_rows[:, :, None] & in_cols[:, None, :], tf.float32)


def make_occluder(score: Score):
    """A compiled step: hide one window in each of B copies, score them and add each copy's
    drop to its image's map. Only ``B`` occluded copies exist at any time.

    ``step(images, owner, tops, lefts, window, fills, targets, base)`` returns ``(M, H, W)``
    summed drops for the ``M`` images of ``images``; copy ``j`` is of ``images[owner[j]]``
    with the window at ``(tops[j], lefts[j])`` taken from ``fills[owner[j]]`` (``fills``:
    ``(M, 1, 1, C)`` constants or ``(M, H, W, C)`` fill images).
    """

    per_copy = tf.TensorSpec([None], tf.int32)
    channels = score.images_spec.shape[-1]
    signature = [
        score.images_spec,  # images
        per_copy,  # owner
        per_copy,  # tops
        per_copy,  # lefts
        tf.TensorSpec([2], tf.int32),  # window
        tf.TensorSpec([None, None, None, channels], tf.float32),  # fills: constants or images
        per_copy,  # targets
        tf.TensorSpec([None], tf.float32),  # base
    ]

    @tf.function(input_signature=signature)  # traced once for every batch size and fill
    def step(images, owner, tops, lefts, window, fills, targets, base):
        height, width = tf.shape(images)[1], tf.shape(images)[2]
        masks = _window_masks(tops, lefts, height, width, window)
        hidden = masks[..., None]
        fill = tf.gather(fills, owner)
        occluded = tf.gather(images, owner) * (1.0 - hidden) + fill * hidden
        drops = base - tf.gather(score.tensor(occluded), targets, batch_dims=1)
        return tf.math.unsorted_segment_sum(
            drops[:, None, None] * masks, owner, num_segments=tf.shape(images)[0]
        )

    return step


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled_for(model: keras.Model, layer: str | int | None, logits: bool = False):
    """``(score, step)`` for this model and target (a :class:`~helpers.saliency.Score` and
    its occlusion step), compiled once and kept while the model lives, so moving a widget
    does not trace the network again."""
    per_target = _COMPILED.setdefault(model, {})
    if (layer, logits) not in per_target:
        score = Score(model, layer, logits)
        per_target[layer, logits] = score, make_occluder(score)
    return per_target[layer, logits]


BASELINES = ("zero", "dataset mean", "blur")
DEFAULT_WINDOW = 8  # pixels; the stride defaults to the window
PROGRESS_AFTER_S = 0.5  # a bar for maps that take longer; quicker ones show none


def baseline_fills(images: np.ndarray, baseline, blur_sigma: float = 2.0) -> np.ndarray:
    """What fills a hidden window of each image: ``(N, 1, 1, C)`` for a number or one number
    per channel, ``(N, H, W, C)`` for ``"blur"`` (each image Gaussian-blurred on its own)."""
    channels = images.shape[-1]
    if isinstance(baseline, str):
        if baseline != "blur":
            raise ValueError(
                f"baseline {baseline!r} unknown: give a number, one number per channel, or 'blur'"
            )
        if not blur_sigma > 0:
            raise ValueError(f"blur_sigma must be positive, got {blur_sigma}")
        return ndimage.gaussian_filter(images, sigma=(0, blur_sigma, blur_sigma, 0))
    values = np.asarray(baseline, np.float32).reshape(-1)
    if len(values) not in (1, channels) or not np.isfinite(values).all():
        raise ValueError(
            f"baseline must be one finite number or {channels} (one per channel), got {baseline!r}"
        )
    return np.broadcast_to(values, (len(images), 1, 1, channels)).astype(np.float32)


def occlusion_maps(
    model: keras.Model,
    images: np.ndarray,
    window: int | tuple[int, int] = DEFAULT_WINDOW,
    stride: int | tuple[int, int] | None = None,
    target: int | np.ndarray | None = None,
    layer: str | int | None = None,
    baseline: float | np.ndarray | str = 0.0,
    blur_sigma: float = 2.0,
    batch_size: int = 128,
    progress: bool = False,
    logits: bool = False,
) -> Saliency:
    """Occlusion maps (Zeiler and Fergus, 2014): score(image) - score(image with a window
    hidden), averaged over the windows that cover each pixel.

    Parameters
    ----------
    model
        The network explained.
    images
        ``(N, H, W, C)`` floats; rectangular images work.
    window, stride
        Window height/width and step (an int or a pair, stride <= window); ``stride``
        defaults to ``window``.
    target
        The class explained: an int, one per image, or None (each image's predicted class);
        with ``layer``, the unit of that layer (conv channels spatially averaged).
    layer
        Explain a unit of this layer instead of a class.
    baseline
        What fills the hidden window: a number (default 0), one number per channel (e.g. the
        dataset's mean), or ``"blur"`` (the image blurred with ``blur_sigma`` pixels). It never
        depends on the other images passed, so an image's map is the same in any batch.
    batch_size
        How many occluded images go through the network at once.
    progress
        Show a progress bar once the maps take over :data:`PROGRESS_AFTER_S` seconds.
    logits
        Score the class before its softmax (:class:`~helpers.saliency.Score`).

    Returns
    -------
    Saliency
        ``maps`` ``(N, H, W)`` (positive: hiding the window lowers the score) and the
        ``targets`` explained.

    References
    ----------
    Zeiler, M. D. and Fergus, R. (2014). Visualizing and understanding convolutional networks.
    ECCV.

    Examples
    --------
    >>> maps, targets = occlusion_maps(model, images, window=6, stride=2)  # doctest: +SKIP

    Used in notebook 02.
    """
    images = arguments.model_batch(model, images)
    if images.ndim != 4:
        raise ValueError(f"occlusion needs image batches (N, H, W, C), got shape {images.shape}")
    n, height, width, _ = images.shape
    (win_h, win_w), rows, cols, counts = _window_grid(height, width, window, stride)
    batch_size = arguments.count(batch_size, "batch_size")
    fills = baseline_fills(images, baseline, blur_sigma)

    score, step = compiled_for(model, layer, logits)
    base = score(images, batch_size)
    if layer is not None and target is None:
        raise ValueError(
            f"layer={layer!r} needs target=: which of its {base.shape[1]} units to explain"
        )
    what = "class" if layer is None else f"unit of layer {layer!r}"
    targets = resolve_targets(target, base.argmax(axis=1), base.shape[1], what).astype(np.int32)
    base_target = base[np.arange(n), targets]

    positions = len(rows) * len(cols)
    window_t = tf.constant([win_h, win_w])
    sums = np.zeros((n, height, width), np.float64)
    total = n * positions
    starts = tqdm(
        range(0, total, batch_size), desc="occlusion", disable=not progress, delay=PROGRESS_AFTER_S
    )
    for start in starts:
        # int64 for the flat index: images x positions can pass 2**31 on big inputs
        owner, where = np.divmod(np.arange(start, min(start + batch_size, total)), positions)
        first, last = owner[0], owner[-1] + 1
        row, col = np.divmod(where, len(cols))
        owner = owner.astype(np.int32)
        with score.tracing():  # the step is traced with the model's logits in reach
            drops = step(
                images[first:last],
                (owner - first).astype(np.int32),
                rows[row],
                cols[col],
                window_t,
                fills[first:last],
                targets[owner],
                base_target[owner].astype(np.float32),
            )
        sums[first:last] += drops.numpy()
    return Saliency((sums / counts).astype(np.float32), targets.astype(np.int64))


def _window_grid(height: int, width: int, window, stride):
    """``((win_h, win_w), row starts, column starts, counts)`` for images ``height x width``:
    ``counts[y, x]`` is how many windows cover pixel ``(y, x)``; a window larger than the
    images or a stride larger than the window is refused."""
    win_h, win_w = _pair(window, "window")
    step_h, step_w = _pair(window if stride is None else stride, "stride")
    if win_h > height or win_w > width:
        raise ValueError(
            f"window {(win_h, win_w)} is larger than the images {(height, width)}: "
            "use a smaller window"
        )
    if step_h > win_h or step_w > win_w:
        raise ValueError(
            f"stride {(step_h, step_w)} is larger than the window {(win_h, win_w)}: some pixels "
            "would never be hidden; use a stride no larger than the window"
        )
    rows = np.array(window_starts(height, win_h, step_h), np.int32)
    cols = np.array(window_starts(width, win_w, step_w), np.int32)
    # windows form a grid, so the number covering a pixel is (rows covering) x (cols covering)
    counts = np.outer(_coverage(rows, win_h, height), _coverage(cols, win_w, width))
    return (win_h, win_w), rows, cols, counts


def _coverage(starts: np.ndarray, window: int, size: int) -> np.ndarray:
    """How many of the windows starting at ``starts`` cover each of ``size`` pixels."""
    covered = np.zeros(size + 1, np.int64)
    np.add.at(covered, starts, 1)
    np.add.at(covered, starts + window, -1)
    return np.cumsum(covered)[:size]


def make_class_occluder(score: Score):
    """A compiled step for one image and several classes: hide one window in each of B
    copies, score each copy once and add its drop for every class to that class's map.

    ``step(image, tops, lefts, window, fill, targets, base)`` returns ``(T, H, W)`` summed
    drops for the ``T`` classes ``targets`` (``base``: their scores with nothing hidden);
    ``image`` and ``fill`` are ``(1, H, W, C)`` (``fill``: ``(1, 1, 1, C)`` for a constant).
    """
    channels = score.images_spec.shape[-1]
    per_copy = tf.TensorSpec([None], tf.int32)
    signature = [
        score.images_spec,  # the image, as a batch of one
        per_copy,  # tops
        per_copy,  # lefts
        tf.TensorSpec([2], tf.int32),  # window
        tf.TensorSpec([1, None, None, channels], tf.float32),  # fill
        tf.TensorSpec([None], tf.int32),  # targets
        tf.TensorSpec([None], tf.float32),  # base
    ]

    @tf.function(input_signature=signature)
    def step(image, tops, lefts, window, fill, targets, base):
        height, width = tf.shape(image)[1], tf.shape(image)[2]
        masks = _window_masks(tops, lefts, height, width, window)
        hidden = masks[..., None]
        occluded = image * (1.0 - hidden) + fill * hidden
        drops = base[None, :] - tf.gather(score.tensor(occluded), targets, axis=1)
        return tf.einsum("bt,bhw->thw", drops, masks)

    return step


_CLASS_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def class_maps(
    model: keras.Model,
    image: np.ndarray,
    targets,
    window: int | tuple[int, int] = DEFAULT_WINDOW,
    stride: int | tuple[int, int] | None = None,
    baseline: float | np.ndarray | str = 0.0,
    blur_sigma: float = 2.0,
    batch_size: int = 128,
    progress: bool = False,
    logits: bool = False,
) -> Saliency:
    """Occlusion maps of one image for several classes at once: each occluded copy goes
    through the network once and gives the drop of every class, so ``T`` classes cost what
    one does (:func:`occlusion_maps` on ``T`` copies of the image costs ``T`` times more and
    gives the same maps).

    Parameters
    ----------
    model
        The network explained.
    image
        One image ``(H, W, C)`` (no batch axis).
    targets
        The classes to explain: a list of class indices (at least one).
    window, stride, baseline, blur_sigma, batch_size, progress, logits
        As for :func:`occlusion_maps`.

    Returns
    -------
    Saliency
        ``maps`` ``(T, H, W)``, one per class of ``targets`` (positive: hiding the window
        lowers that class's score), and the ``targets``.

    Examples
    --------
    >>> maps, _ = class_maps(model, photo, [285, 282], window=48, stride=24)  # doctest: +SKIP

    Used in notebook 02.
    """
    image = np.asarray(image)
    expected = tuple(model.inputs[0].shape[1:])
    if image.shape != expected:
        raise ValueError(
            f"image has shape {image.shape}; class_maps explains one image of shape {expected} "
            "(for a batch of images, use occlusion_maps)"
        )
    images = arguments.model_batch(model, image[None])
    _, height, width, _ = images.shape
    window, rows, cols, counts = _window_grid(height, width, window, stride)
    batch_size = arguments.count(batch_size, "batch_size")
    fills = baseline_fills(images, baseline, blur_sigma)
    score, _ = compiled_for(model, None, logits)
    steps = _CLASS_STEPS.setdefault(model, {})
    if logits not in steps:
        steps[logits] = make_class_occluder(score)
    step = steps[logits]
    base = score(images)[0]
    targets = np.atleast_1d(np.asarray(targets))
    if targets.size == 0 or targets.ndim != 1:
        raise ValueError(f"targets must list at least one class, got {targets.tolist()!r}")
    chosen = resolve_targets(targets, np.zeros(len(targets), np.int64), len(base))
    chosen = chosen.astype(np.int32)
    positions = len(rows) * len(cols)
    sums = np.zeros((len(chosen), height, width), np.float64)
    starts = tqdm(range(0, positions, batch_size), desc="occlusion", disable=not progress)
    for start in starts:
        row, col = np.divmod(np.arange(start, min(start + batch_size, positions)), len(cols))
        with score.tracing():
            drops = step(
                images,
                rows[row],
                cols[col],
                tf.constant(window),
                fills,
                chosen,
                base[chosen].astype(np.float32),
            )
        sums += drops.numpy()
    return Saliency((sums / counts).astype(np.float32), chosen.astype(np.int64))


def target_scores(
    model: keras.Model, images: np.ndarray, targets, logits: bool = False
) -> np.ndarray:
    """The score each image's target class gets with nothing hidden: its probability, or with
    ``logits=True`` its logit (score before the softmax), as :func:`occlusion_maps` scores it.

    Parameters
    ----------
    model
        The network.
    images
        ``(N, H, W, C)`` finite floats.
    targets
        One class per image (e.g. the ``targets`` of :func:`occlusion_maps`), or one int.
    logits
        Score the class before its softmax.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` scores.

    Used in notebook 02.
    """
    images = arguments.model_batch(model, images)
    score, _ = compiled_for(model, None, logits)
    every = score(images)
    chosen = resolve_targets(targets, every.argmax(axis=1), every.shape[1])
    return every[np.arange(len(images)), chosen]


def effect_table(maps: dict, names, scores: dict | None = None) -> pd.DataFrame:
    """Per image, how far hiding a window moves its score: the largest drop and the largest
    rise of each kind of map (0 when no window lowers, or raises, the score), next to the
    score with nothing hidden. Occlusion maps are averages of the windows covering each
    pixel, so these are the largest averages, read on the map's own scale.

    Parameters
    ----------
    maps
        ``{score name: (N, H, W) maps}``, e.g. ``{"probability": ..., "logit": ...}``.
    names
        One name per image (the table's rows, numbered).
    scores
        ``{score name: (N,) scores}`` with nothing hidden (:func:`target_scores`); optional.

    Returns
    -------
    pandas.DataFrame
        One row per image; per score name the columns ``<name>`` (if given in ``scores``),
        ``<name> drop`` and ``<name> rise``.

    Used in notebook 02.
    """
    if not maps:
        raise ValueError("maps is empty: give {score name: (N, H, W) maps}")
    scores = scores or {}
    unknown = sorted(set(scores) - set(maps))
    if unknown:
        raise ValueError(f"scores {unknown} have no maps; give maps for {sorted(maps)}")
    columns = {}
    for kind, kind_maps in maps.items():
        kind_maps = arguments.finite(kind_maps, f"maps[{kind!r}]")
        arguments.same_length(names=names, **{f"maps[{kind!r}]": kind_maps})
        if kind in scores:
            arguments.same_length(names=names, **{f"scores[{kind!r}]": scores[kind]})
            columns[kind] = np.round(np.asarray(scores[kind], np.float64), 4)
        flat = kind_maps.reshape(len(kind_maps), -1)
        columns[f"{kind} drop"] = np.round(np.maximum(flat.max(axis=1), 0.0), 3)
        columns[f"{kind} rise"] = np.round(np.maximum(-flat.min(axis=1), 0.0), 3)
    index = [f"{i}: {name}" for i, name in enumerate(names)]
    return pd.DataFrame(columns, index=index)
