"""Bad input met at the package's boundary: each case is refused with an error naming the
argument (or file) and what is wrong, never a silent result or an error from deep inside
numpy, TensorFlow or scikit-learn. One row per input of the session's own audit."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from helpers import (
    activations,
    cams,
    coarse,
    embedding,
    exercises,
    filters,
    hdcnn,
    metrics,
    occlusion,
    plots,
    refine,
    stats,
    transfer,
)
from helpers.data import cluttered
from helpers.infra import layers

RNG = np.random.default_rng(0)
IMAGES = RNG.random((4, 8, 8, 1)).astype(np.float32)
WITH_NAN = IMAGES.copy()
WITH_NAN[0, 0, 0, 0] = np.nan
MAPS = RNG.random((4, 8, 8))
KERNEL, BIAS = RNG.normal(size=(6, 4)), RNG.normal(size=4)
NAN_3X3 = np.full((3, 3, 1, 4), np.nan)


@pytest.fixture(scope="module")
def model():
    """conv (4 maps) -> GAP -> Dense(3) softmax on 8x8x1 images."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="tiny")


def score(batch):
    return np.ones((len(batch), 2))


MODEL_CASES = {
    "activations, wrong channels": (
        lambda m: activations.layer_activations(m, np.zeros((2, 8, 8, 3)), "conv", progress=False),
        r"images must be a non-empty batch \(N, 8, 8, 1\) for model 'tiny', got shape "
        r"\(1, 8, 8, 3\)",
    ),
    "activations, one image without batch axis": (
        lambda m: activations.layer_activations(m, IMAGES[0], "conv", progress=False),
        r"images must be a non-empty batch .* got shape \(1, 8, 1\)",
    ),
    "activations, empty batch": (
        lambda m: activations.layer_activations(m, IMAGES[:0], "conv", progress=False),
        r"images must be a non-empty batch .* got shape \(0, 8, 8, 1\)",
    ),
    "occlusion of unscaled 0..255 pixels": (
        lambda m: occlusion.occlusion_maps(m, (IMAGES * 255).astype(np.uint8), window=4).maps,
        r"images hold whole numbers \(uint8, e.g. 0..255\) but the models take floats",
    ),
    "activations, NaN pixel": (
        lambda m: activations.layer_activations(m, WITH_NAN, "conv", progress=False),
        r"images holds 1 NaN or infinite value",
    ),
    "activations, fractional batch size": (
        lambda m: activations.layer_activations(m, IMAGES, "conv", batch_size=2.5, progress=False),
        r"batch_size must be a whole number, got 2.5",
    ),
    "transfer features, NaN pixel": (
        lambda m: transfer.extract_features(m, "conv", WITH_NAN, progress=False),
        r"images holds 1 NaN",
    ),
    "feature maps, NaN pixel": (
        lambda m: filters.feature_maps(m, WITH_NAN[0], "conv"),
        r"image holds 1 NaN",
    ),
    "receptive field of a Dense layer": (
        lambda m: layers.receptive_field(m, "predictions"),
        r"layer 'predictions' \(Dense\) has no spatial maps: each of its units sees the whole",
    ),
    "Grad-CAM on a Dense layer": (
        lambda m: cams.grad_cam(m, IMAGES, layer="predictions"),
        r"layer 'predictions' has no spatial maps .*Grad-CAM needs a conv or pooling layer",
    ),
    "occlusion, target per image of the wrong length": (
        lambda m: occlusion.occlusion_maps(m, IMAGES, window=4, target=[1, 2]).maps,
        r"target must be one number or one per item \(4\), got shape \(2,\)",
    ),
    "unfreeze a model without a nested base": (
        lambda m: transfer.unfreeze_from(m, "conv"),
        r"model 'tiny' holds no nested base model to unfreeze",
    ),
    "fit, labels outside the classes": (
        lambda m: transfer.fit(m, IMAGES, [0, 1, 2, 7], IMAGES, [0, 1, 2, 0], 1, 1e-3, 1),
        r"y hold class\(es\) \[7\] outside 0..2",
    ),
    "fit, fewer labels than images": (
        lambda m: transfer.fit(m, IMAGES, [0, 1, 2], IMAGES, [0, 1, 2, 0], 1, 1e-3, 1),
        r"x and y must have one entry per item, but their lengths differ: x 4, y 3",
    ),
    "fit, negative learning rate": (
        lambda m: transfer.fit(m, IMAGES, [0, 1, 2, 0], IMAGES, [0, 1, 2, 0], 1, -1e-3, 1),
        r"learning_rate must be in \(0, 1\], got -0.001",
    ),
    "fit, zero epochs": (
        lambda m: transfer.fit(m, IMAGES, [0, 1, 2, 0], IMAGES, [0, 1, 2, 0], 0, 1e-3, 1),
        r"max_epochs must be at least 1, got 0",
    ),
}


