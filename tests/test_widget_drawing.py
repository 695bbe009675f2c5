"""How a widget draws: a figure kept and updated in place looks exactly like a new one."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpers import plots, refine


def pixels(figure) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(plots.png(figure))).convert("RGB"))


def test_png_crops_the_figure_to_its_content_as_jupyter_shows_it():
    figure, ax = plots.new_figure(figsize=(2, 1))
    ax.plot([0, 1])
    data = plots.png(figure)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = Image.open(io.BytesIO(data)).size[0]
    figure.text(1.5, 0.5, "a label beyond the right edge")  # as a colour bar's label can be
    assert Image.open(io.BytesIO(plots.png(figure))).size[0] > width + 0.5 * figure.dpi


def pipeline(seed: int, **params) -> tuple[refine.RefineSteps, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:32, :32]
    disc = ((rows - 10 - 3 * seed) ** 2 + (cols - 16) ** 2 < 40 + 20 * seed).astype(np.float32)
    image = (0.6 * disc + 0.4 * rng.random((32, 32))).astype(np.float32)[..., None]
    low = disc[::4, ::4] + 0.1 * rng.random((8, 8))
    steps = refine.refine(
        low, disc + 0.1 * rng.random((32, 32)), image, refine.RefineParams(**params)
    )
    return steps, image


@pytest.mark.parametrize(
    "settings",
    [
        [{}, {"crop_mode": "threshold", "crop_threshold": 0.3}, {"crop_percentage": 60.0}],
        [{"focal_scope": "local"}, {"merge": "multiply"}, {"hole_area": 0, "blur_size": 1}],
    ],
)
def test_the_pipeline_figure_updated_in_place_matches_a_new_one(settings):
    kept = plots.Redrawable(plots.pipeline_steps)
    figures = []
    for seed, params in enumerate(settings):
        steps, image = pipeline(seed, **params)
        figures.append(kept(steps, image))
        np.testing.assert_array_equal(
            pixels(figures[-1]), pixels(plots.pipeline_steps(steps, image))
        )
    assert figures[0] is figures[1] is figures[2]  # one figure, drawn three times


def test_the_overlay_updated_in_place_matches_a_new_one():
    rng = np.random.default_rng(3)
    images = rng.random((3, 12, 12, 1))
    kept = plots.Redrawable(plots.overlay_maps)
    first = kept(images, rng.normal(size=(3, 12, 12)), titles=list("abc"), shared=True)
    for shared, titles in ((False, list("abc")), (True, list("abc"))):
        maps = 5 * rng.normal(size=(3, 12, 12))
        updated = kept(images[::-1], maps, titles=titles, shared=shared, label="drop")
        fresh = plots.overlay_maps(images[::-1], maps, titles=titles, shared=shared, label="drop")
        assert updated is first
        np.testing.assert_array_equal(pixels(updated), pixels(fresh))
    # another number of images cannot be updated: a new figure
    assert kept(images[:2], rng.normal(size=(2, 12, 12))) is not first
