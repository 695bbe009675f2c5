import random

import keras
import numpy as np
import pytest

from helpers import activations, filters, plots
from helpers.infra import layers
from helpers.models import zoo
from tests.models import conv_model, tiny_dataset


def test_kernel_images_grey_rgb_and_chosen_channel():
    rng = np.random.default_rng(0)
    grey = filters.kernel_images(rng.normal(size=(5, 5, 1, 8)))
    assert grey.shape == (8, 5, 5)
    rgb = filters.kernel_images(rng.normal(size=(3, 3, 3, 6)))
    assert rgb.shape == (6, 3, 3, 3)
    deep = rng.normal(size=(3, 3, 4, 2))
    np.testing.assert_allclose(
        filters.kernel_images(deep), filters.kernel_images(deep.mean(axis=2, keepdims=True))
    )
    one = filters.kernel_images(deep, channel=2)
    assert one.shape == (2, 3, 3)
    for images in (grey, rgb, one):  # each filter normalised on its own to [0, 1]
        flat = images.reshape(len(images), -1)
        np.testing.assert_allclose(flat.min(axis=1), 0.0)
        np.testing.assert_allclose(flat.max(axis=1), 1.0)


def test_kernel_images_flat_filter_and_errors():
    assert (filters.kernel_images(np.ones((3, 3, 1, 1))) == 0).all()
    with pytest.raises(ValueError, match="channel must be between 0 and 1, got 5"):
        filters.kernel_images(np.ones((3, 3, 2, 1)), channel=5)
    with pytest.raises(ValueError, match=r"kernels must be \(kh, kw, in, filters\)"):
        filters.kernel_images(np.ones((3, 3, 1)))


def test_conv_kernels_and_feature_maps_by_hand():
    model = conv_model()
    assert filters.conv_kernels(model).shape == (3, 3, 1, 4)
    assert filters.conv_kernels(model, "c2").shape == (3, 3, 4, 2)
    maps = filters.feature_maps(model, np.ones((6, 6, 1)), "c1")
    # a 3x3 conv of ones over ones with 'same' zero padding: 9 inside, 6 on edges, 4 in corners
    assert maps.shape == (6, 6, 4)
    assert maps[2, 2, 0] == 9 and maps[0, 2, 1] == 6 and maps[0, 0, 3] == 4
    with pytest.raises(ValueError, match="is a Dense, not a Conv2D"):
        filters.conv_kernels(model, "head")
    with pytest.raises(ValueError, match=r"image has shape \(5, 5, 1\); the model expects"):
        filters.feature_maps(model, np.ones((5, 5, 1)), "c1")
    with pytest.raises(ValueError, match="pick a conv layer"):
        filters.feature_maps(model, np.ones((6, 6, 1)), "gap")


def test_receptive_field():
    model = conv_model()
    assert layers.receptive_field(model, "c1") == 3
    assert layers.receptive_field(model, "p1") == 4
    assert layers.receptive_field(model, "c2") == 8  # 4 + (3 - 1) * 2


