"""Feature visualisation (helpers.featurevis) on tiny fixed-weight models: for a linear unit
the ascent moves the input along the unit's weights and the score rises at every step; the
regularisers, the parameterisations and bad arguments."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import featurevis, plots, widgets
from helpers.saliency import Score
from tests.models import two_conv_gap_model

WEIGHTS = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)


def linear_model():
    """4 x 4 x 1 image -> flatten -> Dense "units" (3 linear units, fixed weights, no bias)."""
    inputs = keras.Input((4, 4, 1))
    dense = keras.layers.Dense(3, use_bias=False, name="units")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([WEIGHTS])
    return model


LINEAR = linear_model()


def test_a_linear_unit_is_climbed_along_its_weights_and_rises_every_step():
    steps, rate = 6, 0.1
    vis = featurevis.visualise(
        Score(LINEAR, "units"),
        [1, 2],
        steps=steps,
        learning_rate=rate,
        regularisers=featurevis.NONE,
        optimiser="gradient",
        seed=3,
    )
    start = featurevis._Parameterisation((4, 4), 1, featurevis.NONE).start(
        2, np.random.default_rng(3)
    )
    for i, unit in enumerate((1, 2)):
        direction = WEIGHTS[:, unit] / np.linalg.norm(WEIGHTS[:, unit])
        moved = (vis.images[i] - start[i]).ravel()
        np.testing.assert_allclose(moved, steps * rate * direction, atol=1e-5)
        assert (np.diff(vis.history[:, i]) > 0).all()
    np.testing.assert_allclose(  # the history is the unit's score of the image
        vis.history[-1], (vis.images.reshape(2, 16) * WEIGHTS[:, [1, 2]].T).sum(1), rtol=1e-5
    )


def test_with_adam_too_the_score_rises_every_step_without_regularisers():
    vis = featurevis.visualise(
        Score(LINEAR, "units"), 0, steps=5, regularisers=featurevis.NONE, seed=1
    )
    assert vis.images.shape == (1, 4, 4, 1) and vis.targets.tolist() == [0]
    assert (np.diff(vis.history[:, 0]) > 0).all()


def test_the_regularised_ascent_gives_images_in_range_and_a_higher_score():
    model = two_conv_gap_model()

    def regularised():
        return featurevis.visualise(
            Score(model, "c2"),
            [0, 1, 2, 3],
            steps=20,
            learning_rate=0.1,
            regularisers=featurevis.Regularisers(jitter=1, rotate=10, scale=0.1, blur=0.5),
        )

    vis = regularised()
    assert vis.images.shape == (4, 8, 8, 1) and vis.history.shape == (21, 4)
    assert 0 <= vis.images.min() and vis.images.max() <= 1  # the sigmoid keeps [0, 1]
    assert (vis.history[-1] >= vis.history[0]).all()
    np.testing.assert_array_equal(vis.images, regularised().images)  # seeded


def test_a_class_objective_on_the_logit_and_colour_decorrelation():
    model = two_conv_gap_model()
    vis = featurevis.visualise(Score(model, logits=True), 2, steps=3)
    assert vis.targets.tolist() == [2] and vis.images.shape == (1, 8, 8, 1)
    assert featurevis.COLOUR_SQRT_NORMALISED.shape == (3, 3)
    assert np.isclose(np.linalg.norm(featurevis.COLOUR_SQRT_NORMALISED, axis=0).max(), 1.0)


def test_an_identity_transform_leaves_the_image_alone():
    none = featurevis.Regularisers(jitter=0, rotate=0.0, scale=0.0)
    transform = featurevis.random_transforms(2, (5, 5), none, np.random.default_rng(0))
    np.testing.assert_allclose(transform[:, :6], [[1, 0, 0, 0, 1, 0]] * 2, atol=1e-6)


def test_bad_arguments_are_named():
    score = Score(LINEAR, "units")
    with pytest.raises(ValueError, match=r"target unit 3 out of range: there are 3"):
        featurevis.visualise(score, 3, steps=1)
    with pytest.raises(ValueError, match="optimiser must be 'adam' or 'gradient'"):
        featurevis.visualise(score, 0, steps=1, optimiser="sgd")
    with pytest.raises(ValueError, match=r"size \(5, 5\) differs from the model's input"):
        featurevis.visualise(score, 0, size=5, steps=1)
    with pytest.raises(ValueError, match="score must be a helpers.saliency.Score"):
        featurevis.visualise(LINEAR, 0)
    with pytest.raises(ValueError, match=r"unknown regularisers \['blurr'\]"):
        featurevis.without(featurevis.Regularisers(), "blurr")
    assert featurevis.without(featurevis.Regularisers(), "fourier").fourier is False


def test_images_for_display_are_stretched_to_the_unit_range():
    shown = plots.for_display(np.array([[[[-5.0]], [[0.0]]], [[[2.0]], [[3.0]]]]), 0)
    assert shown.min() == 0 and shown.max() == 1


def test_the_feature_explorer_answers_each_choice():

    shown = {"a": np.zeros((4, 4, 3)), "b": np.ones((4, 4, 3))}
    explorer = widgets.feature_explorer(shown, {"a": np.arange(3.0), "b": np.arange(3.0)})
    assert explorer.result == "a"
    explorer.children[0].value = "b"
    assert explorer.result == "b"
    with pytest.raises(ValueError, match="feature_explorer needs at least 1 images"):
        widgets.feature_explorer({})
