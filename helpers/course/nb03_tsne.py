"""Notebook 03, t-SNE of learned features: the setting, and the maps computed here or read
from the record shipped with the course.

One map of 2,000 points takes tens of seconds on 2 CPU cores (14-38 s per map, measured on
the course's 2-core machine while other work ran); the explorer offers two layers x four
perplexities, so ``scripts/train_zoo.py tsne_maps`` computes all eight once for the ``quick``
profile and writes ``data/models/tsne_maps_quick.json`` (checked by
:mod:`helpers.course.shipped` against the classifier's sha256, the images' sha256, the layers,
perplexities, seed and t-SNE settings). With other images, another model or ``live=True``
they are computed here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from helpers import activations, data, embedding
from helpers.course import shipped
from helpers.course.classifier import Classifier, classifier_setting
from helpers.infra import config
from helpers.models import zoo

SHIPPED = config.MODELS_DIR / "tsne_maps_quick.json"
RERUN = "python scripts/train_zoo.py tsne_maps"
MODEL = "fashion_cnn"
LAYERS = ("features", "conv2")
IMAGES = 2000
PERPLEXITIES = (5, 15, 30, 50)
SEED = 0


def tsne(profile: str | None = None) -> Classifier:
    """Notebook 03: t-SNE of the classifier's features of 2,000 test images."""
    setting = classifier_setting(profile)
    setting.n_images = min(2000, len(setting.dataset.y_test))
    return setting


def tsne_start_maps(setting: Classifier, features_by_layer: dict, images, live: bool = False):
    """Notebook 03's explorer's first maps and where they come from: ``quick``, the shipped
    record (or, when it does not fit, all computed here); ``full`` has no record, and the
    explorer computes each map when it first shows it."""
    if setting.profile == "full":
        return {}, "computed by the explorer when it first shows each (no record in full)"
    return course_maps(features_by_layer, images, live=live)


def course_features() -> tuple[np.ndarray, dict]:
    """Notebook 03's images in the quick profile (the first :data:`IMAGES` test images) and
    their features at each of :data:`LAYERS` of the shipped classifier."""
    model = zoo.load(MODEL)
    images = data.load_fashion_mnist("quick").x_test[:IMAGES]
    return images, {layer: activations.layer_activations(model, images, layer) for layer in LAYERS}


def compute(features_by_layer: dict, perplexities=PERPLEXITIES) -> dict:
    """``{(layer, perplexity): (N, 2) map}`` for every pair, as the explorer computes them,
    with a progress bar over the maps and one over each map's optimisation steps."""
    pairs = [(layer, perplexity) for layer in features_by_layer for perplexity in perplexities]
    return {
        (layer, perplexity): embedding.tsne(
            features_by_layer[layer], perplexity=perplexity, seed=SEED, progress=True
        )
        for layer, perplexity in tqdm(pairs, desc="t-SNE maps", unit="map")
    }


def _measured_with(images, layers, perplexities) -> dict:
    """What the maps are made of, exactly: the model file, the images, the layers. Not the
    features themselves: their last bits change with the number of threads (a test worker
    or a parallel ``make course`` kernel gets one core)."""
    images = np.asarray(images)
    return {
        "model": zoo.manifest_sha256(MODEL),
        "images": f"{images.shape} {images.dtype}, sha256 {shipped.array_sha256(images)}",
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
    return shipped.save(path, _measured_with(images, layers, perplexities), content, RERUN)


def load(images, layers, perplexities=PERPLEXITIES, path=SHIPPED) -> tuple[dict, str]:
    """The record's maps, checked (:func:`helpers.shipped.load`), and where they came from."""
    payload = shipped.load(path, _measured_with(images, layers, perplexities), RERUN)
    maps = {
        (m["layer"], m["perplexity"]): np.asarray(m["points"], np.float32) for m in payload["maps"]
    }
    return maps, f"measured {payload['measured']}"


def course_maps(
    features_by_layer: dict,
    images,
    perplexities=PERPLEXITIES,
    live: bool = False,
    path=SHIPPED,
) -> tuple[dict, str]:
    """What notebook 03's explorer starts from: the shipped maps when they were made with
    the shipped classifier from these very images and layers, else (or with ``live=True``)
    every map computed here with a progress bar
    (:func:`helpers.shipped.shipped_or_measured`); and a line saying which."""
    return shipped.shipped_or_measured(
        lambda: load(images, list(features_by_layer), perplexities, path),
        lambda: compute(features_by_layer, perplexities),
        Path(path).name,
        live,
    )
