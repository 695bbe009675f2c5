"""Notebook 01, first-layer filters and feature maps: the course classifier, where its first
layer started from before training, and VGG16's colour filters in ``full``."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from helpers import filters as filter_banks
from helpers.course.classifier import Classifier, classifier_setting
from helpers.infra import config
from helpers.models import weights, zoo


def filters(profile: str | None = None) -> Classifier:
    """Notebook 01: the course classifier's first-layer filters and feature maps."""
    return classifier_setting(profile)


@dataclass
class TrainingStart:
    """The first conv layer of a course model before training, and for comparison the same
    layer from another random start."""

    initial: np.ndarray  # (kh, kw, in, filters): the weights training started from
    other: np.ndarray  # the same layer built from another seed: unrelated random filters
    seed: int
    description: str


def training_start(setting: Classifier) -> TrainingStart:
    """The course classifier's first conv layer as it was before training: its recipe's
    architecture built again after seeding Keras with the seed the model manifest records
    (:func:`helpers.models.zoo.train` seeds, then builds, then trains), and the same layer
    built from the next seed, whose correlations with the trained filters show what
    unrelated starts give."""
    model = setting.model
    recipe = zoo.recipe(model.name)
    entry = zoo.manifest_entry(model.name, config.MODELS_DIR) or zoo.manifest_entry(
        model.name, config.user_cache_dir() / "models"
    )
    seed = recipe.seed if entry is None else int(entry["seed"])
    shape = {
        "num_classes": int(model.outputs[0].shape[-1]),
        "input_shape": tuple(model.inputs[0].shape[1:]),
        "name": model.name,
    }
    initial = filter_banks.initial_kernels(recipe.build, seed, **shape)
    other = filter_banks.initial_kernels(recipe.build, seed + 1, **shape)
    trained_with = None if entry is None else entry.get("keras_version")
    note = (
        ""
        if trained_with in (None, keras.__version__)
        else f" (trained under Keras {trained_with}, rebuilt under {keras.__version__}: "
        "its initialisers may draw other numbers)"
    )
    return TrainingStart(
        initial,
        other,
        seed,
        f"{model.name}'s first conv layer rebuilt as training started: seed {seed}{note}",
    )


def reference_filters(profile: str | None = None):
    """Notebook 01 in ``full``: VGG16's first-layer colour filters ``(3, 3, 3, 64)`` and where
    its weights came from; None in ``quick``."""
    if config.get_profile(profile) == "quick":
        return None
    resolved = weights.resolve("VGG16", include_top=False, profile="full")
    model = zoo.pretrained("VGG16", weights=resolved.path, include_top=False)
    return model.get_layer("block1_conv1").get_weights()[0], f"VGG16, {resolved.describe()}"
