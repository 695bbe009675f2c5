"""Exercises of notebook 01, first-layer filters: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import numpy as np

from helpers import filters
from helpers.exercises.harness import Mistake, check_equal, check_function
from helpers.infra import layers

# Questions


def check_num_filters(answer, model) -> bool:
    """How many filters has the first conv layer?"""
    expected = filters.conv_kernels(model).shape[-1]
    return check_equal(
        answer,
        expected,
        f"the first layer learns {expected} filters.",
        "look at the shape of filters.conv_kernels(model): the last axis.",
    )


def check_feature_map_shape(answer, model, image, layer: str) -> bool:
    """The (height, width, channels) of a layer's feature maps for one image."""
    expected = filters.feature_maps(model, image, layer).shape
    return check_equal(
        answer,
        expected,
        f"{layer} gives {expected[-1]} maps of {expected[0]}x{expected[1]}.",
        "every pooling halves height and width; channels = the layer's filters.",
    )


def check_layer_weights(answer, model, layer: str) -> bool:
    """How many numbers does ``layer`` learn (its weights and biases)?"""
    expected = layers.find_layer(model, name=layer).count_params()
    return check_equal(
        answer,
        expected,
        f"{layer} learns {expected} numbers.",
        "each filter has kernel height x width x input channels weights, plus one bias.",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _normalise_reference(bank):
    out = np.zeros_like(bank, dtype=float)
    for i, one in enumerate(bank):
        low, high = one.min(), one.max()
        if high > low:
            out[i] = (one - low) / (high - low)
    return out


def check_normalise_filters(learner) -> bool:
    """``normalise_filters(bank (filters, h, w)) -> same shape``, each filter to [0, 1]."""
    rng = np.random.default_rng(1)
    cases = [(rng.normal(size=(n, k, k)),) for n, k in ((4, 3), (6, 5), (1, 7))]
    flat = rng.normal(size=(3, 5, 5))
    flat[1] = 0.7
    cases.append((flat,))
    mistakes = [
        Mistake(
            lambda b: (b - b.min()) / (b.max() - b.min()),
            "each filter must be normalised on its own, not the whole bank at once.",
        ),
        Mistake(
            lambda b: b / np.abs(b).max(axis=(1, 2), keepdims=True),
            "subtract each filter's minimum first: the darkest weight should become 0.",
        ),
    ]
    return check_function(learner, cases, _normalise_reference, mistakes)


def _receptive_reference(stack):
    field = 1
    for kernel, stride in reversed(stack):
        field = (field - 1) * stride + kernel
    return field


def check_receptive_field(learner) -> bool:
    """``receptive_field([(kernel, stride), ...]) -> int`` of the last layer's units."""
    cases = [
        ([(3, 1)],),
        ([(5, 1), (2, 2), (3, 1)],),
        ([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)],),
        ([(7, 2), (3, 2), (3, 1)],),
    ]
    mistakes = [
        Mistake(
            lambda s: 1 + sum(k - 1 for k, _ in s),
            "a stride-2 layer doubles the distance between the inputs that later units see: "
            "grow by (kernel - 1) x jump, and multiply the jump by each stride.",
        ),
        Mistake(
            lambda s: int(np.prod([k for k, _ in s])),
            "kernels do not multiply: each layer adds (kernel - 1) x jump pixels.",
        ),
    ]
    return check_function(learner, cases, _receptive_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def normalise_filters(bank):
    """Each filter of ``bank`` (filters, h, w) min-max scaled to [0, 1]; a flat one to 0."""
    low = bank.min(axis=(1, 2), keepdims=True)
    span = bank.max(axis=(1, 2), keepdims=True) - low
    return (bank - low) / np.where(span > 0, span, 1.0)


def receptive_field(stack):
    """Receptive field of the last layer of ``stack`` [(kernel, stride), ...] in input
    pixels: each layer adds (kernel - 1) x jump; the jump multiplies by each stride."""
    field, jump = 1, 1
    for kernel, stride in stack:
        field += (kernel - 1) * jump
        jump *= stride
    return field


QUESTIONS = (check_num_filters, check_feature_map_shape, check_layer_weights)
CODING = (check_normalise_filters, check_receptive_field)
SOLUTIONS = (normalise_filters, receptive_field)
