"""Notebook 07's deletion and insertion areas: measured on a fixed-weight model, written as a
record, read back, refused when measured otherwise, and not used when they no longer fit the
maps."""

import dataclasses

import keras
import numpy as np
import pytest

from helpers.course import nb07_cams
from helpers.models import zoo
from helpers.models.zoo import ModelUnavailableError


def mean_brightness_model():
    """GAP -> Dense: logits (m, -m) for the mean brightness m, so p(class 0) = sigmoid(2 m)."""
    inputs = keras.Input((4, 4, 1))
    dense = keras.layers.Dense(2, activation="softmax")
    model = keras.Model(inputs, dense(keras.layers.GlobalAveragePooling2D()(inputs)))
    dense.set_weights([np.array([[1.0, -1.0]]), np.zeros(2)])
    return model


IMAGES = np.zeros((6, 4, 4, 1), np.float32)
IMAGES[:, 0, 0] = 1.0  # one bright pixel, the only one the model sees
TARGETS = np.zeros(6, int)
GOOD = np.zeros((6, 4, 4))
GOOD[:, 0, 0] = 1.0  # the bright pixel first
MAPS = {"good": GOOD, "bad": 1.0 - GOOD}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_areas_equal_the_hand_computation():
    areas = nb07_cams.measure(mean_brightness_model(), MAPS, IMAGES, TARGETS)
    whole, empty = sigmoid(2 / 16), sigmoid(0.0)  # the bright pixel present, deleted
    # the good map deletes it at the first step: one sloped trapezoid, then flat at `empty`
    good_deletion = (whole + empty) / 2 / 16 + 15 * empty / 16
    np.testing.assert_allclose(areas["good"]["deletion area (lower is better)"], good_deletion)
    bad_deletion = 15 * whole / 16 + (whole + empty) / 2 / 16  # it goes last
    np.testing.assert_allclose(areas["bad"]["deletion area (lower is better)"], bad_deletion)
    np.testing.assert_allclose(
        areas["good"]["insertion area (higher is better)"], bad_deletion, rtol=1e-6
    )


def test_a_saved_record_is_used_and_checked_against_images_measured_again(tmp_path):
    model, sha = mean_brightness_model(), nb07_cams.model_sha256()
    areas = nb07_cams.measure(model, MAPS, IMAGES, TARGETS)
    path = nb07_cams.save(areas, sha, MAPS, IMAGES, TARGETS, tmp_path / "curves.json")
    curves = nb07_cams.course_curves(model, MAPS, IMAGES, TARGETS, path=path)
    assert curves.source.startswith("measured 20") and "agree within 0.0000" in curves.source
    for name in MAPS:
        for label, values in areas[name].items():
            np.testing.assert_allclose(curves.areas[name][label], values, atol=1e-6)
    joined = curves.join({"good": {"IoU": np.ones(6)}, "bad": {"IoU": np.zeros(6)}})
    assert sorted(joined["good"]) == ["IoU", *sorted(nb07_cams.metrics.CURVE_AREAS.values())]


def test_a_record_measured_with_other_targets_or_models_is_refused(tmp_path):
    model, sha = mean_brightness_model(), nb07_cams.model_sha256()
    areas = nb07_cams.measure(model, MAPS, IMAGES, TARGETS)
    path = nb07_cams.save(areas, sha, MAPS, IMAGES, TARGETS, tmp_path / "curves.json")
    with pytest.raises(ModelUnavailableError, match="made with different targets"):
        nb07_cams.load(sha, MAPS, IMAGES, np.ones(6, int), path)
    with pytest.raises(ModelUnavailableError, match="made with different models.*cam_curves"):
        nb07_cams.load({"cam_half": "0" * 64}, MAPS, IMAGES, TARGETS, path)
    with pytest.raises(ModelUnavailableError, match="made with different images, map types"):
        nb07_cams.load(sha, {"good": GOOD}, IMAGES * 0.5, TARGETS, path)
    fallback = nb07_cams.course_curves(model, MAPS, IMAGES, np.ones(6, int), path=path)
    assert fallback.source == (
        "measured here (the shipped record curves.json does not fit this run: it was made "
        "with different targets)"
    )


def test_a_record_that_no_longer_fits_the_maps_is_measured_again(tmp_path):
    model, sha = mean_brightness_model(), nb07_cams.model_sha256()
    swapped = {"good": MAPS["bad"], "bad": MAPS["good"]}  # as if the maps had changed
    areas = nb07_cams.measure(model, swapped, IMAGES, TARGETS)
    path = nb07_cams.save(areas, sha, MAPS, IMAGES, TARGETS, tmp_path / "curves.json")
    curves = nb07_cams.course_curves(model, MAPS, IMAGES, TARGETS, path=path)
    assert "curves.json does not fit this run: its first 5 images measured here differ by 0." in (
        curves.source
    )
    fresh = nb07_cams.measure(model, MAPS, IMAGES, TARGETS)
    np.testing.assert_allclose(
        curves.areas["good"]["deletion area (lower is better)"],
        fresh["good"]["deletion area (lower is better)"],
    )


def test_the_shipped_record_fits_the_shipped_models_and_notebook_07s_images():
    from helpers import cams

    whole = nb07_cams.course_test_set()  # the record holds its first 50 images
    first = slice(nb07_cams.CURVE_IMAGES)
    test = dataclasses.replace(whole, images=whole.images[first], masks=whole.masks[first])
    half, full = zoo.load("cam_half"), zoo.load("cam_full")
    maps, targets = cams.quality_maps(half, full, test)
    curves = nb07_cams.course_curves(half, maps, test.images, targets)
    assert "agree within" in curves.source, curves.source
    assert sorted(curves.areas) == sorted(maps)
