"""The tiny fixed-weight models and datasets the tests share (as captum's
``tests/attr/helpers/basic_models.py``): each small enough to compute its expected outputs by
hand, named for what it is."""

from __future__ import annotations

import keras
import numpy as np

from helpers.data import Dataset


def conv_model(in_channels=1, size=6):
    inputs = keras.Input((size, size, in_channels))
    x = keras.layers.Conv2D(4, 3, padding="same", name="c1", kernel_initializer="ones")(inputs)
    x = keras.layers.MaxPooling2D(name="p1")(x)
    x = keras.layers.Conv2D(2, 3, padding="same", name="c2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, keras.layers.Dense(3, name="head")(x))


def mean_model(height=4, width=4):
    """conv of ones (1x1) -> GAP -> Dense [[1, -1]]: class 0 scores the mean, class 1 minus it."""
    inputs = keras.Input((height, width, 1))
    x = keras.layers.Conv2D(1, 1, kernel_initializer="ones", bias_initializer="zeros", name="conv")(
        inputs
    )
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(2, name="head")(x)
    model = keras.Model(inputs, outputs)
    model.get_layer("head").set_weights([np.array([[1.0, -1.0]]), np.zeros(2)])
    return model


def gap_model(linear=True):
    """1x1 conv with kernel [1, 2] (A0 = x, A1 = 2x) -> GAP -> Dense W (no bias)."""
    inputs = keras.Input((4, 4, 1))
    conv = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")
    x = keras.layers.GlobalAveragePooling2D(name="gap")(conv(inputs))
    dense = keras.layers.Dense(2, activation=None if linear else "softmax", name="head")
    model = keras.Model(inputs, dense(x))
    conv.set_weights([np.array([[[[1.0, 2.0]]]])])
    dense.set_weights([np.array([[1.0, 0.5], [0.25, 2.0]]), np.zeros(2)])
    return model


def base_model():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a")(inputs)
    x = keras.layers.BatchNormalization(name="bn_a")(x)
    x = keras.layers.MaxPooling2D(name="pool_a")(x)
    x = keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="conv_b")(x)
    x = keras.layers.GlobalAveragePooling2D(name="features")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="base")


def tiny_dataset(n_per_class=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n_per_class)
    x = rng.random((len(y), 8, 8, 1)).astype(np.float32) * 0.2
    x[y == 1, :4] += 0.8  # class 1: bright top half
    return Dataset(x, y, x[::4].copy(), y[::4].copy(), ("dark", "bright"), "tiny")


def small_block():
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(2, 3, padding="same", name="low")(inputs)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="up")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(4, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)


def fine_model(nested=False):
    """features: 3 units; 4 fine classes; fixed head weights."""
    inputs = keras.Input((3,))
    body = keras.layers.Dense(3, name="body", kernel_initializer="identity")
    if nested:
        inner = keras.Sequential([keras.Input((3,)), body], name="base")
        x = inner(inputs)
    else:
        x = body(inputs)
    outputs = keras.layers.Dense(4, activation="softmax", name="head")(x)
    model = keras.Model(inputs, outputs)
    kernel = np.array([[1.0, 0.9, 0.0, 0.1], [0.0, 0.1, 1.0, 0.8], [0.2, 0.0, 0.1, 0.3]])
    model.get_layer("head").set_weights([kernel, np.array([0.1, 0.2, 0.3, 0.4])])
    return model


def blobs(n_per=60, dims=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.eye(3, dims) * 50
    points = np.concatenate([c + rng.normal(size=(n_per, dims)) for c in centres])
    return points.astype(np.float32), np.repeat(np.arange(3), n_per)


def two_conv_gap_model():
    """8 x 8 x 1 -> conv "c1" (3 maps) -> conv "c2" (4 maps) -> GAP -> Dense (3 classes,
    softmax), seeded weights: every saliency method of the course applies to it (CAM at "c2",
    Grad-CAM at either conv, high-res CAM with "c1" standing in for a decoder)."""
    keras.utils.set_random_seed(7)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs)
