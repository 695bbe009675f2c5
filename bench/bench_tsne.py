"""t-SNE: scikit-learn vs openTSNE on fashion_cnn's penultimate features, 2k/5k/10k points.

Both after PCA to 50 dims, 750 iterations (250 exaggerated), 2 threads, the same seed.
Target: 10k points in <= 20 s with the default backend.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

from helpers import activations, data, embedding, zoo  # noqa: E402


def main():
    dataset = data.load_fashion_mnist("quick")
    model = zoo.load("fashion_cnn")
    features = activations.layer_activations(
        model, dataset.x_train[:10_000], "features", progress=False
    )
    labels = dataset.y_train[:10_000]
    print(f"default backend: {embedding.DEFAULT_BACKEND}")
    print(
        f"{'points':>7} {'sklearn s':>10} {'openTSNE s':>11} {'ratio':>7} "
        f"{'kNN sklearn':>12} {'kNN openTSNE':>13}"
    )
    for n in (2_000, 5_000, 10_000):
        row = {}
        for backend in ("sklearn", "opentsne"):
            start = time.perf_counter()
            points = embedding.tsne(features[:n], seed=0, backend=backend)
            row[backend] = (
                time.perf_counter() - start,
                embedding.knn_accuracy(points, labels[:n], k=5).accuracy,
            )
        print(
            f"{n:7d} {row['sklearn'][0]:10.1f} {row['opentsne'][0]:11.1f} "
            f"{row['sklearn'][0] / row['opentsne'][0]:6.2f}x "
            f"{row['sklearn'][1]:12.3f} {row['opentsne'][1]:13.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
