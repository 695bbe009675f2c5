"""Self-checking exercises: each ``check_...(answer)`` prints right/wrong with a hint and
returns a bool. ``None`` (the placeholder in the notebooks) counts as "not answered yet"."""

from __future__ import annotations

import numpy as np


def report(correct: bool, praise: str, hint: str) -> bool:
    """Print the verdict of an exercise and return it."""
    print(("Correct! " + praise) if correct else ("Not yet. Hint: " + hint))
    return bool(correct)


def solution(check, *arguments, **keywords) -> None:
    """Run ``check(*arguments, **keywords)`` on a reference answer without printing its
    verdict (which would show the answer to a learner who runs every cell); a rejected answer
    is an error."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()) as said:
        correct = check(*arguments, **keywords)
    if not correct:
        raise AssertionError(
            f"the reference solution of {check.__name__} was rejected: {said.getvalue()}"
        )


def _unanswered(answer) -> bool:
    if answer is None or answer is ...:
        print("No answer yet: replace the placeholder with your answer and run the cell again.")
        return True
    return False


def is_text(answer) -> bool:
    """Text, or a collection holding text: not numbers a next line of code can compute with."""
    if isinstance(answer, str | bytes):
        return True
    return isinstance(answer, list | tuple) and any(isinstance(a, str | bytes) for a in answer)


TEXT_HINT = (
    "give the number(s) themselves, not text ({answer!r} is a string): text would break the "
    "next line of code that computes with your answer."
)


def _numbers(answer):
    """Numbers as an array (numbers, numpy scalars and arrays, tuples, lists); text and
    True/False are not numbers."""
    if is_text(answer):
        raise ValueError("text, not numbers")
    array = np.asarray(answer)
    if array.dtype.kind not in "iuf" or array.size == 0:
        raise ValueError("not numbers")
    return array.astype(float)


def _same(answer, expected) -> bool:
    """Equal as values: numbers, numpy scalars and arrays, tuples and lists alike (text is
    not a number)."""
    if isinstance(expected, str):
        return str(answer).strip() == expected.strip()
    try:
        return bool(np.array_equal(_numbers(answer).ravel(), _numbers(expected).ravel()))
    except (TypeError, ValueError):
        return False


def _one(answer):
    """A single name given in a list or tuple of one (``["Shirt"]``) as that name."""
    if isinstance(answer, list | tuple | np.ndarray) and len(answer) == 1:
        return answer[0]
    return answer


def _names(answer) -> set[str]:
    """A collection of names, or one text listing them (``"Shirt, Coat"``), as a lower-case
    set."""
    if isinstance(answer, str):
        answer = answer.strip("()[]{} ").split(",")
    try:
        return {str(name).strip().strip("'\"").lower() for name in answer}
    except TypeError:
        return set()


def check_equal(answer, expected, praise: str, hint: str) -> bool:
    """Right when ``answer`` equals ``expected`` as a value (``3 == np.int64(3)``,
    ``(28, 28, 1) == [28, 28, 1] == np.array([28, 28, 1])``); numbers given as text are
    refused with a hint that says so."""
    if _unanswered(answer):
        return False
    if not isinstance(expected, str) and is_text(answer):
        return report(False, praise, TEXT_HINT.format(answer=answer))
    return report(_same(answer, expected), praise, hint)


def check_close(answer, expected: float, tolerance: float, praise: str, hint: str) -> bool:
    """Right when a number (one, not text and not a list holding it) is within ``tolerance``
    of ``expected``."""
    if _unanswered(answer):
        return False
    if is_text(answer):
        return report(False, praise, TEXT_HINT.format(answer=answer))
    if np.ndim(answer) != 0:
        return report(False, praise, f"give one number, not {type(answer).__name__} {answer!r}.")
    try:
        given = float(_numbers(answer))
    except (TypeError, ValueError):
        return report(False, praise, f"give a number. {hint}")
    return report(abs(given - expected) <= tolerance, praise, hint)


def check_names(answer, expected, praise: str, hint: str) -> bool:
    """Right when a collection of names equals ``expected`` as a set (case ignored)."""
    if _unanswered(answer):
        return False
    return report(_names(answer) == {name.lower() for name in expected}, praise, hint)


# --- 00_start_here ---------------------------------------------------------------------------


def check_num_classes(answer, class_names) -> bool:
    """How many classes does the data set have?"""
    n = len(class_names)
    return check_equal(
        answer, n, f"the data set has {n} classes.", "count the entries of dataset.class_names."
    )


def check_image_shape(answer, images: np.ndarray) -> bool:
    """The shape of one image array as the models see it."""
    height, width, channels = np.shape(images)[1:]
    colour = "one (grey) channel" if channels == 1 else f"{channels} (colour) channels"
    return check_equal(
        answer,
        (height, width, channels),
        f"{height} x {width} pixels with {colour}.",
        "look at dataset.x_test[0].shape: height, width, channels.",
    )


def check_pixel_range(answer, images: np.ndarray) -> bool:
    """The (min, max) of the pixel values."""
    if _unanswered(answer):
        return False
    expected = (float(images.min()), float(images.max()))
    praise = "pixels are floats scaled to [0, 1]."
    if is_text(answer):
        return report(False, praise, TEXT_HINT.format(answer=answer))
    try:
        given = _numbers(answer)
        correct = given.shape == (2,) and np.allclose(given, expected)
    except (TypeError, ValueError):
        correct = False
    return report(correct, praise, "give (min, max): use images.min() and images.max().")


def check_choice(answer, accepted, praise: str, hint: str) -> bool:
    """Right when a text answer names ``accepted`` or, given several (a tie), any one of
    them (case and surrounding spaces ignored)."""
    if _unanswered(answer):
        return False
    names = [accepted] if isinstance(accepted, str) else list(accepted)
    correct = str(_one(answer)).strip().strip("'\"").lower() in {
        str(n).strip().lower() for n in names
    }
    return report(correct, praise, hint)


def _best(values, largest: bool = True) -> list[str]:
    """The names (index entries) of a Series' maximum (or minimum), all of them on a tie."""
    target = values.max() if largest else values.min()
    return [str(name) for name in values.index[values == target]]


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
    """The class most of a unit's top-K images belong to (any of them on a tie)."""
    counts = np.bincount(np.asarray(labels)[indices], minlength=len(class_names))
    accepted = [class_names[c] for c in np.flatnonzero(counts == counts.max())]
    return check_choice(
        answer,
        accepted,
        f"this unit's top images are mostly {' / '.join(accepted)}.",
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


def check_baseline(answer) -> bool:
    """The default value hidden windows are filled with."""
    import inspect

    from helpers.occlusion import occlusion_maps

    default = inspect.signature(occlusion_maps).parameters["baseline"].default
    return check_close(
        answer,
        default,
        1e-9,
        "black: on Fashion-MNIST's black background, hiding removes the item and adds nothing.",
        "read the docstring of occlusion.occlusion_maps (help(occlusion.occlusion_maps)).",
    )


# --- 03_tsne ---------------------------------------------------------------------------------


def check_confused_pair(answer, pairs_table) -> bool:
    """The two classes the network mixes up most (either order; any pair on a tie)."""
    if _unanswered(answer):
        return False
    if pairs_table.empty:
        return report(
            not _names(answer),
            "no two classes were confused here: () is the answer.",
            "no two classes were confused here: there is no pair to name, answer ().",
        )
    top = pairs_table[pairs_table["mistakes"] == pairs_table["mistakes"].max()]
    accepted = [
        {a.lower(), b.lower()} for a, b in zip(top["true class"], top["taken for"], strict=True)
    ]
    given = _names(answer)
    first = top.iloc[0]
    return report(
        given in accepted,
        f"{first['true class']} and {first['taken for']}.",
        "give a pair of class names, e.g. ('Shirt', 'Coat'); see the confused pairs.",
    )


def check_weakest_class(answer, table, space: str) -> bool:
    """The class with the lowest kNN accuracy in a space (any of them on a tie)."""
    accepted = _best(table[space].drop("all"), largest=False)
    return check_choice(
        answer,
        accepted,
        f"{accepted[0]} is the hardest to separate.",
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
    """The method with the highest test accuracy in the comparison table (any on a tie)."""
    accepted = _best(table["accuracy"])
    return check_choice(
        answer,
        accepted,
        f"{' / '.join(accepted)} scored highest on this split; the intervals say whether "
        "that is more than noise.",
        "the row with the largest 'accuracy'.",
    )


def check_better_cut(answer, accuracies: dict) -> bool:
    """The layer whose features gave the better feature-extraction accuracy (either on a
    tie)."""
    import pandas as pd

    accepted = _best(pd.Series(accuracies))
    return check_choice(
        answer,
        accepted,
        f"features of {' / '.join(accepted)} scored higher here.",
        "compare the two accuracies printed above.",
    )


def check_training_images(answer, split) -> bool:
    """How many labelled training images the split holds."""
    return check_equal(
        answer,
        len(split.y_train),
        f"{len(split.class_names)} classes x {len(split.y_train) // len(split.class_names)}.",
        "images per class x number of classes.",
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
    """The row (map type, method) with the highest value in ``column`` (any on a tie)."""
    accepted = _best(table[column])
    return check_choice(
        answer,
        accepted,
        f"{' / '.join(accepted)} leads{' (a tie)' if len(accepted) > 1 else ''} on {column}.",
        f"the largest value of the '{column}' column.",
    )


def check_box_criterion(answer) -> bool:
    """From which IoU with the true box a predicted box counts as correct."""
    from helpers.metrics import BOX_IOU

    return check_close(
        answer,
        BOX_IOU,
        1e-9,
        "the PASCAL VOC criterion, used by the CAM paper.",
        "the CAM paper uses the PASCAL criterion.",
    )


def check_roi_pixels(answer, roi) -> bool:
    """About how many pixels the pipeline's ROI keeps (within 2 % of the map)."""
    roi = np.asarray(roi, bool)
    return check_close(
        answer,
        float(roi.sum()),
        0.02 * roi.size,
        "the top 15 % of the map's pixels (ties aside).",
        "the ROI keeps the pixels above the 85th percentile: what fraction of 64 x 64 is that?",
    )
