"""Sanity checks (helpers.sanity): a map computed from the image alone is unchanged by
randomisation, a map that depends on the weights changes; the weights come back; the
similarities agree with scipy and scikit-image."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from helpers import cams, sanity, widgets
from tests.models import two_conv_gap_model

MODEL = two_conv_gap_model()
IMAGES = np.random.default_rng(1).random((6, 8, 8, 1)).astype(np.float32)
TARGETS = np.asarray(MODEL(IMAGES)).argmax(1)


def explain():
    return {
        "CAM": cams.cam(MODEL, IMAGES, TARGETS).maps,
        "edge detector": sanity.edge_map(MODEL, IMAGES, TARGETS).maps,
    }


def test_an_image_only_map_is_unchanged_and_a_weight_map_changes():
    cascade = sanity.cascading_randomisation(explain, [MODEL], ["head", "c2", "c1"])
    assert cascade.stages == ["trained", "head", "c2", "c1"]
    assert cascade.maps["CAM"].shape == (4, 6, 8, 8)
    for kind in sanity.SIMILARITIES:
        similar = cascade.similarity(kind)
        np.testing.assert_allclose(similar["edge detector"], 1.0, atol=1e-6)
        np.testing.assert_allclose(similar["CAM"][0], 1.0, atol=1e-6)
        assert similar["CAM"][-1].mean() < 0.9
    verdicts = sanity.verdicts(cascade.similarity())
    assert verdicts.loc["edge detector", "passes"] == False  # noqa: E712 (numpy bool)
    assert verdicts.loc["CAM", "Spearman high"] < 1


def test_the_weights_come_back_after_the_block_even_after_an_error():
    before = [w.copy() for w in MODEL.get_weights()]
    with pytest.raises(RuntimeError), sanity.randomised([MODEL], [("head", "c2")]):
        assert not np.allclose(MODEL.get_layer("head").get_weights()[0], before[-2])
        raise RuntimeError
    for now, then in zip(MODEL.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        sanity.cascading_randomisation(explain, [MODEL], ["head", "nope"])


def test_the_same_seed_gives_the_same_random_weights():
    with sanity.randomised([MODEL], ["c1"], seed=4):
        first = MODEL.get_layer("c1").get_weights()
    with sanity.randomised([MODEL], ["c1"], seed=4):
        again = MODEL.get_layer("c1").get_weights()
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.abs(first[1]).max() == 0  # biases start at zero


def test_similarities_are_scipy_s_and_scikit_image_s():
    rng = np.random.default_rng(2)
    a, b = rng.random((3, 9, 9)), rng.random((3, 9, 9))
    expected = [spearmanr(x.ravel(), y.ravel()).statistic for x, y in zip(a, b, strict=True)]
    np.testing.assert_allclose(sanity.rank_correlation(a, b), expected)
    np.testing.assert_allclose(sanity.rank_correlation(a, -a), -1.0)
    np.testing.assert_allclose(sanity.rank_correlation(a, -a, absolute=True), 1.0)
    np.testing.assert_allclose(sanity.ssim(a, 3 * a + 1), 1.0, atol=1e-9)  # scale-free
    constant = np.zeros((3, 9, 9))
    np.testing.assert_array_equal(sanity.rank_correlation(a, constant), 0.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        sanity.similarity(a, b, "HOG")
    with pytest.raises(ValueError, match=r"two batches of maps \(N, H, W\) of one shape"):
        sanity.rank_correlation(a, b[:2])


def test_curve_intervals_hold_the_mean():
    values = np.random.default_rng(3).random((4, 20))
    intervals = sanity.curve_intervals(values)
    assert intervals.shape == (4, 3)
    assert ((intervals[:, 1] <= intervals[:, 0]) & (intervals[:, 0] <= intervals[:, 2])).all()


def test_the_sanity_explorer_answers_each_method_and_similarity():

    cascade = sanity.cascading_randomisation(explain, [MODEL], ["head", "c2"])
    kinds = {kind: cascade.similarity(kind) for kind in sanity.SIMILARITIES}
    examples = {method: maps[:, 0] for method, maps in cascade.maps.items()}
    explorer = widgets.sanity_explorer(cascade.stages, kinds, examples, IMAGES[0])
    assert explorer.result == ("CAM", "Spearman")
    explorer.children[0].value = "edge detector"
    explorer.children[1].value = "SSIM"
    assert explorer.result == ("edge detector", "SSIM")