@pytest.mark.parametrize("case", MODEL_CASES)
def test_model_input_is_refused_by_name(model, case):
    call, message = MODEL_CASES[case]
    with pytest.raises(ValueError, match=message):
        call(model)


ARRAY_CASES = {
    "top-K of NaN activations": (
        lambda: activations.top_k(np.array([[np.nan, 1], [2, 3], [1, 1]]), 2),
        r"activations holds 1 NaN",
    ),
    "dominant class of a unit that does not exist": (
        lambda: activations.dominant_classes(np.zeros((2, 3), int), np.arange(3), "abc", [0, 5]),
        r"unit must be between 0 and 1, got 5",
    ),
    "dominant class with too few labels": (
        lambda: activations.dominant_classes(np.array([[0, 1], [5, 6]]), [0, 1, 2], "abc", [0]),
        r"top holds image index 6 but there are 3 labels",
    ),
    "kernel images of NaN kernels": (
        lambda: filters.kernel_images(NAN_3X3),
        r"kernels holds 36 NaN",
    ),
    "kernel images, fractional channel": (
        lambda: filters.kernel_images(np.ones((3, 3, 2, 4)), channel=1.5),
        r"channel must be a whole number, got 1.5",
    ),
    "orientation of NaN kernels": (
        lambda: filters.orientation_coherence(NAN_3X3),
        r"kernels holds 36 NaN",
    ),
    "structure against too few noise draws": (
        lambda: filters.structure_against_noise(RNG.random((3, 3, 1, 4)), draws=0),
        r"draws must be at least 100, got 0",
    ),
    "window starts, zero window": (
        lambda: occlusion.window_starts(10, 0, 1),
        r"window must be between 1 and 10, got 0",
    ),
    "window starts, zero stride": (
        lambda: occlusion.window_starts(10, 3, 0),
        r"stride must be at least 1, got 0",
    ),
    "upsample to zero size": (
        lambda: cams.upsample(MAPS, (0, 0)),
        r"size must be at least 1, got 0",
    ),
    "upsample to a fractional size": (
        lambda: cams.upsample(MAPS, (16.5, 16)),
        r"size must be a whole number, got 16.5",
    ),
    "upsample NaN maps": (
        lambda: cams.upsample(np.full((1, 4, 4), np.nan), (8, 8)),
        r"maps holds 16 NaN",
    ),
    "upsample one map without batch axis": (
        lambda: cams.upsample(MAPS[0], (16, 16)),
        r"maps must be a batch \(N, h, w\), got shape \(8, 8\)",
    ),
    "PCA of NaN features": (
        lambda: embedding.reduce_pca(np.array([[np.nan, 1], [1, 2], [3, 4]])),
        r"features holds 1 NaN",
    ),
    "PCA to zero dimensions": (
        lambda: embedding.reduce_pca(RNG.random((10, 5)), max_dims=0),
        r"max_dims must be at least 1, got 0",
    ),
    "t-SNE with fractional iterations": (
        lambda: embedding.tsne(RNG.random((50, 5)), perplexity=5, iterations=300.5),
        r"iterations must be a whole number, got 300.5",
    ),
    "kNN of NaN points": (
        lambda: embedding.knn_accuracy(np.array([[np.nan, 1], [1, 2], [3, 4]]), [0, 0, 1], 1),
        r"points holds 1 NaN",
    ),
    "kNN with one-hot labels": (
        lambda: embedding.knn_accuracy(RNG.random((6, 2)), np.zeros((6, 2), int), 1),
        r"labels must be one class index per item \(1-D\), got shape \(6, 2\)",
    ),
    "confused pairs, unequal lengths": (
        lambda: embedding.confused_pairs([0, 1, 2], [0, 1], "abc"),
        r"labels and predictions must have one entry per item.*labels 3, predictions 2",
    ),
    "confused pairs, a label with no name": (
        lambda: embedding.confused_pairs([0, 1, 5], [0, 2, 1], "abc"),
        r"labels hold class\(es\) \[5\] outside 0..2",
    ),
    "confused pairs, top 0": (
        lambda: embedding.confused_pairs([0, 1, 2], [1, 2, 0], "abc", top=0),
        r"top must be at least 1, got 0",
    ),
    "kNN table of no spaces": (
        lambda: embedding.knn_table({}, "abc"),
        r"give at least one space's KnnReport",
    ),
    "class similarity of a 1-D kernel": (
        lambda: coarse.class_similarity(np.ones(3)),
        r"kernel must be \(features, classes\), got shape \(3,\)",
    ),
    "coarse weights, bias of the wrong length": (
        lambda: coarse.coarse_weights(KERNEL, np.ones(3), [0, 1], 2),
        r"bias \(3,\) must have one entry per class column of the kernel \(6, 4\)",
    ),
    "coarse probabilities, features of the wrong width": (
        lambda: coarse.coarse_probabilities(RNG.random((3, 5)), RNG.random((6, 2)), RNG.random(2)),
        r"features \(3, 5\) must be \(N, 6\)",
    ),
    "post-hoc mapping, a group names a class that does not exist": (
        lambda: coarse.posthoc_probabilities(RNG.random((3, 4)), [[0, 1], [2, 9]]),
        r"groups hold class\(es\) \[9\] outside 0..3",
    ),
    "post-hoc mapping of NaN probabilities": (
        lambda: coarse.posthoc_probabilities(np.full((3, 4), np.nan), [[0, 1], [2, 3]]),
        r"fine_probabilities holds 12 NaN",
    ),
    "coarse evaluation, unequal lengths": (
        lambda: coarse.evaluate(RNG.random((3, 2)), [0, 1]),
        r"probabilities and coarse_labels must have one entry per item",
    ),
    "coarse evaluation, a label outside the coarse classes": (
        lambda: coarse.evaluate(RNG.random((3, 2)), [0, 1, 5]),
        r"coarse_labels hold class\(es\) \[5\] outside 0..1",
    ),
    "SCSM rows, a row that does not exist": (
        lambda: coarse.scsm_rows(KERNEL, "abcd", [9]),
        r"rows hold class\(es\) \[9\] outside 0..3",
    ),
    "SCSM rows, too few class names": (
        lambda: coarse.scsm_rows(KERNEL, "ab", [0]),
        r"2 class names for a kernel of 4 classes",
    ),
    "accuracy for no k": (
        lambda: coarse.accuracy_vs_k(RNG.random((3, 6)), [0, 1, 2], KERNEL, BIAS, [[0]], [0], []),
        r"give at least one k",
    ),
    "held-out confusion, unequal lengths": (
        lambda: hdcnn.held_out_confusion(RNG.random((3, 4)), [0, 1]),
        r"probabilities and labels must have one entry per item",
    ),
    "held-out confusion, a label outside the classes": (
        lambda: hdcnn.held_out_confusion(RNG.random((3, 4)), [0, 1, 9]),
        r"labels hold class\(es\) \[9\] outside 0..3",
    ),
    "cluster probabilities, a cluster names a class that does not exist": (
        lambda: hdcnn.cluster_probabilities(RNG.random((3, 4)), [[0, 1], [2, 9]]),
        r"clusters hold class\(es\) \[9\] outside 0..3",
    ),
    "probabilistic average of NaN B": (
        lambda: hdcnn.probabilistic_average(
            np.full((3, 2), np.nan), [RNG.random((3, 2))] * 2, [[0, 1], [2, 3]], 4
        ),
        r"cluster_probs holds 6 NaN",
    ),
    "probabilistic average, a component with too many rows": (
        lambda: hdcnn.probabilistic_average(
            RNG.random((3, 2)), [RNG.random((4, 2))] * 2, [[0, 1], [2, 3]], 4
        ),
        r"a component's outputs are \(4, 2\), expected \(3, 2\)",
    ),
    "fine -> cluster mapping with a gap": (
        lambda: hdcnn.mapping_to_clusters([0, 0, 2]),
        r"mapping gives no class to cluster\(s\) \[1\]",
    ),
    "reorder by a cluster that names a class that does not exist": (
        lambda: hdcnn.reorder(np.eye(3), [[0, 1], [5]]),
        r"clusters hold class\(es\) \[5\] outside 0..2",
    ),
    "cluster training data for a cluster with no images": (
        lambda: hdcnn.cluster_training_data(RNG.random((3, 2)), np.array([0, 1, 2]), [7]),
        r"no image has a class of cluster \[7\]",
    ),
    "thresholded NaN maps": (
        lambda: metrics.thresholded(np.full((1, 3, 3), np.nan)),
        r"maps holds 9 NaN",
    ),
    "thresholded one map without batch axis": (
        lambda: metrics.thresholded(np.ones((3, 3))),
        r"maps must be a batch \(N, H, W\), got shape \(3, 3\)",
    ),
    "map box of a batch": (
        lambda: metrics.map_box(np.ones((2, 4, 4))),
        r"saliency must be one map \(H, W\), got shape \(2, 4, 4\)",
    ),
    "box accuracy of NaN maps": (
        lambda: metrics.box_accuracy(np.full((1, 4, 4), np.nan), np.array([[0, 0, 2, 2]])),
        r"maps holds 16 NaN",
    ),
    "box accuracy, fewer boxes than maps": (
        lambda: metrics.box_accuracy(MAPS, np.array([[0, 0, 2, 2]])),
        r"maps and boxes must have one entry per item.*maps 4, boxes 1",
    ),
    "box IoU of an inverted box": (
        lambda: metrics.box_iou([4, 4, 0, 0], [0, 0, 4, 4]),
        r"box a must be \(top, left, bottom, right\) with top <= bottom",
    ),
    "box IoU of a two-number box": (
        lambda: metrics.box_iou([0, 0, 4, 4], [4, 4]),
        r"box b must be \(top, left, bottom, right\)",
    ),
    "IoU of masks of different shapes": (
        lambda: metrics.iou(np.ones((3, 3)), np.ones((2, 2))),
        r"masks of different shapes \(3, 3\) and \(2, 2\) cannot be compared",
    ),
    "deletion curves of NaN maps": (
        lambda: metrics.deletion_insertion(score, IMAGES, np.full((4, 8, 8), np.nan), [0] * 4),
        r"maps holds 256 NaN",
    ),
    "deletion curves of images with a NaN pixel": (
        lambda: metrics.deletion_insertion(score, WITH_NAN, MAPS, [0] * 4),
        r"images holds 1 NaN",
    ),
    "deletion curves, a target the scores do not have": (
        lambda: metrics.deletion_insertion(score, IMAGES, MAPS, [5] * 4),
        r"targets hold class\(es\) \[5\] outside 0..1",
    ),
    "deletion curves, fewer targets than images": (
        lambda: metrics.deletion_insertion(score, IMAGES, MAPS, [0, 0]),
        r"targets \(2,\) must hold one class per image \(4\)",
    ),
    "deletion curves, fractional targets": (
        lambda: metrics.deletion_insertion(score, IMAGES, MAPS, [0.5] * 4),
        r"targets must hold whole numbers",
    ),
    "deletion curves, fractional steps": (
        lambda: metrics.deletion_insertion(score, IMAGES, MAPS, [0] * 4, steps=16.5),
        r"steps must be a whole number, got 16.5",
    ),
    "random maps of a negative shape": (
        lambda: metrics.random_maps((-1, 3, 3)),
        r"shape must be at least 1, got -1",
    ),
    "centre prior of zero width": (
        lambda: metrics.centre_prior_maps((1, 3, 3), 0),
        r"sigma_fraction must be in \(0, inf\], got 0.0",
    ),
    "centre prior of a 2-D shape": (
        lambda: metrics.centre_prior_maps((3, 3)),
        r"shape must be \(N, H, W\), got \(3, 3\)",
    ),
    "refine maps smaller than 2 x 2": (
        lambda: refine.refine(np.zeros((1, 1)), np.zeros((1, 1))),
        r"maps must be 2-D and at least 2 x 2, got low \(1, 1\)",
    ),
    "refine with a NaN image": (
        lambda: refine.refine(MAPS[0], RNG.random((16, 16)), image=np.full((16, 16), np.nan)),
        r"image holds 256 NaN",
    ),
    "focal points of an unknown scope": (
        lambda: refine.focal_points(MAPS[0], (16, 16), "everywhere"),
        r"unknown focal_scope 'everywhere'; use one of \('global', 'local'\)",
    ),
    "region growing from a seed outside the map": (
        lambda: refine.region_grow(MAPS[0], np.array([[9, 9]]), 0, 1),
        r"seeds must lie inside the \(8, 8\) map",
    ),
    "normalise NaN values": (
        lambda: refine.normalise(np.array([np.nan, 1.0])),
        r"values holds 1 NaN",
    ),
    "McNemar with a fractional count": (
        lambda: stats.mcnemar_p(1.5, 2),
        r"only_a \(images only A gets right\) must be a whole number, got 1.5",
    ),
    "accuracy table of scores that are not 0/1": (
        lambda: stats.accuracy_table({"a": [0.5, 2]}),
        r"'a' must hold one 0/1 \(wrong/right\) per image",
    ),
    "interval table whose rows have different metrics": (
        lambda: stats.interval_table({"a": {"m": [1, 0]}, "b": {"n": [1]}}),
        r"every row must have the same metrics",
    ),
    "dense head with dropout 1.5": (
        lambda: transfer.dense_head(10, 3, dropout=1.5),
        r"dropout must be in \[0, 1\], got 1.5",
    ),
    "dense head with no classes": (
        lambda: transfer.dense_head(10, 0),
        r"n_classes must be at least 2, got 0",
    ),
    "dense head with a fractional input width": (
        lambda: transfer.dense_head(2.5, 3),
        r"input_dim must be a whole number, got 2.5",
    ),
    "schedule with negative epochs": (
        lambda: transfer.Schedule(head_epochs=-1),
        r"head_epochs must be at least 1, got -1",
    ),
    "schedule with fractional epochs": (
        lambda: transfer.Schedule(frozen_epochs=2.5),
        r"frozen_epochs must be a whole number, got 2.5",
    ),
    "schedule with a zero learning rate": (
        lambda: transfer.Schedule(learning_rate=0),
        r"learning_rate must be in \(0, 1\], got 0.0",
    ),
    "cluttered images from NaN items": (
        lambda: cluttered.make_cluttered(WITH_NAN[..., 0], np.zeros(4, int), 2, canvas=20),
        r"images holds 1 NaN",
    ),
    "cluttered set of 2.5 images": (
        lambda: cluttered.make_cluttered(IMAGES[..., 0], np.zeros(4, int), 2.5, canvas=20),
        r"n must be a whole number, got 2.5",
    ),
    "image grid with zero columns": (
        lambda: plots.image_grid(np.zeros((3, 4, 4)), ncols=0),
        r"ncols must be at least 1, got 0",
    ),
    "overlay of NaN maps": (
        lambda: plots.overlay_maps(np.zeros((1, 4, 4)), np.full((1, 4, 4), np.nan)),
        r"maps holds 16 NaN",
    ),
    "embedding scatter, fewer labels than points": (
        lambda: plots.embedding_scatter(np.zeros((3, 2)), np.zeros(2, int), "ab"),
        r"points and labels must have one entry per item",
    ),
    "embedding scatter, a label with no name": (
        lambda: plots.embedding_scatter(np.zeros((3, 2)), [0, 1, 5], "ab"),
        r"labels hold class\(es\) \[5\] outside 0..1",
    ),
    "confusion heatmap with too few names": (
        lambda: plots.confusion_heatmap(np.zeros((3, 3)), list("ab")),
        r"matrix \(3, 3\) needs one name per row and column, got 2 row and 2 column names",
    ),
    "curves of different lengths": (
        lambda: plots.curves([1, 2, 3], {"a": [1, 2]}, "x", "y"),
        r"x and series 'a' must have one entry per item",
    ),
    "top-K grid of a unit that does not exist": (
        lambda: plots.topk_grid(IMAGES, np.zeros((2, 3), int), [5]),
        r"unit must be between 0 and 1, got 5",
    ),
    "map comparison, fewer maps than images": (
        lambda: plots.map_comparison(IMAGES[..., 0], {"CAM": np.zeros((2, 8, 8))}),
        r"images and maps\['CAM'\] must have one entry per item.*images 4, maps\['CAM'\] 2",
    ),
    "learning curves of no method": (
        lambda: plots.learning_curves({}),
        r"histories is empty",
    ),
    "learning curves of a metric never recorded": (
        lambda: plots.learning_curves({"head": {"loss": [1, 2], "val_loss": [1, 2]}}),
        r"history of 'head' has no \['accuracy', 'val_accuracy'\]; it has \['loss', 'val_loss'\]",
    ),
}


