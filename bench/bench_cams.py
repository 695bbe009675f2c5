"""CAMs: one batched forward pass vs the seed's way (three predicts per image, one by one).

256 cluttered test images, the shipped cam_half/cam_full. Target: >= 10x faster.
Also: the refinement pipeline's throughput (images per second).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402

from helpers import cams, data, refine  # noqa: E402
from helpers.data.cluttered import make_cluttered  # noqa: E402
from helpers.infra import layers
from helpers.models import zoo  # noqa: E402

N = 256


def seed_style(half, full, images):
    """Per image: predict the class, predict the bottleneck (low-res CAM), predict the decoder
    (high-res CAM): three predicts, as the original repository's FullModel does."""
    features = layers.feature_extractor(half, "bottleneck")
    kernel = half.get_layer("predictions").get_weights()[0]
    low, high = [], []
    for image in images:
        x = image[None]
        target = half.predict(x, verbose=0).argmax()
        low.append(features.predict(x, verbose=0)[0] @ kernel[:, target])
        high.append(full.predict(x, verbose=0)["highres"][0] @ kernel[:, target])
    return np.stack(low), np.stack(high)


def batched(half, full, images):
    low, targets = cams.cam(half, images, upsampled=False)
    high, _ = cams.high_res_cam(full, half, images, targets)
    return low, high


def main():
    dataset = data.load_fashion_mnist("quick")
    images = make_cluttered(dataset.x_test, dataset.y_test, N, seed=3).images
    half, full = zoo.load("cam_half"), zoo.load("cam_full")
    batched(half, full, images[:8])  # warm up both paths
    seed_style(half, full, images[:2])
    start = time.perf_counter()
    ours = batched(half, full, images)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = seed_style(half, full, images)
    seed_s = time.perf_counter() - start
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-3, atol=1e-4)
    print(
        f"CAMs (low + high res) for {N} images: batched {ours_s:.2f} s, seed's way "
        f"{seed_s:.2f} s -> {seed_s / ours_s:.1f}x faster (same maps, checked)"
    )
    start = time.perf_counter()
    refined = refine.refine_batch(ours[0], ours[1])
    seconds = time.perf_counter() - start
    print(
        f"refinement pipeline: {len(refined)} images in {seconds:.2f} s = "
        f"{len(refined) / seconds:.0f} images/s"
    )


if __name__ == "__main__":
    main()
