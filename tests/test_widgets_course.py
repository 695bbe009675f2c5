"""Widgets of notebooks 01-03, driven headless: set a control, the result changes."""

import numpy as np
import pytest

from helpers import filters, occlusion, plots, widgets
from tests.models import blobs, conv_model, fine_model, gap_model, mean_model


def test_feature_map_explorer():
    images = np.random.default_rng(0).random((3, 6, 6, 1)).astype(np.float32)
    explorer = widgets.feature_map_explorer(conv_model(), images, ["c1", "c2"])
    layer, index = explorer.children[:2]
    assert not index.continuous_update  # a redraw per release, not per step dragged past
    assert explorer.result.shape == (6, 6, 4)
    before = explorer.result.copy()
    index.value = 2
    assert not np.allclose(explorer.result, before)
    layer.value = "c2"
    assert explorer.result.shape == (3, 3, 2)


def test_feature_map_explorer_draws_the_image_beside_its_maps_on_the_chosen_scale(monkeypatch):
    images = np.random.default_rng(0).random((3, 6, 6, 1)).astype(np.float32)
    drawn = []
    figure = plots.feature_map_figure

    def recorded(maps, image, *args, **kwargs):
        drawn.append((image, kwargs))
        return figure(maps, image, *args, **kwargs)

    monkeypatch.setattr(plots, "feature_map_figure", recorded)
    explorer = widgets.feature_map_explorer(conv_model(), images, ["c1", "c2"])
    layer, index, scale = explorer.children[:3]
    assert drawn[-1][1] == {"shared": False, "title": "c1"}  # each map on its own, first
    index.value = 2
    np.testing.assert_array_equal(drawn[-1][0], images[2])  # the image the maps are of
    scale.value = True
    assert drawn[-1][1]["shared"] is True
    # the maps do not change with the scale, only their colours (c1: fixed weights)
    expected = filters.feature_maps(conv_model(), images[2], "c1")
    np.testing.assert_allclose(explorer.result, expected, rtol=1e-6)


def test_occlusion_explorer_scores_logits_on_one_scale(monkeypatch):
    images = np.random.default_rng(4).random((2, 4, 4, 1)).astype(np.float32)
    drawn = []
    overlay = plots.overlay_maps

    def recorded(images, maps, into=None, **kwargs):
        drawn.append(kwargs)
        return overlay(images, maps, into=into, **kwargs)

    monkeypatch.setattr(plots, "overlay_maps", recorded)
    model = gap_model(linear=False)
    explorer = widgets.occlusion_explorer(model, images, ["a", "b"], 0.5, window=2, logits=True)
    expected = occlusion.occlusion_maps(model, images, window=2, logits=True).maps
    np.testing.assert_allclose(explorer.result, expected, rtol=1e-5, atol=1e-7)
    assert drawn[-1] == {"shared": True, "label": "drop in the class's logit"}
    scale = explorer.children[4]
    scale.value = False  # each map on its own: the same maps, drawn stretched
    assert drawn[-1]["shared"] is False and explorer.result is not None
    probability = widgets.occlusion_explorer(model, images, ["a", "b"], 0.5, window=2)
    assert drawn[-1]["label"] == "drop in the class's probability"
    assert not np.allclose(probability.result, explorer.result)


def test_topk_explorer():
    rng = np.random.default_rng(1)
    acts = rng.normal(size=(40, 3))
    explorer = widgets.topk_explorer(
        acts, rng.random((40, 4, 4)), np.arange(40) % 2, ["a", "b"], k=5
    )
    np.testing.assert_array_equal(explorer.result["indices"], np.argsort(-acts[:, 0])[:5])
    explorer.children[0].value = 2
    np.testing.assert_array_equal(explorer.result["indices"], np.argsort(-acts[:, 2])[:5])
    assert explorer.result["unit"] == 2
    figure = plots.topk_grid(rng.random((40, 4, 4)), np.arange(15).reshape(3, 5), [2])
    assert figure.axes[0].texts[0].get_text() == "unit 2"  # the row names the unit shown


