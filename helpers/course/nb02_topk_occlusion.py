"""Notebook 02, top-K images per unit and occlusion maps."""

from __future__ import annotations

from helpers.course.classifier import Classifier, classifier_setting


def topk_occlusion(profile: str | None = None) -> Classifier:
    """Notebook 02: top-K images per unit (top-10 of 10,000 CIFAR-10 test images in ``full``)
    and occlusion (an 11 x 11 window, stride 2, zero fill, in ``full``); the class maps
    measure the drop in the class's logit."""
    setting = classifier_setting(profile)
    n = min(setting.n_images, len(setting.dataset.y_test))
    setting.description += (
        f"; top-{setting.top_k} of {n} test images per unit; occlusion window "
        f"{setting.window} x {setting.window}, stride {setting.stride}, zero fill, "
        "class maps on the logit"
    )
    return setting
