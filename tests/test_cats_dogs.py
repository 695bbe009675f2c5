"""Notebooks 04 and 05 on the cat and dog photos: the comparison's plumbing on a tiny fixed
subset with a tiny stand-in base, its record, and the coarse unit on a hand-computed case."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import coarse
from helpers import transfer as tl
from helpers.course import cats_dogs, shipped


def tiny_base(pixels: int = 0) -> keras.Model:
    """A stand-in with the layer names the comparison uses."""
    inputs = keras.Input(cats_dogs.PHOTO_SHAPE)
    x = keras.layers.Conv2D(4, 3, strides=4, name=cats_dogs.FINE_TUNE_FROM)(inputs)
    x = keras.layers.GlobalAveragePooling2D(name=cats_dogs.CUT)(x)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))


@pytest.fixture
def tiny_split():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 10)
    images = rng.random((20, 32, 32, 3), dtype=np.float32)
    images[labels == 1] *= 0.2  # dogs darker: something to learn
    parts = [np.r_[0:4, 10:14], np.r_[4:7, 14:17], np.r_[7:10, 17:20]]
    return tl.Split(*[a for part in parts for a in (images[part], labels[part])], ("cat", "dog"))


def test_the_comparison_runs_every_arm_on_the_split_and_its_record_round_trips(
    tiny_split, monkeypatch, tmp_path
):
    monkeypatch.setattr(cats_dogs, "imagenet_base", tiny_base)
    monkeypatch.setattr(cats_dogs, "small_cnn", lambda: tiny_base())
    schedule = tl.Schedule(1, 1, 1, 1, min_epochs=0)
    measured = cats_dogs.measure(tiny_split, schedule, per_class=(2,), seeds=2, sizes=(40,))
    assert [r.method for r in measured.methods] == [
        tl.FEATURES,
        "frozen base + augmentation",
        f"+ fine-tuning from {cats_dogs.FINE_TUNE_FROM}",
        tl.SCRATCH,
        cats_dogs.SMALL_CNN,
    ]
    assert all(len(r.correct) == 6 and set(r.correct) <= {0.0, 1.0} for r in measured.methods)
    assert list(measured.sizes) == [2] and [len(arm) for arm in measured.sizes[2]] == [2, 2]
    assert list(measured.sizes_considered) == [40]
    accuracy, seconds = measured.sizes_considered[40]
    assert 0 <= accuracy <= 1 and seconds > 0

    path = cats_dogs.save(measured, tiny_split, tmp_path / "record.json")
    again = cats_dogs.load(tiny_split, path)
    assert again.sizes == measured.sizes
    assert again.sizes_considered == measured.sizes_considered
    for mine, its in zip(measured.methods, again.methods, strict=True):
        np.testing.assert_array_equal(mine.correct, its.correct)
    assert "size choice" not in again.source and again.source.startswith("measured ")
    assert list(cats_dogs.size_table(again).index) == [40]

    other = tl.Split(*[getattr(tiny_split, f) for f in ("x_train", "y_train", "x_val", "y_val")],
                     tiny_split.x_test[::-1], tiny_split.y_test, ("cat", "dog"))  # fmt: skip
    with pytest.raises(shipped.RecordUnusable, match=r"made with different split"):
        cats_dogs.load(other, path)


def test_the_shipped_record_fits_the_real_split():
    split, why = cats_dogs.available()
    if split is None:
        pytest.skip(why)
    record = cats_dogs.load(split)
    assert [len(r.correct) for r in record.methods] == [600] * 5
    assert sorted(record.sizes) == list(cats_dogs.PER_CLASS)
    assert all(len(arm) == cats_dogs.SEEDS for pair in record.sizes.values() for arm in pair)
    assert cats_dogs.PIXELS in record.sizes_considered


def test_a_coarse_unit_scores_by_its_members_mean_column_and_bias():
    # two features, four fine classes: 0 and 1 are "cats", 2 and 3 "dogs"
    kernel = np.array([[2.0, 0.0, -1.0, 1.0], [0.0, 2.0, 1.0, 1.0]])
    bias = np.array([0.0, 1.0, 0.5, -0.5])
    unit_kernel, unit_bias = coarse.unit_weights(kernel, bias, [[0, 1], [2, 3]])
    np.testing.assert_allclose(unit_kernel, [[1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(unit_bias, [0.5, 0.0])
    # a photo with features (1, 0): cat score 1 + 0.5 = 1.5, dog score 0 + 0 = 0
    probabilities = coarse.coarse_probabilities(np.array([[1.0, 0.0]]), unit_kernel, unit_bias)
    np.testing.assert_allclose(probabilities, [[1 / (1 + np.exp(-1.5)), 1 / (1 + np.exp(1.5))]])


@pytest.mark.parametrize(
    ("members", "message"),
    [([[0], []], r"at least one member class"), ([[0], [7]], r"members hold class\(es\) \[7\]")],
)
def test_coarse_units_with_no_or_unknown_members_are_refused(members, message):
    with pytest.raises(ValueError, match=message):
        coarse.unit_weights(np.ones((2, 4)), np.zeros(4), members)
