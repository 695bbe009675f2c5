"""Notebook 03's t-SNE maps, computed here or read from the record shipped with the course.

One map of 2,000 points takes 5-7 s on 2 CPU cores; the explorer offers two layers x four
perplexities, so ``scripts/train_zoo.py tsne_maps`` computes all eight once for the ``quick``
profile and writes ``data/models/tsne_maps_quick.json`` (checked by :mod:`helpers.records`
against the classifier's sha256, the images' sha256, the layers, perplexities, seed and
t-SNE settings). With other images, another model or ``live=True`` each map is computed here
on first use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers import config, embedding, records

SHIPPED = config.MODELS_DIR / "tsne_maps_quick.json"
RERUN = "python scripts/train_zoo.py tsne_maps"
MODEL = "fashion_cnn"
LAYERS = ("features", "conv2")
IMAGES = 2000
PERPLEXITIES = (5, 15, 30, 50)
SEED = 0


def course_features() -> tuple[np.ndarray, dict]:
    """Notebook 03's images in the quick profile (the first :data:`IMAGES` test images) and
    their features at each of :data:`LAYERS` of the shipped classifier."""
    from helpers import activations, data, zoo

    model = zoo.load(MODEL)
    images = data.load_fashion_mnist("quick").x_test[:IMAGES]
    return images, {layer: activations.layer_activations(model, images, layer) for layer in LAYERS}


def compute(features_by_layer: dict, perplexities=PERPLEXITIES) -> dict:
    """``{(layer, perplexity): (N, 2) map}`` for every pair, as the explorer computes them."""
    return {
        (layer, perplexity): embedding.tsne(features, perplexity=perplexity, seed=SEED)
        for layer, features in features_by_layer.items()
        for perplexity in perplexities
    }


def _measured_with(images, layers, perplexities) -> dict:
    """What the maps are made of, exactly: the model file, the images, the layers. Not the
    features themselves: their last bits change with the number of threads (a test worker
    or a parallel ``make course`` kernel gets one core)."""
    from helpers import zoo

    images = np.asarray(images)
    return {
        "model": zoo.manifest_sha256(MODEL),
        "images": f"{images.shape} {images.dtype}, sha256 {records.array_sha256(images)}",
        "layers": list(layers),
        "perplexities": list(perplexities),
        "seed": SEED,
        "t-SNE": f"{embedding.DEFAULT_BACKEND}, defaults of helpers.embedding.tsne",
    }


def save(maps: dict, images, layers, perplexities=PERPLEXITIES, path=SHIPPED) -> Path:
    """Write ``maps`` (from :func:`compute`) as a record of the images and layers (of the
    shipped course classifier) they were made of."""
    content = {
        "maps": [
            {"layer": layer, "perplexity": perplexity, "points": np.round(points, 3).tolist()}
            for (layer, perplexity), points in maps.items()
        ]
    }
    return records.save(path, _measured_with(images, layers, perplexities), content, RERUN)


def load(images, layers, perplexities=PERPLEXITIES, path=SHIPPED) -> tuple[dict, str]:
    """The record's maps, checked (:func:`helpers.records.load`), and where they came from."""
    payload = records.load(path, _measured_with(images, layers, perplexities), RERUN)
    maps = {
        (m["layer"], m["perplexity"]): np.asarray(m["points"], np.float32) for m in payload["maps"]
    }
    return maps, f"measured {payload['measured']}"


def course_maps(
    images, layers, perplexities=PERPLEXITIES, live: bool = False, path=SHIPPED
) -> tuple[dict, str]:
    """What notebook 03's explorer starts from: the shipped maps when they were made with
    the shipped classifier from these very images and layers, else none (each is computed
    on first use); and a line saying which."""
    from helpers.zoo import ModelUnavailableError

    if live:
        return {}, "computed here on first use (LIVE = True)"
    try:
        return load(images, layers, perplexities, path)
    except ModelUnavailableError as error:
        return {}, f"computed here on first use ({error})"