def test_layer_activations_pool_conv_channels_and_batch():
    model = conv_model()
    images = np.random.default_rng(1).random((10, 6, 6, 1)).astype(np.float32)
    pooled = activations.layer_activations(model, images, "c1", batch_size=3, progress=False)
    maps = layers.feature_extractor(model, "c1").predict(images, verbose=0)
    np.testing.assert_allclose(pooled, maps.mean(axis=(1, 2)), rtol=1e-5)
    dense = activations.layer_activations(model, images, "head", batch_size=4, progress=False)
    np.testing.assert_allclose(dense, model.predict(images, verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        activations.layer_activations(model, images, "c1", batch_size=0)


def test_top_k_matches_full_argsort():
    rng = np.random.default_rng(2)
    acts = rng.normal(size=(500, 7))  # continuous values: no ties
    top = activations.top_k(acts, 9)
    np.testing.assert_array_equal(top, np.argsort(-acts, axis=0)[:9].T)
    assert activations.top_k(acts, 1).shape == (7, 1)


def test_top_k_errors():
    with pytest.raises(ValueError, match=r"k must be between 1 and the number of images \(3\)"):
        activations.top_k(np.ones((3, 2)), 4)
    with pytest.raises(ValueError, match=r"activations must be \(N, units\)"):
        activations.top_k(np.ones(3), 1)


def as_bank(*filters_2d):
    """(kh, kw) arrays -> a (kh, kw, 1, filters) kernel bank."""
    return np.stack(filters_2d, axis=-1)[:, :, None, :]


def test_structure_measures_by_hand():
    edge = np.tile([-1.0, -1.0, 1.0, 1.0, 1.0], (5, 1))  # a vertical edge
    flat = np.ones((5, 5))
    bank = as_bank(edge, flat)
    np.testing.assert_allclose(filters.orientation_coherence(bank), [1.0, 0.0], atol=1e-12)
    smooth = filters.smoothness(bank)
    checker = np.indices((4, 4)).sum(axis=0) % 2 * 2.0 - 1.0  # every neighbour of opposite sign
    assert smooth[1] == 0.0 and filters.smoothness(as_bank(checker))[0] == pytest.approx(-1.0)
    # the edge: every vertical pair is equal (correlation 1), horizontal pairs mostly equal
    assert smooth[0] > 0.5


def test_structure_against_noise_counts_structured_filters():
    rng = np.random.default_rng(0)
    edges = [np.tile(np.sign(np.arange(5) - 1.5), (5, 1)) for _ in range(3)]
    noise = [rng.normal(size=(5, 5)) for _ in range(5)]
    table = filters.structure_against_noise(as_bank(*edges, *noise), draws=2000)
    assert table.loc["orientation", "filters above random 95th percentile"] >= 3
    assert table.loc["orientation", "filters above random 95th percentile"] <= 4
    assert table.loc["smoothness", "share"] >= 3 / 8


def test_dominant_classes_by_hand():
    labels = np.array([0, 0, 1, 2, 2, 2])
    top = np.array([[0, 1, 2, 3], [3, 4, 5, 2]])  # unit 0: 0,0,1,2; unit 1: 2,2,2,1
    table = activations.dominant_classes(top, labels, ["a", "b", "c"], units=[0, 1])
    assert table["dominant class"].tolist() == ["a", "c"]
    assert table["share of top-K"].tolist() == [0.5, 0.75]


def test_structure_against_noise_counts_are_whole_numbers():
    table = filters.structure_against_noise(np.ones((3, 3, 1, 2)), draws=100)
    assert table["filters above random 95th percentile"].dtype.kind == "i"
    assert table.loc["smoothness", "filters above random 95th percentile"] == 0  # flat: 0


def test_filter_correlations_by_hand():
    before = np.zeros((3, 1, 1, 3))
    before[:, 0, 0, 0] = [1, 2, 3]
    before[:, 0, 0, 1] = [1, 0, -1]
    before[:, 0, 0, 2] = [1, 2, 3]
    after = np.zeros_like(before)
    after[:, 0, 0, 0] = [3, 5, 7]  # 2 x before + 1: the same pattern
    after[:, 0, 0, 1] = [-1, 0, 1]  # negated
    # centred [-1, 0, 1] and [-1, 1, 0]: products sum to 1, squares to 2 and 2, so r = 1/2
    after[:, 0, 0, 2] = [1, 3, 2]
    np.testing.assert_allclose(filters.filter_correlations(before, after), [1, -1, 0.5])
    flat = np.ones((3, 1, 1, 1))
    assert np.isnan(filters.filter_correlations(flat, before[..., :1]))[0]


def test_filter_correlations_errors():
    with pytest.raises(ValueError, match=r"same shape, got \(3, 3, 1, 2\) and \(3, 3, 1, 4\)"):
        filters.filter_correlations(np.ones((3, 3, 1, 2)), np.ones((3, 3, 1, 4)))
    with pytest.raises(ValueError, match=r"kernels must be \(kh, kw, in, filters\)"):
        filters.filter_correlations(np.ones((3, 3)), np.ones((3, 3)))


def test_correlation_summary_by_hand():
    rng = np.random.default_rng(0)
    trained = rng.normal(size=(3, 3, 1, 4))
    own = trained * 2 + 1  # r = 1 for every filter
    opposite = -trained  # r = -1
    table = filters.correlation_summary(trained, {"own": own, "opposite": opposite})
    assert table.loc["own"].tolist() == [1.0, 1.0, 4, 4]
    assert table.loc["opposite", "median r"] == -1.0
    assert table.loc["opposite", "filters with r > 0.5"] == 0
    assert list(table.columns) == ["median r", "lowest r", "filters with r > 0.5", "filters"]
    with pytest.raises(ValueError, match="starts is empty"):
        filters.correlation_summary(trained, {})


def tiny_build(num_classes=2, input_shape=(8, 8, 1), name="tiny", built=None):
    """A conv -> GAP -> Dense softmax model with Keras' default (random) initialisers; with
    ``built``, the conv kernel it starts from is appended to it."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(3, 3, name="c")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name=name)
    if built is not None:
        built.append(keras.ops.convert_to_numpy(model.get_layer("c").kernel).copy())
    return model


def test_initial_kernels_are_the_weights_zoo_train_starts_from(monkeypatch):
    built = []
    recipe = zoo.Recipe(
        name="tiny",
        build=lambda **kw: tiny_build(**kw, built=built),
        dataset="tiny",
        epochs=1,
        seed=3,
    )
    monkeypatch.setitem(zoo.RECIPES, "tiny", recipe)
    model, info = zoo.train("tiny", tiny_dataset(), epochs=1, verbose=0)
    assert info["seed"] == 3 and len(built) == 1
    start = filters.initial_kernels(tiny_build, 3, num_classes=2, input_shape=(8, 8, 1))
    np.testing.assert_array_equal(start, built[0])  # the same start, bit for bit
    assert not np.allclose(filters.conv_kernels(model), start)  # training moved it
    other = filters.initial_kernels(tiny_build, 4, num_classes=2, input_shape=(8, 8, 1))
    assert not np.allclose(other, start)


def test_initial_kernels_restore_python_and_numpy_random_states():
    random.seed(11)
    np.random.seed(11)
    expected = random.random(), np.random.random()
    random.seed(11)
    np.random.seed(11)
    filters.initial_kernels(tiny_build, 0)
    assert (random.random(), np.random.random()) == expected


def test_feature_map_figure_shows_the_input_one_colour_bar_and_the_count():
    maps = np.zeros((2, 2, 3))
    maps[..., 0] = [[0, 1], [2, 3]]
    maps[..., 1] = [[-5, -5], [-5, 5]]
    image = np.ones((4, 4, 1))
    fig = plots.feature_map_figure(maps, image, max_maps=2, title="conv1")
    picture, grid, bar = fig.axes
    assert picture.get_title() == "input" and picture.images[0].get_array().shape == (4, 4)
    assert grid.get_title() == "conv1: 2 of 3 maps, each scaled to its own range"
    mosaic = grid.images[0].get_array()
    np.testing.assert_allclose(mosaic[:, :2], [[0, 1 / 3], [2 / 3, 1]])
    assert "minimum (0)" in bar.get_ylabel()
    shared = plots.feature_map_figure(maps, shared=True)  # no image: grid and colour bar
    grid, bar = shared.axes
    assert grid.get_title() == "3 of 3 maps, one scale for all"
    np.testing.assert_allclose(grid.images[0].get_array()[:, :2], [[0, 1], [2, 3]])
    assert grid.images[0].get_clim() == (-5.0, 5.0)  # the range of all maps shown
    assert bar.get_ylabel() == "activation"
    with pytest.raises(ValueError, match=r"maps must be \(H, W, channels\)"):
        plots.feature_map_figure(np.zeros((2, 2)))


def test_filter_pairs_titles_each_pair_with_its_correlation():
    before, after = np.zeros((3, 2, 2)), np.ones((3, 2, 2))
    fig = plots.filter_pairs(before, after, [0.5, -0.25, 1.0], ncols=2)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:4] == ["0", "1", "r 0.50", "r -0.25"]  # start row, then trained row
    assert titles[4] == "2" and titles[6] == "r 1.00"
    with pytest.raises(ValueError, match="must have one entry per item"):
        plots.filter_pairs(before, after, [0.5])