@pytest.mark.parametrize("case", ARRAY_CASES)
def test_array_input_is_refused_by_name(case):
    call, message = ARRAY_CASES[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_a_short_class_is_named_when_fewer_images_than_asked_are_taken():
    from helpers import data

    labels = np.array([0] * 5 + [1] * 2)
    with pytest.warns(UserWarning, match=r"label\(s\) \[1\] have fewer than 4 items"):
        chosen = data.stratified_indices(labels, 4)
    assert np.bincount(labels[chosen]).tolist() == [4, 2]


def test_select_classes_takes_names_and_names_unknown_ones():
    from helpers import data

    dataset = data.Dataset(
        np.zeros((4, 2, 2, 1)),
        np.array([0, 1, 2, 1]),
        np.zeros((2, 2, 2, 1)),
        np.array([2, 0]),
        ("T-shirt", "Trouser", "Bag"),
        "test",
    )
    chosen = data.select_classes(dataset, ["Bag", "T-shirt"])
    assert chosen.class_names == ("Bag", "T-shirt")
    assert chosen.y_train.tolist() == [1, 0] and chosen.y_test.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"unknown class name\(s\) \['Zebra'\]; the classes are"):
        data.select_classes(dataset, ["Zebra"])


TEN_CLASSES = tuple("abcdefghij")
GREY_IMAGES = np.zeros((2, 28, 28, 1))


