"""Sanity checks for saliency maps (Adebayo et al., NeurIPS 2018): can a map be trusted to
explain *the model*?

* **Cascading model-parameter randomisation**: re-initialise the network's layers one at a
  time from the top (the output) down, and compare each method's maps with the trained
  network's. A map that explains the model must change as its weights are destroyed.
* **Data randomisation**: the same network trained on shuffled labels (it can only memorise)
  explains the same images; a map that explains what the model learned must change.
* **Similarity** of two maps of the same image: Spearman's rank correlation (of the maps and
  of their absolute values) and SSIM (scikit-image), both 1 for identical maps.

A method fails when its maps stay close to the original whatever the weights: the
:func:`edge_map`, which never looks at the model, is the known failure.

Used in notebook 08.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from skimage.filters import sobel
from skimage.metrics import structural_similarity

from helpers import stats
from helpers.infra import arguments, layers
from helpers.saliency import Saliency, resolve_targets

# A method passes a randomisation test when, with every layer randomised (or the labels
# shuffled), the upper end of its 95 % interval of the rank correlation with the original
# map lies below this: less than half of the map's ranking survives.
PASS_BELOW = 0.5

SIMILARITIES = ("Spearman", "Spearman |map|", "SSIM")


def edge_map(model: keras.Model, images, target=None) -> Saliency:
    """The known failure: the Sobel edge magnitude of each image (channels averaged), a map
    computed from the image alone. ``model`` only names the targets (None: the predicted
    class); the map never depends on it.

    Returns
    -------
    Saliency
        ``maps`` ``(N, H, W)`` and the ``targets``.
    """
    images = arguments.model_batch(model, images)
    predicted = np.asarray(model(images, training=False))
    targets = resolve_targets(target, predicted.argmax(axis=1), predicted.shape[1])
    maps = np.stack([sobel(image.mean(axis=-1)) for image in images])
    return Saliency(maps.astype(np.float32), targets)


# ---------------------------------------------------------------------------------------------
# Randomising layers
# ---------------------------------------------------------------------------------------------


def _fresh(variable_path: str, shape, rng) -> np.ndarray:
    """A re-initialised weight: Glorot-uniform kernels, zero biases and BatchNorm shifts and
    means, unit BatchNorm scales and variances."""
    name = variable_path.rsplit("/", 1)[-1]
    if name in ("gamma", "moving_variance"):
        return np.ones(shape, np.float32)
    if "kernel" not in name:
        return np.zeros(shape, np.float32)
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def _layers_named(models: Sequence[keras.Model], name: str) -> list:
    found = []
    for model in models:
        found += [layer for _, layer in layers.iter_layers(model) if layer.name == name]
    if not found:
        raise ValueError(f"no layer named {name!r} in the models {[m.name for m in models]}")
    return found


def _group(entry) -> tuple[str, ...]:
    """A stage of the cascade: one layer name, or several randomised together (a conv and
    its BatchNorm)."""
    return (entry,) if isinstance(entry, str) else tuple(entry)


@contextlib.contextmanager
def randomised(models: Sequence[keras.Model], names: Sequence[str], seed: int = 0):
    """Within this block the layers called ``names`` are re-initialised in every model of
    ``models`` that has them (an entry of ``names`` may be a tuple of names, randomised
    together) (the same new weights in each: two models sharing a trained
    encoder stay in step), from a generator seeded by ``seed`` and the layer's position in
    ``names``. Every weight is restored on leaving, also after an error."""
    saved = []
    try:
        for position, group in enumerate(names):
            for offset, name in enumerate(_group(group)):
                fresh = None
                for layer in _layers_named(models, name):
                    saved.append((layer, layer.get_weights()))
                    if fresh is None:
                        rng = np.random.default_rng([seed, position, offset])
                        fresh = [_fresh(w.path, tuple(w.shape), rng) for w in layer.weights]
                    layer.set_weights(fresh)
        yield models
    finally:
        for layer, weights in reversed(saved):
            layer.set_weights(weights)


@dataclass
class Cascade:
    """Each method's maps as the layers are randomised from the top down.

    ``stages``: ``"trained"``, then the name of each layer as it joins the randomised ones;
    ``maps``: method -> ``(stages, N, H, W)``.
    """

    stages: list[str]
    maps: dict[str, np.ndarray]

    def similarity(self, kind: str = "Spearman") -> dict[str, np.ndarray]:
        """method -> ``(stages, N)``: each stage's maps against the trained network's."""
        return {
            method: np.stack([similarity(maps[0], stage, kind) for stage in maps])
            for method, maps in self.maps.items()
        }


def cascading_randomisation(
    explain: Callable[[], dict[str, np.ndarray]],
    models: Sequence[keras.Model],
    top_down: Sequence[str],
    seed: int = 0,
    progress: Callable | None = None,
) -> Cascade:
    """The cascading model-parameter randomisation test.

    Parameters
    ----------
    explain
        Computes ``{method: (N, H, W) maps}`` with the models' current weights, for fixed
        images and targets (the trained network's classes: the question is whether the map
        of the same class changes).
    models
        The models whose layers are randomised (e.g. a classifier and a decoder that shares
        its encoder).
    top_down
        Layer names (or tuples of names randomised together), output first: stage ``i``
        randomises the first ``i`` of them.
    seed
        The new weights.
    progress
        Wraps the stages' iterable (e.g. ``tqdm``).

    Returns
    -------
    Cascade

    References
    ----------
    Adebayo, J. et al. (2018). Sanity checks for saliency maps. NeurIPS.
    """
    if not top_down:
        raise ValueError("top_down must name at least one layer")
    for group in top_down:
        for name in _group(group):
            _layers_named(models, name)  # an unknown name fails before any work
    stages = ["trained", *(_group(group)[0] for group in top_down)]
    collected: dict[str, list] = {}
    wrap = progress or (lambda items: items)
    for depth in wrap(range(len(stages))):
        with randomised(models, top_down[:depth], seed):
            for method, maps in explain().items():
                collected.setdefault(method, []).append(np.asarray(maps, np.float32))
    return Cascade(stages, {method: np.stack(maps) for method, maps in collected.items()})


# ---------------------------------------------------------------------------------------------
# Comparing maps
# ---------------------------------------------------------------------------------------------


def _pairs(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"two batches of maps (N, H, W) of one shape, got {a.shape} and {b.shape}")
    return arguments.finite(a, "maps"), arguments.finite(b, "maps")


def rank_correlation(a, b, absolute: bool = False) -> np.ndarray:
    """``(N,)`` Spearman rank correlation of each pair of maps (scipy's ``spearmanr``); of
    their absolute values with ``absolute=True``. A constant map ranks nothing: 0."""
    a, b = _pairs(a, b)
    if absolute:
        a, b = np.abs(a), np.abs(b)
    out = np.zeros(len(a))
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if np.ptp(x) > 0 and np.ptp(y) > 0:
            out[i] = spearmanr(x.ravel(), y.ravel()).statistic
    return out


def _unit_range(maps: np.ndarray) -> np.ndarray:
    low = maps.min(axis=(1, 2), keepdims=True)
    span = np.ptp(maps, axis=(1, 2), keepdims=True)
    return np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0.0)


def ssim(a, b) -> np.ndarray:
    """``(N,)`` SSIM (scikit-image's ``structural_similarity``) of each pair of maps, each
    scaled to [0, 1] first (a constant map becomes 0)."""
    a, b = _pairs(a, b)
    a, b = _unit_range(a), _unit_range(b)
    side = min(7, min(a.shape[1:]) // 2 * 2 - 1)  # an odd window that fits
    return np.array(
        [
            structural_similarity(x, y, data_range=1.0, win_size=side)
            for x, y in zip(a, b, strict=True)
        ]
    )


def similarity(a, b, kind: str = "Spearman") -> np.ndarray:
    """``(N,)`` similarity of each pair of maps: ``kind`` one of :data:`SIMILARITIES`."""
    if kind == "Spearman":
        return rank_correlation(a, b)
    if kind == "Spearman |map|":
        return rank_correlation(a, b, absolute=True)
    if kind == "SSIM":
        return ssim(a, b)
    raise ValueError(f"kind must be one of {SIMILARITIES}, got {kind!r}")


def verdicts(similarities: dict, below: float = PASS_BELOW, name: str = "Spearman"):
    """One row per method: the mean similarity of its last stage (or only one), as column
    ``name``, its 95 % bootstrap interval over the images (``name low``, ``name high``), and
    ``passes``: the whole interval below ``below``. ``similarities``: method -> ``(N,)`` or
    ``(stages, N)`` scores."""
    rows = {}
    for method, values in similarities.items():
        last = np.asarray(values)[-1] if np.ndim(values) == 2 else np.asarray(values)
        mean, low, high = stats.bootstrap_interval(last)
        rows[method] = {
            name: mean,
            f"{name} low": low,
            f"{name} high": high,
            "passes": high < below,
        }
    table = pd.DataFrame(rows).T
    return table.astype({name: float, f"{name} low": float, f"{name} high": float, "passes": bool})


def curve_intervals(values: np.ndarray) -> np.ndarray:
    """``(stages, 3)``: mean, low and high (95 % bootstrap over the images) of each stage's
    ``(stages, N)`` similarities."""
    return np.array([stats.bootstrap_interval(stage) for stage in np.asarray(values)])
