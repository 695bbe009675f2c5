"""t-SNE: scikit-learn vs openTSNE on fashion_cnn's penultimate features, 2k/5k/10k points.

All after PCA to 50 dims, 750 iterations (250 exaggerated), 2 threads, the same seed:
scikit-learn's TSNE, openTSNE with its own defaults, and openTSNE with the course's coarser
FFT grid (``embedding.FFT_SETTINGS``, what ``embedding.tsne`` uses). Quality: leave-one-out
5-NN accuracy in the map. Target: 10k points in <= 20 s with the default backend.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from openTSNE import TSNE  # noqa: E402

from helpers import activations, data, embedding  # noqa: E402
from helpers.models import zoo  # noqa: E402


def opentsne_library_defaults(features):
    reduced = embedding.reduce_pca(features, 50, seed=0)
    return np.asarray(
        TSNE(early_exaggeration_iter=250, n_iter=500, random_state=0, n_jobs=2).fit(reduced)
    )


METHODS = {
    "sklearn": lambda f: embedding.tsne(f, seed=0, backend="sklearn"),
    "openTSNE defaults": opentsne_library_defaults,
    "course default": lambda f: embedding.tsne(f, seed=0),
}


def main():
    dataset = data.load_fashion_mnist("quick")
    model = zoo.load("fashion_cnn")
    features = activations.layer_activations(
        model, dataset.x_train[:10_000], "features", progress=False
    )
    labels = dataset.y_train[:10_000]
    print(
        f"course default: {embedding.DEFAULT_BACKEND}, Barnes-Hut below {embedding.FFT_FROM} "
        f"points, from there {embedding.FFT_SETTINGS}"
    )
    print(f"{'points':>7} {'method':<18} {'seconds':>8} {'vs sklearn':>11} {'5-NN acc':>9}")
    for n in (2_000, 5_000, 10_000):
        sklearn_s = None
        for name, method in METHODS.items():
            start = time.perf_counter()
            points = method(features[:n])
            seconds = time.perf_counter() - start
            sklearn_s = sklearn_s or seconds
            accuracy = embedding.knn_accuracy(points, labels[:n], k=5).accuracy
            print(
                f"{n:7d} {name:<18} {seconds:8.1f} {sklearn_s / seconds:10.2f}x {accuracy:9.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
