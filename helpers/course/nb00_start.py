"""Notebook 00, start here: the dataset of notebooks 01-03."""

from __future__ import annotations

from helpers.course.classifier import Classifier, classifier_setting


def start(profile: str | None = None) -> Classifier:
    """Notebook 00: the dataset of notebooks 01-03 (Fashion-MNIST; CIFAR-10 in ``full``)."""
    return classifier_setting(profile, with_model=False)
