"""Occlusion maps: how much a target score drops when a window of the image is hidden.

Streams: occluded copies are made ``batch_size`` at a time into one reused buffer, so the extra
memory is bounded by the batch size, not by the number of window positions. Overlapping
windows (stride < window) are averaged by how many windows cover each pixel. The results are
the same for every batch size.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from helpers import layers


def _pair(value, name: str) -> tuple[int, int]:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int | np.integer) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{name} must be at least 1 pixel, got {value!r}")
    return int(pair[0]), int(pair[1])


def window_starts(size: int, window: int, stride: int) -> list[int]:
    """Start offsets along one axis; the last window always touches the far edge."""
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] != size - window:
        starts.append(size - window)
    return starts


def make_scorer(model: keras.Model, layer: str | int | None = None):
    """A compiled function images -> scores ``(N, units)``: the model's output, or the given
    layer's output with conv channels spatially averaged."""
    net = model if layer is None else layers.feature_extractor(model, layer)

    @tf.function(reduce_retracing=True)
    def score(batch):
        out = net(batch, training=False)
        if len(out.shape) == 4:
            out = tf.reduce_mean(out, axis=(1, 2))
        return out

    return score


def batched_scores(score, images: np.ndarray, batch_size: int) -> np.ndarray:
    """``score`` applied to ``images`` in batches (plain inference, no occlusion)."""
    return np.concatenate(
        [score(images[s : s + batch_size]).numpy() for s in range(0, len(images), batch_size)]
    )


def occlusion_maps(
    model: keras.Model,
    images: np.ndarray,
    window: int | tuple[int, int] = 8,
    stride: int | tuple[int, int] | None = None,
    class_index: int | np.ndarray | None = None,
    layer: str | int | None = None,
    unit: int | None = None,
    baseline: float | np.ndarray | None = None,
    batch_size: int = 128,
    progress: bool = False,
) -> np.ndarray:
    """Occlusion maps ``(N, H, W)``: score(image) - score(image with the window hidden).

    Parameters
    ----------
    images
        ``(N, H, W, C)`` floats; rectangular images work.
    window, stride
        Window height/width and step (an int or a pair, stride <= window); ``stride``
        defaults to ``window``.
    class_index
        Target class of the model's output: an int, one per image, or None (predicted class).
    layer, unit
        Instead of a class, target ``unit`` of ``layer`` (conv channels spatially averaged).
    baseline
        Value put in the hidden window: a float or one per channel. Default: the mean of
        ``images`` per channel (pass your dataset's mean to use it).
    batch_size
        How many occluded images go through the network at once.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C), got shape {images.shape}")
    n, height, width, channels = images.shape
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
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if layer is None and unit is not None:
        raise ValueError("unit= needs layer=: name the layer whose unit is the target")
    if layer is not None and class_index is not None:
        raise ValueError("give class_index= (a class of the output) or layer= and unit=, not both")
    fill = (
        images.mean(axis=(0, 1, 2))
        if baseline is None
        else np.broadcast_to(np.asarray(baseline, np.float32), (channels,))
    )

    score = make_scorer(model, layer)
    base = batched_scores(score, images, batch_size)
    targets = _targets(base, class_index, layer, unit, n)

    positions = [
        (y, x)
        for y in window_starts(height, win_h, step_h)
        for x in window_starts(width, win_w, step_w)
    ]
    counts = np.zeros((height, width), np.float32)
    for y, x in positions:
        counts[y : y + win_h, x : x + win_w] += 1
    sums = np.zeros((n, height, width), np.float64)
    buffer = np.empty((min(batch_size, n * len(positions)), height, width, channels), np.float32)
    total = n * len(positions)
    for start in tqdm(range(0, total, batch_size), desc="occlusion", disable=not progress):
        flat = np.arange(start, min(start + batch_size, total))
        owner, where = np.divmod(flat, len(positions))
        batch = buffer[: len(flat)]
        batch[:] = images[owner]
        for j, p in enumerate(where):
            y, x = positions[p]
            batch[j, y : y + win_h, x : x + win_w, :] = fill
        scores = score(batch).numpy()
        drops = base[owner, targets[owner]] - scores[np.arange(len(flat)), targets[owner]]
        for j, p in enumerate(where):
            y, x = positions[p]
            sums[owner[j], y : y + win_h, x : x + win_w] += drops[j]
    return (sums / counts).astype(np.float32)


def _targets(base: np.ndarray, class_index, layer, unit, n: int) -> np.ndarray:
    units = base.shape[1]
    if layer is not None:
        if unit is None:
            raise ValueError(f"layer={layer!r} needs unit=: which of its {units} units to target")
        chosen = np.full(n, unit)
        what = f"unit of layer {layer!r}"
    elif class_index is None:
        return base.argmax(axis=1)
    else:
        chosen = np.broadcast_to(np.asarray(class_index), (n,)).astype(int)
        what = "class"
    if chosen.min() < 0 or chosen.max() >= units:
        raise ValueError(
            f"{what} {chosen.max() if chosen.max() >= units else chosen.min()} "
            f"out of range: there are {units} (0..{units - 1})"
        )
    return chosen
