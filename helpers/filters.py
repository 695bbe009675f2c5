"""First-layer filters as images and the feature maps of one image at any conv layer."""

from __future__ import annotations

import random

import keras
import numpy as np
import pandas as pd

from helpers.infra import arguments, config, layers


def conv_kernels(model: keras.Model, layer: str | int | None = None) -> np.ndarray:
    """Kernels ``(kh, kw, in_channels, filters)`` of a conv layer (default: the first one).

    The weights a Conv2D layer slides over its input; each of the ``filters`` slices is one
    small image that :func:`kernel_images` can show.

    Parameters
    ----------
    model
        The network; Conv2D layers inside nested models count too.
    layer
        The Conv2D layer, by name (or ``outer/inner`` path) or index in ``model.layers``;
        None: the model's first Conv2D layer.

    Returns
    -------
    numpy.ndarray
        The kernel ``(kh, kw, in_channels, filters)`` (no bias).

    References
    ----------
    Krizhevsky, A., Sutskever, I. and Hinton, G. E. (2012). ImageNet classification with deep
    convolutional neural networks. NeurIPS.

    Zeiler, M. D. and Fergus, R. (2014). Visualizing and understanding convolutional networks.
    ECCV.

    Examples
    --------
    >>> kernels = conv_kernels(model)  # doctest: +SKIP
    >>> kernels = conv_kernels(net.model, "stem_conv")  # doctest: +SKIP

    Used in notebook 01.
    """
    if layer is None:
        convs = [
            lay for _, lay in layers.iter_layers(model) if isinstance(lay, keras.layers.Conv2D)
        ]
        if not convs:
            raise ValueError(f"model {model.name!r} has no Conv2D layer")
        target = convs[0]
    else:
        target = layers.find_layer(model, name=layer)
        if not isinstance(target, keras.layers.Conv2D):
            raise ValueError(f"layer {target.name!r} is a {type(target).__name__}, not a Conv2D")
    return keras.ops.convert_to_numpy(target.kernel)


def kernel_images(kernels: np.ndarray, channel: int | None = None) -> np.ndarray:
    """One image per filter, each min-max normalised to [0, 1] on its own.

    Three input channels give RGB images ``(filters, kh, kw, 3)``; other depths give grey
    images ``(filters, kh, kw)``: the mean over input channels, or the chosen ``channel``.

    Parameters
    ----------
    kernels
        Finite kernels ``(kh, kw, in_channels, filters)``, e.g. from :func:`conv_kernels`.
    channel
        Show only this input channel (0 .. in_channels - 1) as a grey image; None: RGB for
        three input channels, else their mean.

    Returns
    -------
    numpy.ndarray
        ``(filters, kh, kw, 3)`` or ``(filters, kh, kw)`` floats in [0, 1]; a constant filter
        gives all zeros.

    References
    ----------
    Krizhevsky, A., Sutskever, I. and Hinton, G. E. (2012). ImageNet classification with deep
    convolutional neural networks. NeurIPS.

    Zeiler, M. D. and Fergus, R. (2014). Visualizing and understanding convolutional networks.
    ECCV.

    Examples
    --------
    >>> plots.filter_grid(kernel_images(conv_kernels(model)))  # doctest: +SKIP

    Used in notebook 01.
    """
    kernels = _checked(kernels)
    depth = kernels.shape[2]
    if channel is not None:
        channel = arguments.count(channel, "channel", 0, depth - 1)
        images = kernels[:, :, channel, :]
    elif depth == 3:
        images = kernels
    else:
        images = kernels.mean(axis=2)
    images = np.moveaxis(images, -1, 0)  # filters first
    axes = tuple(range(1, images.ndim))
    low = images.min(axis=axes, keepdims=True)
    span = images.max(axis=axes, keepdims=True) - low
    return (images - low) / np.where(span > 0, span, 1.0)


