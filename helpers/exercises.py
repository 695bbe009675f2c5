"""Self-checking exercises: each ``check_...(answer)`` prints right/wrong with a hint and
returns a bool. ``None`` (the placeholder in the notebooks) counts as "not answered yet"."""

from __future__ import annotations

import numpy as np


def report(correct: bool, praise: str, hint: str) -> bool:
    """Print the verdict of an exercise and return it."""
    print(("Correct! " + praise) if correct else ("Not yet. Hint: " + hint))
    return bool(correct)


def _unanswered(answer) -> bool:
    if answer is None or answer is ...:
        print("No answer yet: replace the placeholder with your answer and run the cell again.")
        return True
    return False


def check_equal(answer, expected, praise: str, hint: str) -> bool:
    """Right when ``answer == expected`` (tuples and lists compare by items)."""
    if _unanswered(answer):
        return False
    if isinstance(expected, tuple | list):
        correct = isinstance(answer, tuple | list) and tuple(answer) == tuple(expected)
    else:
        correct = answer == expected
    return report(correct, praise, hint)


def check_close(answer, expected: float, tolerance: float, praise: str, hint: str) -> bool:
    """Right when a number is within ``tolerance`` of ``expected``."""
    if _unanswered(answer):
        return False
    try:
        correct = abs(float(answer) - expected) <= tolerance
    except (TypeError, ValueError):
        return report(False, praise, f"give a number. {hint}")
    return report(correct, praise, hint)


def check_names(answer, expected, praise: str, hint: str) -> bool:
    """Right when a collection of names equals ``expected`` as a set (case ignored)."""
    if _unanswered(answer):
        return False
    try:
        given = {str(name).strip().lower() for name in answer}
    except TypeError:
        given = set()
    return report(given == {name.lower() for name in expected}, praise, hint)


# --- 00_start_here ---------------------------------------------------------------------------


def check_num_classes(answer) -> bool:
    """How many classes does Fashion-MNIST have?"""
    return check_equal(
        answer, 10, "Fashion-MNIST has 10 classes.", "count the entries of dataset.class_names."
    )


def check_image_shape(answer) -> bool:
    """The shape of one image array as the models see it."""
    return check_equal(
        answer,
        (28, 28, 1),
        "28 x 28 pixels with one (grey) channel.",
        "look at dataset.x_test[0].shape: height, width, channels.",
    )


def check_pixel_range(answer, images: np.ndarray) -> bool:
    """The (min, max) of the pixel values."""
    if _unanswered(answer):
        return False
    expected = (float(images.min()), float(images.max()))
    try:
        correct = np.allclose(np.asarray(answer, dtype=float), expected)
    except (TypeError, ValueError):
        correct = False
    return report(
        correct, "pixels are floats scaled to [0, 1].", "use images.min() and images.max()."
    )


def check_choice(answer, expected: str, praise: str, hint: str) -> bool:
    """Right when a text answer names ``expected`` (case and spaces ignored)."""
    if _unanswered(answer):
        return False
    correct = str(answer).strip().lower() == str(expected).strip().lower()
    return report(correct, praise, hint)


# --- 01_filters ------------------------------------------------------------------------------


def check_num_filters(answer, model) -> bool:
    """How many filters has the first conv layer?"""
    from helpers import filters

    expected = filters.conv_kernels(model).shape[-1]
    return check_equal(
        answer,
        expected,
        f"the first layer learns {expected} filters.",
        "look at the shape of filters.conv_kernels(model): the last axis.",
    )


def check_feature_map_shape(answer, model, image, layer: str) -> bool:
    """The (height, width, channels) of a layer's feature maps for one image."""
    from helpers import filters

    expected = filters.feature_maps(model, image, layer).shape
    return check_equal(
        answer,
        expected,
        f"{layer} gives {expected[-1]} maps of {expected[0]}x{expected[1]}.",
        "every pooling halves height and width; channels = the layer's filters.",
    )


def check_receptive_field(answer, model, layer: str) -> bool:
    """How many input pixels wide is the region one unit of ``layer`` sees?"""
    from helpers import layers

    expected = layers.receptive_field(model, layer)
    return check_equal(
        answer,
        expected,
        f"a unit of {layer} sees {expected}x{expected} pixels.",
        "add (kernel - 1) x jump per layer; a stride-2 pooling doubles the jump.",
    )


