"""Score-CAM follows the saliency contract (helpers.saliency) and its cost: one forward pass
per channel; the passes each method of notebook 08's cost table needs."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import cams, occlusion
from helpers.course import nb08_trust
from helpers.infra import layers
from helpers.saliency import Saliency, Score
from tests.models import two_conv_gap_model

MODEL = two_conv_gap_model()
IMAGES = np.random.default_rng(0).random((5, 8, 8, 1)).astype(np.float32)
PREDICTED = MODEL.predict(IMAGES, verbose=0).argmax(axis=1)


def test_score_cam_keeps_the_contract():
    result = cams.score_cam(MODEL, IMAGES)
    assert isinstance(result, Saliency) and result.maps.shape == (5, 8, 8)
    assert result.maps.dtype == np.float32 and (result.maps >= 0).all()
    assert result.targets.tolist() == PREDICTED.tolist()
    each = [0, 1, 2, 1, 0]
    explained = cams.score_cam(MODEL, IMAGES, each)
    assert explained.targets.tolist() == each
    for i in (0, 3):
        alone = cams.score_cam(MODEL, IMAGES[i : i + 1], each[i]).maps[0]
        np.testing.assert_allclose(explained.maps[i], alone, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match=r"target class 3 out of range: there are 3 \(0..2\)"):
        cams.score_cam(MODEL, IMAGES, 3)
    with pytest.raises(ValueError, match="Score-CAM needs a conv or pooling layer"):
        cams.score_cam(MODEL, IMAGES, layer="head")


def test_score_cam_weights_each_channel_by_the_masked_score_by_hand():
    image = IMAGES[:1]
    maps, targets = cams.score_cam(MODEL, image, layer="c2", upsampled=False)
    features = np.asarray(layers.feature_extractor(MODEL, "c2")(image))[0]
    score = Score(MODEL)
    baseline = score(np.zeros_like(image))[0, targets[0]]
    weights = []
    for k in range(features.shape[-1]):
        channel = features[..., k]
        span = channel.max() - channel.min()
        mask = (channel - channel.min()) / span if span > 0 else np.zeros_like(channel)
        weights.append(score(image * mask[None, ..., None])[0, targets[0]] - baseline)
    expected = np.maximum((features * np.array(weights)).sum(-1), 0)
    np.testing.assert_allclose(maps[0], expected, rtol=1e-4, atol=1e-6)


def test_the_passes_each_method_needs():
    shape = (64, 64, 1)
    positions = len(occlusion.window_starts(64, 8, 4)) ** 2
    assert nb08_trust.passes_per_image("occlusion", MODEL, shape, None)["forward"] == 1 + positions
    assert nb08_trust.passes_per_image("Score-CAM", MODEL, shape, "c2") == {
        "forward": 5,
        "backward": 0,
    }
    assert nb08_trust.passes_per_image("Grad-CAM", MODEL, shape, None) == {
        "forward": 1,
        "backward": 1,
    }
    assert nb08_trust.passes_per_image("edge detector", MODEL, shape, None)["forward"] == 0


def test_the_record_round_trips_and_refuses_an_edit(tmp_path):
    tree = {"a": {"b": np.arange(3.0), "c": (np.ones(2), np.zeros(1))}, "d": np.array(["x"])}
    flat = nb08_trust._flatten(tree)
    assert sorted(flat) == ["a::b", "a::c::0", "a::c::1", "d"]
    back = nb08_trust._unflatten(flat)
    np.testing.assert_array_equal(back["a"]["c"]["1"], np.zeros(1))
    assert nb08_trust._content_sha256(flat) != nb08_trust._content_sha256(
        flat | {"a::b": np.arange(3.0) + 1}
    )
