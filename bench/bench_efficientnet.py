"""EfficientNet-Lite0 (the quick profile's ImageNet network) on this CPU, measured in one run:
the first load (read the wheel's PyTorch file with numpy, convert, write the course cache),
the next loads (from the cache; target <= 3 s), and inference at 224 px in batches (target
>= 8 images/s on 2 cores), against one image at a time."""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from common import fastest_interleaved  # noqa: E402

from helpers.data import photos  # noqa: E402
from helpers.models import efficientnet

BATCH = 16
IMAGES = 32

if __name__ == "__main__":
    os.environ["COURSE_CACHE"] = tempfile.mkdtemp(prefix="bench-efficientnet-")
    start = time.perf_counter()
    model = efficientnet.load()
    first = time.perf_counter() - start
    loads = []
    for _ in range(3):
        start = time.perf_counter()
        efficientnet.load()
        loads.append(time.perf_counter() - start)
    print(f"first load (convert + cache): {first:.2f} s")
    print(
        f"next loads (from the cache):  {min(loads):.2f} s best, {max(loads):.2f} s worst "
        f"of 3 (target <= 3 s: {'met' if max(loads) <= 3 else 'MISSED'})"
    )

    shown = photos.course_photos().images
    images = np.concatenate([shown] * (IMAGES // len(shown) + 1))[:IMAGES]
    model.predict(images[:BATCH], batch_size=BATCH, verbose=0)  # compiled once, here
    model.predict(images[:1], verbose=0)
    best = fastest_interleaved(
        {
            "batched": lambda: model.predict(images, batch_size=BATCH, verbose=0),
            "one at a time": lambda: [
                model.predict(images[i : i + 1], verbose=0) for i in range(8)
            ],
        }
    )
    batched = IMAGES / best["batched"]
    single = 8 / best["one at a time"]
    print(
        f"inference at 224 px, batches of {BATCH}: {batched:.1f} images/s "
        f"(target >= 8: {'met' if batched >= 8 else 'MISSED'})"
    )
    print(
        f"one image per call: {single:.1f} images/s, {1 / single:.3f} s per image; "
        f"batched / one at a time = {batched / single:.2f}x"
    )
