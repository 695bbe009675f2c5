import keras
import numpy as np
import pytest

from helpers.infra import layers


def _base():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(2, 3, name="c1", kernel_initializer="ones")(inputs)
    x = keras.layers.Conv2D(3, 3, name="c2")(x)
    return keras.Model(inputs, x, name="base")


@pytest.fixture
def nested_sequential():
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(2.0, name="scale"),
            _base(),
            keras.layers.GlobalAveragePooling2D(name="gap"),
            keras.layers.Dense(4, activation="softmax", name="head"),
        ],
        name="outer",
    )


def test_find_by_name_path_index_and_kind(nested_sequential):
    assert layers.find_layer(nested_sequential, name="c1").name == "c1"
    assert layers.find_layer(nested_sequential, name="base/c2").name == "c2"
    assert layers.find_layer(nested_sequential, name=-1).name == "head"
    assert layers.find_layer(nested_sequential, kind="last_conv").name == "c2"
    assert layers.find_layer(nested_sequential, kind="head").name == "head"
    assert layers.layer_names(nested_sequential) == [
        "scale",
        "base",
        "base/c1",
        "base/c2",
        "gap",
        "head",
    ]


def test_lookup_errors(nested_sequential):
    with pytest.raises(ValueError, match=r"no layer named 'c9'; available layers: \['scale'"):
        layers.find_layer(nested_sequential, name="c9")
    with pytest.raises(ValueError, match="unknown layer kind 'pool'"):
        layers.find_layer(nested_sequential, kind="pool")
    with pytest.raises(ValueError, match="exactly one of name= or kind="):
        layers.find_layer(nested_sequential)
    with pytest.raises(ValueError, match="layer index 9 out of range"):
        layers.find_layer(nested_sequential, name=9)
    dense_only = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="has no last_conv layer"):
        layers.find_layer(dense_only, kind="last_conv")


def test_feature_extractor_inside_a_nested_model(nested_sequential):
    extractor = layers.feature_extractor(nested_sequential, "c1")
    x = np.ones((2, 8, 8, 1), np.float32)
    # conv of ones (3x3x1 kernel, zero bias) over an image of 2s: 9 * 2 = 18 everywhere
    np.testing.assert_allclose(extractor.predict(x, verbose=0), np.full((2, 6, 6, 2), 18.0))


def test_feature_extractor_matches_the_model_in_a_functional_outer():
    base = _base()
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Dense(2)(keras.layers.Flatten()(base(inputs)))
    outer = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).random((3, 8, 8, 1)).astype(np.float32)
    got = layers.feature_extractor(outer, "c2").predict(x, verbose=0)
    np.testing.assert_allclose(got, base.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_feature_extractor_of_a_top_level_layer(nested_sequential):
    out = layers.feature_extractor(nested_sequential, "gap").predict(
        np.ones((1, 8, 8, 1)), verbose=0
    )
    assert out.shape == (1, 3)


def test_a_name_found_in_two_nested_models_is_ambiguous():
    def block(name):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, name="dense")], name=name)

    model = keras.Sequential([keras.Input((4,)), block("first"), block("second")])
    with pytest.raises(
        ValueError, match=r"'dense' is ambiguous: \['first/dense', 'second/dense'\]"
    ):
        layers.find_layer(model, name="dense")
    assert layers.find_layer(model, name="second/dense") is model.layers[1].layers[0]
