"""Occlusion: streaming batches vs the seed's stack-everything approach vs plain inference.

Same model (fashion_cnn), same window/stride, same batch size; 100 and 1,000 images.
Target: throughput >= 0.9x plain batched inference; extra memory independent of positions.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from common import fastest_interleaved, measure  # noqa: E402

from helpers import data, occlusion  # noqa: E402
from helpers.models import zoo  # noqa: E402
from helpers.saliency import Score  # noqa: E402

WINDOW, STRIDE, BATCH = 8, 4, 256


def seed_style(model, images, baseline):
    """The seed's way: every occluded copy stacked into one array, then one predict."""
    n, height, width, _ = images.shape
    copies = []
    for image in images:
        for y in occlusion.window_starts(height, WINDOW, STRIDE):
            for x in occlusion.window_starts(width, WINDOW, STRIDE):
                occluded = image.copy()
                occluded[y : y + WINDOW, x : x + WINDOW] = baseline
                copies.append(occluded)
    return model.predict(np.stack(copies), verbose=0, batch_size=BATCH)


def plain_inference(score, batch, n_images):
    """The same number of forward passes with no occlusion work at all."""
    for start in range(0, n_images, BATCH):
        score.tensor(batch[: min(BATCH, n_images - start)]).numpy()


def main():
    dataset = data.load_fashion_mnist("quick")
    model = zoo.load("fashion_cnn")
    baseline = float(dataset.x_train.mean())
    score = Score(model)
    positions = len(occlusion.window_starts(28, WINDOW, STRIDE)) ** 2
    batch = np.ascontiguousarray(dataset.x_test[:BATCH])
    occlusion.occlusion_maps(
        model, dataset.x_test[:4], WINDOW, STRIDE, baseline=baseline
    )  # warm-up
    plain_inference(score, batch, 2 * BATCH)
    print(f"window {WINDOW}, stride {STRIDE}: {positions} positions per image; batch {BATCH}")
    print(
        f"{'images':>7} {'method':<10} {'seconds':>8} {'img/s':>9} {'vs plain':>9} {'peak MB':>8}"
    )
    for n in (100, 1000):
        images = dataset.x_test[:n]
        total = n * positions

        def ours(images=images):
            return occlusion.occlusion_maps(
                model, images, WINDOW, STRIDE, baseline=baseline, batch_size=BATCH
            ).maps

        best = fastest_interleaved(
            {"plain": lambda total=total: plain_inference(score, batch, total), "streaming": ours},
            repeats=5,
        )
        plain_s, ours_s = best["plain"], best["streaming"]
        _, _, ours_mb = measure(ours)
        _, seed_s, seed_mb = measure(seed_style, model, images, baseline)
        for name, seconds, peak in (
            ("plain", plain_s, None),
            ("streaming", ours_s, ours_mb),
            ("seed", seed_s, seed_mb),
        ):
            peak_text = "-" if peak is None else f"{peak:8.1f}"
            print(
                f"{n:7d} {name:<10} {seconds:8.2f} {total / seconds:9.0f} "
                f"{plain_s / seconds:8.2f}x {peak_text:>8}"
            )
    images = dataset.x_test[:100]
    for stride in (STRIDE, 2, 1):
        _, _, peak = measure(
            occlusion.occlusion_maps,
            model,
            images,
            WINDOW,
            stride,
            baseline=baseline,
            batch_size=BATCH,
        )
        count = len(occlusion.window_starts(28, WINDOW, stride)) ** 2
        print(f"streaming, 100 images, stride {stride}: {count:4d} positions, peak {peak:.1f} MB")
    print(
        "plain and streaming: best of 5 interleaved runs; seed: one run. peak MB: Python/NumPy "
        "allocations during the call (tracemalloc); streaming holds BATCH occluded copies "
        "(inside TensorFlow) plus the maps, the seed's stack is images x positions."
    )


if __name__ == "__main__":
    main()