def feature_maps(model: keras.Model, image: np.ndarray, layer: str | int) -> np.ndarray:
    """The ``(H, W, channels)`` output of ``layer`` for one ``image`` (H, W, C).

    Each channel is one filter's response at every position of the image: its feature map.
    Pooling layers shrink H and W, so deeper maps are smaller and each of their units sees a
    larger part of the image.

    Parameters
    ----------
    model
        The network.
    image
        One finite float image with the model's input shape ``(H, W, C)`` (no batch axis).
    layer
        The layer, by name (or ``outer/inner`` path) or index in ``model.layers``; it must
        have spatial output (a conv or pooling layer, not a Dense one).

    Returns
    -------
    numpy.ndarray
        The layer's output for the image, ``(H', W', channels)``.

    References
    ----------
    Zeiler, M. D. and Fergus, R. (2014). Visualizing and understanding convolutional networks.
    ECCV.

    Examples
    --------
    >>> plots.feature_map_figure(feature_maps(model, image, "conv1"), image)  # doctest: +SKIP

    Used in notebook 01.
    """
    image = arguments.finite(np.asarray(image, dtype=np.float32), "image")
    expected = tuple(model.inputs[0].shape[1:])
    if image.shape != expected:
        raise ValueError(f"image has shape {image.shape}; the model expects {expected}")
    extractor = layers.feature_extractor(model, layer)
    maps = keras.ops.convert_to_numpy(extractor(image[None], training=False))[0]
    if maps.ndim != 3:
        raise ValueError(f"layer {layer!r} gives shape {maps.shape[1:]}: pick a conv layer")
    return maps


def _checked(kernels) -> np.ndarray:
    """Finite kernels ``(kh, kw, in, filters)`` as floats, else an error saying which."""
    kernels = arguments.finite(kernels, "kernels")
    if kernels.ndim != 4:
        raise ValueError(f"kernels must be (kh, kw, in, filters), got shape {kernels.shape}")
    return kernels


def _grey(kernels: np.ndarray) -> np.ndarray:
    """Filters first, averaged over input channels: ``(filters, kh, kw)``."""
    return np.moveaxis(_checked(kernels).mean(axis=2), -1, 0)


def orientation_coherence(kernels: np.ndarray) -> np.ndarray:
    """Per filter, how strongly its gradients share one orientation, in [0, 1] (structure
    tensor: (l1 - l2) / (l1 + l2)); 1 for an edge or bar, near 0 for a blob or noise, 0 for
    a flat filter."""
    gy, gx = np.gradient(_grey(kernels), axis=(1, 2))
    jxx, jyy, jxy = ((a * b).sum(axis=(1, 2)) for a, b in ((gx, gx), (gy, gy), (gx, gy)))
    trace = jxx + jyy
    spread = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2)
    return np.divide(spread, trace, out=np.zeros_like(trace), where=trace > 0)


def smoothness(kernels: np.ndarray) -> np.ndarray:
    """Per filter, the correlation of horizontally and vertically neighbouring weights (mean
    removed): about 0 for noise, towards 1 for smooth patterns, -1 for a checkerboard."""
    f = _grey(kernels)
    f = f - f.mean(axis=(1, 2), keepdims=True)
    pairs = (f[:, :, 1:], f[:, :, :-1]), (f[:, 1:], f[:, :-1])
    products = sum((a * b).sum(axis=(1, 2)) for a, b in pairs)
    energy = sum(np.sqrt((a**2).sum(axis=(1, 2)) * (b**2).sum(axis=(1, 2))) for a, b in pairs)
    return np.divide(products, energy, out=np.zeros_like(energy), where=energy > 0)


