"""Exercises of notebook 02, top-K images and occlusion: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import inspect

import numpy as np

from helpers.exercises.harness import (
    Mistake,
    check_choice,
    check_close,
    check_equal,
    check_function,
)
from helpers.occlusion import occlusion_maps, window_starts

# Questions


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
    default = inspect.signature(occlusion_maps).parameters["baseline"].default
    return check_close(
        answer,
        default,
        1e-9,
        "black: on Fashion-MNIST's black background, hiding removes the item and adds nothing.",
        "read the docstring of occlusion.occlusion_maps (help(occlusion.occlusion_maps)).",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _topk_reference(activations, k):
    return np.array(
        [sorted(range(len(column)), key=lambda i: -column[i])[:k] for column in activations.T]
    )


def _ties_in_index_order(activations, indices):
    """``indices`` with each run of images of equal activation put in index order: on a tie
    any order is right, so a correct answer is compared in the reference's order, while the
    order between different activations (highest first) is left as the learner gave it."""
    given = indices
    try:
        indices = np.asarray(indices)
    except (TypeError, ValueError):
        return given
    if indices.ndim != 2 or indices.dtype.kind not in "iu" or len(indices) != activations.shape[1]:
        return given  # the checker names what is wrong with it
    if indices.min(initial=0) < 0 or indices.max(initial=0) >= len(activations):
        return given
    ordered = indices.copy()
    for unit, row in enumerate(indices):
        values = activations[row, unit]
        start = 0
        for end in range(1, len(row) + 1):
            if end == len(row) or values[end] != values[start]:
                ordered[unit, start:end] = np.sort(row[start:end])
                start = end
    return ordered


def check_top_k_indices(learner) -> bool:
    """``top_k_indices(activations (N, units), k) -> (units, k)``, highest first; on a tie
    any order of the tied images is right. Hidden inputs include a large one (where a top-k
    left unsorted shows) and ties (activations rounded)."""
    rng = np.random.default_rng(2)
    shapes = ((20, 3, 4), (50, 6, 1), (9, 2, 9), (500, 8, 10))
    cases = [(rng.normal(size=(n, u)), k) for n, u, k in shapes]
    tied = rng.permutation(160).reshape(40, 4) / 10.0  # distinct values, then ties inside
    tops = np.argsort(-tied, axis=0, kind="stable")  # the top 6: the 2nd and 3rd tie, and the
    for unit in range(4):  # 4th and 5th (never across the cut, where the set would change)
        tied[tops[2, unit], unit] = tied[tops[1, unit], unit]
        tied[tops[4, unit], unit] = tied[tops[3, unit], unit]
    cases.append((tied, 6))
    mistakes = [
        Mistake(
            lambda a, k: _topk_reference(-a, k), "highest first: you took the lowest activations."
        ),
        Mistake(
            lambda a, k: _topk_reference(a, k)[:, ::-1],
            "the right images, in the wrong order: highest activation first.",
        ),
        Mistake(
            lambda a, k: _topk_reference(a.T, k),
            "one row per unit: rank the images within each column of activations.",
        ),
        Mistake(
            lambda a, k: np.sort(_topk_reference(a, k), axis=1),
            "the right images in index order, not by activation: sort them, highest activation "
            "first (np.argpartition, for one, does not promise an order).",
        ),
    ]

    def tie_tolerant(function):
        def compared(activations, k):
            return _ties_in_index_order(activations, function(activations, k))

        return compared

    mistakes = [Mistake(tie_tolerant(m.wrong), m.hint) for m in mistakes]
    learner = None if learner is None else tie_tolerant(learner)
    return check_function(learner, cases, _topk_reference, mistakes)


def _starts(size, window, stride):
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] != size - window:
        starts.append(size - window)
    return starts


def _occlusion_reference(image, score, window, stride, baseline=0.0, edge=True, average=True):
    height, width = image.shape
    sums, counts = np.zeros((height, width)), np.zeros((height, width))
    original = score(image[None])[0]
    rows = _starts(height, window, stride) if edge else range(0, height - window + 1, stride)
    cols = _starts(width, window, stride) if edge else range(0, width - window + 1, stride)
    for y in rows:
        for x in cols:
            hidden = image.copy()
            hidden[y : y + window, x : x + window] = baseline
            sums[y : y + window, x : x + window] += original - score(hidden[None])[0]
            counts[y : y + window, x : x + window] += 1
    if not average:
        return sums
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def brightness_score(images):
    """A stand-in network: the score of an image is its mean brightness, weighted towards the
    centre."""
    height, width = images.shape[1:3]
    weights = np.outer(np.hanning(height + 2)[1:-1], np.hanning(width + 2)[1:-1])
    return (images * weights).sum(axis=(1, 2)) / weights.sum()


def check_occlusion_map(learner) -> bool:
    """``occlusion_map(image (H, W), score, window, stride, baseline=0.0) -> (H, W)``: the
    drop ``score(image) - score(occluded)`` averaged over the windows covering each pixel."""
    rng = np.random.default_rng(3)
    cases = [
        (rng.random((8, 8)), brightness_score, 4, 4),
        (rng.random((9, 7)), brightness_score, 3, 2),
        (rng.random((9, 8)), brightness_score, 4, 3),  # stride 3 misses the far edge
    ]
    mistakes = [
        Mistake(
            lambda *c: _occlusion_reference(*c, average=False),
            "average the drops of overlapping windows by how many windows cover each pixel.",
        ),
        Mistake(
            lambda *c: _occlusion_reference(*c, edge=False),
            "off by one window at the edge: add a last window that touches the far edge when "
            "the stride does not reach it.",
        ),
        Mistake(
            lambda *c: -_occlusion_reference(*c),
            "the drop is score(original) - score(occluded), not the other way round.",
        ),
    ]
    return check_function(learner, cases, _occlusion_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def top_k_indices(activations, k):
    """Indices (units, k) of each unit's k highest activations, highest first."""
    return np.argsort(-activations, axis=0, kind="stable")[:k].T


def occlusion_map(image, score, window, stride, baseline=0.0):
    """Average drop of ``score`` when a window of ``image`` (H, W) is filled by ``baseline``."""
    height, width = image.shape

    def starts(size):
        positions = list(range(0, size - window + 1, stride))
        return positions if positions[-1] == size - window else [*positions, size - window]

    sums, counts = np.zeros((height, width)), np.zeros((height, width))
    original = score(image[None])[0]
    for y in starts(height):
        for x in starts(width):
            hidden = image.copy()
            hidden[y : y + window, x : x + window] = baseline
            sums[y : y + window, x : x + window] += original - score(hidden[None])[0]
            counts[y : y + window, x : x + window] += 1
    return sums / counts


QUESTIONS = (check_dominant_class, check_occluded_images, check_baseline)
CODING = (check_top_k_indices, check_occlusion_map)
SOLUTIONS = (top_k_indices, occlusion_map)