# --- 02_topk_occlusion -----------------------------------------------------------------------


def check_dominant_class(answer, indices, labels, class_names) -> bool:
    """The class most of a unit's top-K images belong to."""
    expected = class_names[np.bincount(np.asarray(labels)[indices]).argmax()]
    return check_choice(
        answer,
        expected,
        f"this unit fires most for {expected}.",
        "count the classes in the unit's top-K grid.",
    )


def check_occluded_images(
    answer, n_images: int, size: tuple[int, int], window: int, stride: int
) -> bool:
    """How many occluded images does the network see for these maps?"""
    from helpers.occlusion import window_starts

    expected = (
        n_images
        * len(window_starts(size[0], window, stride))
        * len(window_starts(size[1], window, stride))
    )
    return check_equal(
        answer,
        expected,
        f"{expected} occluded images.",
        "positions per axis = starts 0, stride, ... up to size - window (the last "
        "one touches the edge); multiply both axes and the number of images.",
    )


def check_baseline(answer, images) -> bool:
    """The default value hidden windows are filled with."""
    return check_close(
        answer,
        float(np.mean(images)),
        1e-3,
        "hiding with the data mean removes information without adding contrast.",
        "it is not 127.5 and not 0: the images' mean.",
    )


# --- 03_tsne ---------------------------------------------------------------------------------


def check_confused_pair(answer, pairs_table) -> bool:
    """The two classes the network mixes up most (either order)."""
    top = pairs_table.iloc[0]
    return check_names(
        answer,
        [top["true class"], top["taken for"]],
        f"{top['true class']} and {top['taken for']}.",
        "give a pair of class names, e.g. ('Shirt', 'Coat'); see the confused pairs.",
    )


def check_weakest_class(answer, table, space: str) -> bool:
    """The class with the lowest kNN accuracy in a space."""
    expected = table[space].drop("all").idxmin()
    return check_choice(
        answer,
        expected,
        f"{expected} is the hardest to separate.",
        f"the smallest value in the '{space}' column of the kNN table.",
    )


# --- 05_coarse_extraction --------------------------------------------------------------------


def check_scsm_neighbour(answer, kernel, class_names, of: str) -> bool:
    """The class whose weight column is most similar to ``of``'s."""
    from helpers import coarse

    row = coarse.sorted_similarity(coarse.class_similarity(kernel))[list(class_names).index(of)]
    expected = class_names[row[1]]
    return check_choice(
        answer,
        expected,
        f"{expected} is {of}'s nearest class by weights.",
        f"the second entry of {of}'s SCSM row (the first is {of} itself).",
    )


# --- 04_transfer_learning --------------------------------------------------------------------


def check_best_method(answer, table) -> bool:
    """The method with the highest test accuracy in the comparison table."""
    expected = table["test accuracy"].idxmax()
    return check_choice(
        answer,
        expected,
        f"{expected} wins on this split.",
        "the row with the largest 'test accuracy'.",
    )


def check_better_cut(answer, accuracies: dict) -> bool:
    """The layer whose features gave the better feature-extraction accuracy."""
    expected = max(accuracies, key=accuracies.get)
    return check_choice(
        answer,
        expected,
        f"features of {expected} transfer better here.",
        "compare the two accuracies printed above.",
    )


# --- 06_hdcnn --------------------------------------------------------------------------------


def check_cluster_of(answer, clusters, class_names, member: str) -> bool:
    """The class names of the cluster holding ``member`` (any order)."""
    index = list(class_names).index(member)
    expected = [class_names[c] for c in next(cl for cl in clusters if index in cl)]
    return check_names(
        answer,
        expected,
        f"{member}'s cluster: {expected}.",
        "print model.clusters with class names, as in the checked cell above.",
    )


# --- 07_high_res_cams ------------------------------------------------------------------------


def check_best_row(answer, table, column: str) -> bool:
    """The row (map type, method) with the highest value in ``column``."""
    expected = table[column].idxmax()
    return check_choice(
        answer,
        expected,
        f"{expected} leads on {column}.",
        f"the largest value of the '{column}' column.",
    )
