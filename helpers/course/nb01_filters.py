"""Notebook 01, first-layer filters and feature maps: the course classifier, and VGG16's
colour filters in ``full``."""

from __future__ import annotations

from helpers.course.classifier import Classifier, classifier_setting
from helpers.infra import config
from helpers.models import weights, zoo


def filters(profile: str | None = None) -> Classifier:
    """Notebook 01: the course classifier's first-layer filters and feature maps."""
    return classifier_setting(profile)


def reference_filters(profile: str | None = None):
    """Notebook 01 in ``full``: VGG16's first-layer colour filters ``(3, 3, 3, 64)`` and where
    its weights came from; None in ``quick``."""
    if config.get_profile(profile) == "quick":
        return None
    resolved = weights.resolve("VGG16", include_top=False, profile="full")
    model = zoo.pretrained("VGG16", weights=resolved.path, include_top=False)
    return model.get_layer("block1_conv1").get_weights()[0], f"VGG16, {resolved.describe()}"
