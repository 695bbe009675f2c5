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