def test_occlusion_explorer(capsys):
    images = np.random.default_rng(2).random((2, 8, 8, 1)).astype(np.float32)
    explorer = widgets.occlusion_explorer(
        mean_model(8, 8), images, ["up", "down"], 0.5, window=4, stride=3
    )
    window, stride, target, fill = explorer.children[:4]
    first = explorer.result.copy()
    window.value = 2  # below the stride (3): refused, not silently reduced
    assert explorer.result is None
    assert "stride (3, 3) is larger than the window (2, 2)" in capsys.readouterr().out
    stride.value = 2
    assert not np.allclose(explorer.result, first)
    target.value = 1  # the other class: drops change sign
    assert (explorer.result < 0).all()
    zero = explorer.result.copy()
    fill.value = "dataset mean"  # hiding with 0.5: pixels above it lower the mean, below raise
    expected = occlusion.occlusion_maps(
        mean_model(8, 8), images, window=2, stride=2, target=1, baseline=0.5
    ).maps
    np.testing.assert_allclose(explorer.result, expected, rtol=1e-5, atol=1e-7)
    fill.value = "blur"
    assert not np.allclose(explorer.result, zero)


def test_tsne_explorer_caches_each_setting():
    points, labels = blobs(n_per=30)
    explorer = widgets.tsne_explorer(
        {"a": points, "b": points * 2}, labels, ["x", "y", "z"], perplexities=(5, 10)
    )
    layer, perplexity = explorer.children[:2]
    assert not perplexity.continuous_update  # an uncached perplexity runs t-SNE
    first = explorer.result
    perplexity.value = 10
    assert explorer.result is not first and len(explorer.cache) == 2
    perplexity.value = 5
    assert explorer.result is first  # served from the cache
    layer.value = "b"
    assert len(explorer.cache) == 3


def test_coarse_explorer_changes_with_k_and_init():
    from helpers import coarse

    model = fine_model()
    kernel, bias = coarse.head_weights(model)
    rng = np.random.default_rng(3)
    features = rng.normal(size=(60, 3))
    labels = rng.integers(0, 4, 60)
    explorer = widgets.coarse_explorer(
        features, labels, kernel, bias, {"A": [0, 1], "B": [2, 3]}, ["a", "b", "c", "d"], k=1
    )
    k, init_a, init_b = explorer.children[:3]
    first = explorer.result
    assert first["members"][0].tolist() == [0] and first["matrix"].shape == (2, 2)
    k.value = 2
    assert explorer.result["members"][1].tolist() == [2, 3]
    init_a.value = 2  # same as B's init: a clear message, no crash
    assert explorer.result is None
    init_a.value = 1
    assert explorer.result["members"][0][0] == 1


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: widgets.feature_map_explorer(None, np.zeros((0, 6, 6, 1)), ["c1"]), "1 image"),
        (lambda: widgets.topk_explorer(np.zeros((5, 0)), None, None, []), "1 unit"),
        (lambda: widgets.occlusion_explorer(None, np.zeros((0, 8, 8, 1)), ["a"], 0.0), "1 image"),
        (lambda: widgets.tsne_explorer({}, None, []), "1 layer"),
        (lambda: widgets.tsne_explorer({"a": None}, None, [], perplexities=()), "1 perplexity"),
        (lambda: widgets.cluster_explorer(np.eye(2), ["a", "b"]), "3 classes"),
        (lambda: widgets.cam_explorer(None, None, np.zeros((0, 8, 8, 1)), ["a"]), "1 image"),
        (lambda: widgets.coarse_explorer(np.ones((3, 2)), None, None, None, {"A": [0]}, []), "2"),
        (lambda: widgets.sample_size_explorer(None, None, "x", sizes=()), "1 size"),
    ],
)
def test_widget_factories_given_too_little_say_what_they_need(factory, message):
    with pytest.raises(
        ValueError, match=rf"needs at least {message}.*got 0|needs at least {message}"
    ):
        factory()


def test_an_error_while_drawing_is_shown_as_a_message(capsys):
    def draw(result):
        raise ValueError("nothing to draw for 3")

    widget = widgets.linked(lambda n: n, draw, n=(1, 5))
    widget.children[0].value = 3
    assert widget.result is None
    assert "This setting does not work: nothing to draw for 3" in capsys.readouterr().out


def test_occlusion_explorer_shows_known_maps_without_computing_them(monkeypatch):
    images = np.random.default_rng(0).random((1, 8, 8, 1)).astype(np.float32)
    known = np.full((1, 8, 8), 0.25, np.float32)

    def no_occlusion(*args, **kwargs):
        raise AssertionError("a known setting was computed again")

    monkeypatch.setattr(occlusion, "occlusion_maps", no_occlusion)
    explorer = widgets.occlusion_explorer(
        mean_model(8, 8),
        images,
        ["a", "b"],
        0.0,
        windows=(4, 2),
        strides=(2, 1),
        known={(4, 2, -1, "zero"): known},
    )
    assert explorer.result is known
