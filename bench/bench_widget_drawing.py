"""How a widget should draw: four routes for the two heaviest widget figures, the refinement
pipeline (notebook 07) and the occlusion overlay (notebook 02), each measured in one run.

* before: a new figure each change, shown by the inline backend (cropped to its content,
  ``bbox_inches="tight"``, and compressed at zlib's default level);
* new figure: a new figure each change, cropped the same way but quickly compressed
  (:func:`helpers.plots.png`, what :func:`helpers.widgets.linked` shows);
* kept figure: one figure per widget, its images and titles updated in place
  (:class:`helpers.plots.Redrawable`), then the same PNG;
* numpy only: the panels coloured with matplotlib's colour maps as lookup tables, tiled at
  the figure's pixel size and written as a PNG by Pillow, with no titles, colour bar or
  overlay (an ``ipywidgets.Image``'s route): a lower bound, not an equivalent figure.

    python bench/bench_widget_drawing.py
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import io  # noqa: E402

import numpy as np  # noqa: E402
from common import fastest_interleaved  # noqa: E402
from IPython.core.pylabtools import print_figure  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from PIL import Image  # noqa: E402

from helpers import plots, refine  # noqa: E402

REPEATS = 5


def pipeline_inputs(count: int = 4):
    """Refinement steps of ``count`` synthetic images (a bright disc on noise)."""
    rng = np.random.default_rng(0)
    rows, cols = np.mgrid[:56, :56]
    inputs = []
    for k in range(count):
        disc = ((rows - 20 - 4 * k) ** 2 + (cols - 30) ** 2 < 150).astype(np.float32)
        image = (0.7 * disc + 0.3 * rng.random((56, 56))).astype(np.float32)[..., None]
        low = disc[::8, ::8] + 0.1 * rng.random((7, 7))
        inputs.append((refine.refine(low, disc + 0.05 * rng.random((56, 56)), image), image))
    return inputs


def overlay_inputs(count: int = 4):
    """Six 28-px images and their maps, ``count`` settings."""
    rng = np.random.default_rng(1)
    images = rng.random((6, 28, 28, 1)).astype(np.float32)
    return [(images, rng.normal(size=(6, 28, 28)).astype(np.float32)) for _ in range(count)]


def numpy_png(panels, scale: int = 3) -> bytes:
    """``panels`` (2-D arrays) min-max scaled, coloured by ``jet``'s lookup table, enlarged
    ``scale`` times and tiled in one row, as a fast-compressed PNG."""
    lookup = (colormaps["jet"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
    tiles = []
    for panel in panels:
        values = np.asarray(panel, np.float32)
        span = float(values.max() - values.min()) or 1.0
        tile = lookup[((values - values.min()) / span * 255).astype(np.uint8)]
        tiles.append(tile.repeat(scale, axis=0).repeat(scale, axis=1))
    buffer = io.BytesIO()
    Image.fromarray(np.hstack(tiles)).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def routes(draw, inputs, panels) -> dict:
    """The four routes over ``inputs`` (one call draws every input once); ``panels`` gives
    an input's arrays for the numpy route."""
    kept = plots.Redrawable(draw)

    def before():
        for args in inputs:
            print_figure(draw(*args), "png", bbox_inches="tight")

    def new_figure():
        for args in inputs:
            plots.png(draw(*args))

    def kept_figure():
        for args in inputs:
            plots.png(kept(*args))

    def numpy_only():
        for args in inputs:
            numpy_png(panels(*args))

    return {
        "before": before,
        "new figure": new_figure,
        "kept figure": kept_figure,
        "numpy only": numpy_only,
    }


def main() -> None:
    cases = {
        "refine pipeline (07)": (
            plots.pipeline_steps,
            pipeline_inputs(),
            lambda steps, image: [
                image[..., 0],
                steps.low_resized,
                steps.blurred,
                steps.edges,
                steps.roi,
                steps.segmented,
                steps.full_segment,
                steps.merged,
            ],  # fmt: skip
        ),
        "occlusion overlay (02)": (
            lambda images, maps, into=None: plots.overlay_maps(
                images, maps, shared=True, label="drop", into=into
            ),
            overlay_inputs(),
            lambda images, maps: [*images[..., 0], *maps],
        ),
    }
    print(f"{'figure':<24} {'route':<12} {'s per change':>12} {'vs before':>9}")
    for name, (draw, inputs, panels) in cases.items():
        best = fastest_interleaved(routes(draw, inputs, panels), REPEATS)
        for route, seconds in best.items():
            per_change = seconds / len(inputs)
            print(f"{name:<24} {route:<12} {per_change:>12.3f} {best['before'] / seconds:>8.1f}x")


if __name__ == "__main__":
    main()