@pytest.mark.parametrize(
    ("check", "answer", "arguments"),
    [
        (exercises.check_num_classes, 10.0, (TEN_CLASSES,)),
        (exercises.check_num_classes, np.int64(10), (TEN_CLASSES,)),
        (exercises.check_image_shape, [28, 28, 1], (GREY_IMAGES,)),
        (exercises.check_image_shape, np.array([28, 28, 1]), (GREY_IMAGES,)),
        (exercises.check_box_criterion, np.float32(0.5), ()),
    ],
)
def test_checkers_accept_equivalent_forms(check, answer, arguments, capsys):
    assert check(answer, *arguments)
    assert "Correct!" in capsys.readouterr().out


def test_equivalent_forms_of_names_and_pairs(capsys):
    pixels = np.array([0.0, 1.0])
    assert exercises.check_pixel_range((0, 1.0), pixels)
    assert exercises.check_pixel_range(np.array([0.0, 1.0]), pixels)
    pairs = pd.DataFrame({"true class": ["Shirt"], "taken for": ["Coat"], "mistakes": [3]})
    for answer in ("coat, shirt", "('Shirt', 'Coat')", np.array(["Shirt", "Coat"])):
        assert exercises.check_confused_pair(answer, pairs)
    assert exercises.check_choice(["Shirt"], "Shirt", "", "")
    assert exercises.check_cluster_of(
        "Bag, Sandal", [[0, 1], [2]], ["Bag", "Sandal", "Coat"], "Bag"
    )
    capsys.readouterr()


def test_equivalent_forms_do_not_turn_wrong_answers_right(capsys):
    assert not exercises.check_num_classes("10, 2", TEN_CLASSES)
    assert not exercises.check_num_classes(True, TEN_CLASSES)
    assert not exercises.check_image_shape("28, 28", GREY_IMAGES)
    assert not exercises.check_pixel_range("0", np.array([0.0, 1.0]))
    assert not exercises.check_box_criterion("0.5, 0.7")
    assert not exercises.check_choice(["Shirt", "Coat"], "Shirt", "", "")
    assert capsys.readouterr().out.count("Not yet") == 6
