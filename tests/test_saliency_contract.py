"""Every saliency method through one contract (helpers.saliency): ``method(model, images,
target=None, ...) -> Saliency(maps (N, H, W) float32, targets (N,))``; finite maps; the
targets honoured (None: the predicted class; an int; one per image); an image's map the same
whether it is explained alone or in a batch."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import cams, occlusion
from helpers.saliency import Saliency, Score, resolve_targets
from tests.models import two_conv_gap_model

MODEL = two_conv_gap_model()
IMAGES = np.random.default_rng(0).random((5, 8, 8, 1)).astype(np.float32)
METHODS = {
    "occlusion": lambda images, target: occlusion.occlusion_maps(
        MODEL, images, window=3, stride=1, target=target
    ),
    "CAM": lambda images, target: cams.cam(MODEL, images, target),
    "Grad-CAM": lambda images, target: cams.grad_cam(MODEL, images, target, layer="c1"),
    "high-res CAM": lambda images, target: cams.high_res_cam("c1", MODEL, images, target),
    "Score-CAM": lambda images, target: cams.score_cam(MODEL, images, target, layer="c1"),
}
PREDICTED = MODEL.predict(IMAGES, verbose=0).argmax(axis=1)


@pytest.mark.parametrize("name", METHODS)
def test_shape_type_and_finiteness(name):
    result = METHODS[name](IMAGES, None)
    assert isinstance(result, Saliency)
    maps, targets = result  # unpacks as a pair
    assert maps.shape == (5, 8, 8) and maps.dtype == np.float32
    assert np.isfinite(maps).all() and targets.shape == (5,)
    assert np.issubdtype(targets.dtype, np.integer)


@pytest.mark.parametrize("name", METHODS)
def test_targets_are_honoured(name):
    assert METHODS[name](IMAGES, None).targets.tolist() == PREDICTED.tolist()
    assert METHODS[name](IMAGES, 2).targets.tolist() == [2] * 5
    each = [0, 1, 2, 1, 0]
    explained = METHODS[name](IMAGES, each)
    assert explained.targets.tolist() == each
    for i, target in enumerate(each):  # a per-image target gives that class's map
        alone = METHODS[name](IMAGES[i : i + 1], target).maps[0]
        np.testing.assert_allclose(explained.maps[i], alone, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", METHODS)
def test_an_image_s_map_does_not_depend_on_its_batch(name):
    together = METHODS[name](IMAGES, None).maps
    for i in (0, 3):
        alone = METHODS[name](IMAGES[i : i + 1], None).maps[0]
        np.testing.assert_allclose(together[i], alone, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", METHODS)
def test_a_target_out_of_range_is_named(name):
    with pytest.raises(ValueError, match=r"target class 3 out of range: there are 3 \(0..2\)"):
        METHODS[name](IMAGES, 3)


def test_one_score_object_for_occlusion_grad_cam_and_deletion_insertion():
    probabilities, logits = Score(MODEL), Score(MODEL, logits=True)
    np.testing.assert_allclose(probabilities(IMAGES).sum(axis=1), 1.0, rtol=1e-5)
    softmax = np.exp(logits(IMAGES))
    np.testing.assert_allclose(
        softmax / softmax.sum(1, keepdims=True), probabilities(IMAGES), rtol=1e-5
    )
    np.testing.assert_allclose(MODEL.predict(IMAGES, verbose=0), probabilities(IMAGES), rtol=1e-5)
    on_logit = occlusion.occlusion_maps(MODEL, IMAGES, window=3, logits=True)
    hidden = IMAGES.copy()  # the top-left 3 x 3 window hidden: the only one covering (0, 0)
    hidden[:, :3, :3] = 0
    by_hand = logits(IMAGES)[np.arange(5), on_logit.targets] - logits(hidden)[
        np.arange(5), on_logit.targets
    ]
    np.testing.assert_allclose(on_logit.maps[:, 0, 0], by_hand, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="logits=True scores the model's classes"):
        Score(MODEL, layer="c1", logits=True)


def test_resolve_targets_checks_what_it_is_given():
    assert resolve_targets(None, np.array([2, 0]), 3).tolist() == [2, 0]
    assert resolve_targets(1, np.array([2, 0]), 3).tolist() == [1, 1]
    with pytest.raises(ValueError, match=r"target must hold whole numbers, got 1.5"):
        resolve_targets(1.5, np.array([2, 0]), 3)
    with pytest.raises(ValueError, match=r"target must be one number or one per item \(2\)"):
        resolve_targets([0, 1, 2], np.array([2, 0]), 3)
