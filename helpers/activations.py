"""Activations of a layer over a dataset, and the top-K images of each unit."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from helpers.infra import arguments, layers


def layer_outputs(
    model: keras.Model,
    images: np.ndarray,
    layer: str | int,
    batch_size: int = 256,
    progress: bool = True,
):
    """The outputs of ``layer`` for ``images``, one NumPy array per batch, with a progress bar."""
    batch_size = arguments.count(batch_size, "batch_size")
    arguments.model_batch(model, images[:1])  # shape and at least one image, before any work
    extractor = layers.feature_extractor(model, layer)
    starts = range(0, len(images), batch_size)
    for start in tqdm(starts, desc=f"outputs of {layer}", disable=not progress):
        batch = arguments.finite(
            np.asarray(images[start : start + batch_size], np.float32), "images"
        )
        yield keras.ops.convert_to_numpy(extractor(batch, training=False))


def layer_activations(
    model: keras.Model,
    images: np.ndarray,
    layer: str | int,
    batch_size: int = 256,
    progress: bool = True,
) -> np.ndarray:
    """Activations ``(N, units)`` of ``layer`` for ``images``; conv channels are spatially
    averaged (one value per channel and image)."""
    return np.concatenate(
        [
            out.reshape(len(out), -1, out.shape[-1]).mean(axis=1)
            for out in layer_outputs(model, images, layer, batch_size, progress)
        ]
    )


def top_k(activations: np.ndarray, k: int) -> np.ndarray:
    """Indices ``(units, k)`` of the ``k`` highest activations of each unit, highest first.

    Uses ``argpartition`` (linear time) and sorts only the ``k`` selected.
    """
    activations = arguments.finite(activations, "activations")
    if activations.ndim != 2:
        raise ValueError(f"activations must be (N, units), got shape {activations.shape}")
    n = activations.shape[0]
    k = arguments.integral(k, "k")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of images ({n}), got {k}")
    per_unit = activations.T
    chosen = np.argpartition(-per_unit, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(per_unit, chosen, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(chosen, order, axis=1)


def dominant_classes(top: np.ndarray, labels: np.ndarray, class_names, units):
    """For each of ``units``: the class most of its top-K images belong to, and their share
    (ties: the lower class index)."""
    top = np.asarray(top)
    labels = arguments.labels(labels, len(class_names))
    units = [arguments.count(unit, "unit", 0, len(top) - 1) for unit in units]
    if top.size and top.max() >= len(labels):
        raise ValueError(f"top holds image index {top.max()} but there are {len(labels)} labels")
    rows = []
    for unit in units:
        counts = np.bincount(labels[top[unit]], minlength=len(class_names))
        rows.append((unit, class_names[counts.argmax()], counts.max() / counts.sum()))
    return pd.DataFrame(rows, columns=["unit", "dominant class", "share of top-K"]).set_index(
        "unit"
    )
