"""Notebook 03's t-SNE maps, computed here or read from the record shipped with the course.

One map of 2,000 points takes 5-7 s on 2 CPU cores; the explorer offers two layers x four
perplexities, so ``scripts/train_zoo.py tsne_maps`` computes all eight once for the ``quick``
profile and writes ``data/models/tsne_maps_quick.json`` (checked by :mod:`helpers.records`
against the sha256 of the very features, the perplexities, the seed and the t-SNE settings).
Features computed on another machine may differ in their last bits: the record is then not
used and each map is computed here on first use, as with ``live=True``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from helpers import config, embedding, records

SHIPPED = config.MODELS_DIR / "tsne_maps_quick.json"
RERUN = "python scripts/train_zoo.py tsne_maps"
PERPLEXITIES = (5, 15, 30, 50)
SEED = 0


LAYERS = ("features", "conv2")
IMAGES = 2000


def course_features(profile: str = "quick") -> dict:
    """Notebook 03's features: each of :data:`LAYERS` of the course classifier on the
    first :data:`IMAGES` test images."""
    from helpers import activations, zoo

    dataset, model = zoo.course_classifier(profile)
    images = dataset.x_test[:IMAGES]
    return {layer: activations.layer_activations(model, images, layer) for layer in LAYERS}


def compute(features_by_layer: dict, perplexities=PERPLEXITIES) -> dict:
    """``{(layer, perplexity): (N, 2) map}`` for every pair, as the explorer computes them."""
    return {
        (layer, perplexity): embedding.tsne(features, perplexity=perplexity, seed=SEED)
        for layer, features in features_by_layer.items()
        for perplexity in perplexities
    }


def _measured_with(features_by_layer: dict, perplexities) -> dict:
    digests = {
        layer: hashlib.sha256(np.ascontiguousarray(f, np.float32).tobytes()).hexdigest()
        for layer, f in features_by_layer.items()
    }
    return {
        "features sha256": digests,
        "perplexities": list(perplexities),
        "seed": SEED,
        "t-SNE": f"{embedding.DEFAULT_BACKEND}, defaults of helpers.embedding.tsne",
    }


def save(maps: dict, features_by_layer: dict, perplexities=PERPLEXITIES, path=SHIPPED) -> Path:
    """Write ``maps`` (from :func:`compute`) as a record of the features they were made of."""
    content = {
        "maps": [
            {"layer": layer, "perplexity": perplexity, "points": np.round(points, 3).tolist()}
            for (layer, perplexity), points in maps.items()
        ]
    }
    return records.save(path, _measured_with(features_by_layer, perplexities), content, RERUN)


def load(features_by_layer: dict, perplexities=PERPLEXITIES, path=SHIPPED) -> tuple[dict, str]:
    """The record's maps, checked (:func:`helpers.records.load`), and where they came from."""
    payload = records.load(path, _measured_with(features_by_layer, perplexities), RERUN)
    maps = {
        (m["layer"], m["perplexity"]): np.asarray(m["points"], np.float32) for m in payload["maps"]
    }
    return maps, f"measured {payload['measured']}"


def course_maps(
    features_by_layer: dict, perplexities=PERPLEXITIES, live: bool = False, path=SHIPPED
) -> tuple[dict, str]:
    """What notebook 03's explorer starts from: the shipped maps when they were made of these
    very features, else none (each is computed on first use); and a line saying which."""
    from helpers.zoo import ModelUnavailableError

    if live:
        return {}, "computed here on first use (LIVE = True)"
    try:
        return load(features_by_layer, perplexities, path)
    except ModelUnavailableError as error:
        return {}, f"computed here on first use ({error})"
