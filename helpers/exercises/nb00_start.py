"""Exercises of notebook 00, start here: its questions."""

from __future__ import annotations

import numpy as np

from helpers.exercises.harness import (
    TEXT_HINT,
    check_equal,
    is_text,
    numbers_of,
    report,
    unanswered,
)

# Questions


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
    if unanswered(answer):
        return False
    expected = (float(images.min()), float(images.max()))
    praise = "pixels are floats scaled to [0, 1]."
    if is_text(answer):
        return report(False, praise, TEXT_HINT.format(answer=answer))
    try:
        given = numbers_of(answer)
        correct = given.shape == (2,) and np.allclose(given, expected)
    except (TypeError, ValueError):
        correct = False
    return report(correct, praise, "give (min, max): use images.min() and images.max().")


QUESTIONS = (check_num_classes, check_image_shape, check_pixel_range)
CODING = ()
SOLUTIONS = ()
