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
    averaged (one value per channel and image).

    The images go through the network in batches, so a whole test set fits in memory as
    one row of unit activations per image.

    Parameters
    ----------
    model
        The network.
    images
        ``(N, H, W, C)`` finite floats with the model's input shape.
    layer
        The layer, by name (or ``outer/inner`` path) or index in ``model.layers``, e.g. a
        conv layer (its channels are the units) or a Dense layer.
    batch_size
        How many images go through the network at once.
    progress
        Show a progress bar.

    Returns
    -------
    numpy.ndarray
        ``(N, units)``: for a conv layer, each channel's mean over the spatial positions.

    Examples
    --------
    >>> acts = layer_activations(model, images, "features")  # doctest: +SKIP

    Used in notebooks 02 and 03.
    """
    return np.concatenate(
        [
            out.reshape(len(out), -1, out.shape[-1]).mean(axis=1)
            for out in layer_outputs(model, images, layer, batch_size, progress)
        ]
    )


def top_k(activations: np.ndarray, k: int) -> np.ndarray:
    """Indices ``(units, k)`` of the ``k`` highest activations of each unit, highest first.

    A unit's top-K images show what it responds to most. Uses ``argpartition`` (linear
    time) and sorts only the ``k`` selected.

    Parameters
    ----------
    activations
        ``(N, units)`` finite activations, e.g. from :func:`layer_activations`.
    k
        How many images per unit, 1 to N.

    Returns
    -------
    numpy.ndarray
        ``(units, k)`` image indices (rows of ``activations``), highest activation first.

    References
    ----------
    Zeiler, M. D. and Fergus, R. (2014). Visualizing and understanding convolutional networks.
    ECCV.

    Examples
    --------
    >>> top = top_k(acts, k=10)  # doctest: +SKIP

    Used in notebook 02.
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
    (ties: the lower class index).

    A share near 1 suggests a class detector; a low share, a unit that responds to
    something several classes have in common.

    Parameters
    ----------
    top
        ``(units, k)`` image indices from :func:`top_k`.
    labels
        ``(N,)`` class index of every image ``top`` indexes.
    class_names
        The name of each class.
    units
        The units (rows of ``top``) to report.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``unit``; columns ``dominant class`` and ``share of top-K``.

    Examples
    --------
    >>> dominant_classes(top, labels, dataset.class_names, [0, 5, 12])  # doctest: +SKIP

    Used in notebook 02.
    """
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