def structure_against_noise(kernels: np.ndarray, draws: int = 5000, seed: int = 0):
    """How many filters are more oriented / smoother than 95 % of random Gaussian filters
    of the same shape: a table with the count, the share and the random 95th percentile.

    Two measures per filter (on its mean over input channels): :func:`orientation_coherence`
    (1 for an edge or bar, near 0 for a blob or noise) and :func:`smoothness` (the correlation
    of neighbouring weights, about 0 for noise). Random filters of independent Gaussian
    weights set the bar: a filter counts when it beats their 95th percentile, which about
    5 % of random filters do too.

    Parameters
    ----------
    kernels
        Finite kernels ``(kh, kw, in_channels, filters)``, e.g. from :func:`conv_kernels`.
    draws
        How many random filters set the 95th percentile (at least 100).
    seed
        Seed of the random filters: the same seed gives the same table.

    Returns
    -------
    pandas.DataFrame
        One row per measure (``orientation``, ``smoothness``); columns ``filters above random
        95th percentile``, ``share`` (of all filters) and ``random 95th percentile``.

    Examples
    --------
    >>> structure_against_noise(conv_kernels(model))  # doctest: +SKIP

    Used in notebook 01.
    """
    kernels = _checked(kernels)
    draws = arguments.count(draws, "draws", low=100)
    noise = np.random.default_rng(seed).normal(size=(*kernels.shape[:3], draws))
    rows = {}
    for name, measure in (("orientation", orientation_coherence), ("smoothness", smoothness)):
        threshold = float(np.percentile(measure(noise), 95))
        above = int((measure(kernels) > threshold).sum())
        rows[name] = {
            "filters above random 95th percentile": above,
            "share": round(above / kernels.shape[-1], 3),
            "random 95th percentile": round(threshold, 3),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def filter_correlations(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per filter, the Pearson correlation of two kernel banks of the same shape, over all of
    the filter's weights (every position and input channel): 1 when training only rescaled
    or shifted a filter, about 0 for unrelated filters.

    Parameters
    ----------
    before, after
        Finite kernels ``(kh, kw, in_channels, filters)`` of the same shape, e.g. a conv
        layer at the start of training (:func:`initial_kernels`) and trained
        (:func:`conv_kernels`).

    Returns
    -------
    numpy.ndarray
        ``(filters,)`` correlations in [-1, 1]; NaN for a filter that is constant in either
        bank (a correlation needs variation).

    Examples
    --------
    >>> r = filter_correlations(start, conv_kernels(model))  # doctest: +SKIP

    Used in notebook 01.
    """
    before, after = _checked(before), _checked(after)
    if before.shape != after.shape:
        raise ValueError(
            f"the two kernel banks must have the same shape, got {before.shape} and "
            f"{after.shape}: compare a layer with the same layer of the same architecture"
        )
    a = before.reshape(-1, before.shape[-1])
    b = after.reshape(-1, after.shape[-1])
    a, b = a - a.mean(axis=0), b - b.mean(axis=0)
    norms = np.sqrt((a**2).sum(axis=0) * (b**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, (a * b).sum(axis=0) / norms, np.nan)


def initial_kernels(build, seed: int, layer: str | int | None = None, **build_kwargs):
    """The kernels a conv layer held before training: Keras seeded with ``seed``, then the
    model built by ``build(**build_kwargs)``, as :func:`helpers.models.zoo.train` does (it
    seeds, then builds, then trains), so the same seed and the same Keras version give the
    same starting weights. Python's and NumPy's random states are restored afterwards;
    Keras' and TensorFlow's are left seeded with ``seed``.

    Parameters
    ----------
    build
        A function that builds the (untrained) model, e.g. a recipe's ``build``.
    seed
        The seed training started from (the model manifest records it).
    layer
        The Conv2D layer (see :func:`conv_kernels`); None: the first one.
    **build_kwargs
        Passed to ``build``: the same as in training (classes, input shape, name).

    Returns
    -------
    numpy.ndarray
        The kernel ``(kh, kw, in_channels, filters)`` before any training step.

    Examples
    --------
    >>> recipe = zoo.recipe("fashion_cnn")  # doctest: +SKIP
    >>> start = initial_kernels(recipe.build, recipe.seed, num_classes=10)  # doctest: +SKIP

    Used in notebook 01.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        config.seed_everything(seed)
        return conv_kernels(build(**build_kwargs), layer)
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def correlation_summary(trained: np.ndarray, starts: dict) -> pd.DataFrame:
    """How close trained filters stayed to each of ``starts``: per start, the median
    correlation (:func:`filter_correlations`), the lowest, and how many filters correlate
    above 0.5.

    Parameters
    ----------
    trained
        The trained kernels ``(kh, kw, in_channels, filters)``.
    starts
        ``{name: kernels}`` of the same shape: the run's own start, and for comparison another
        random start (whose correlations show what unrelated filters give).

    Returns
    -------
    pandas.DataFrame
        One row per start; columns ``median r``, ``lowest r``, ``filters with r > 0.5`` and
        ``filters``.

    Used in notebook 01.
    """
    if not starts:
        raise ValueError("starts is empty: give {name: kernels} of at least one start")
    rows = {}
    for name, start in starts.items():
        r = filter_correlations(start, trained)
        rows[name] = {
            "median r": round(float(np.nanmedian(r)), 3),
            "lowest r": round(float(np.nanmin(r)), 3),
            "filters with r > 0.5": int((r > 0.5).sum()),
            "filters": len(r),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
