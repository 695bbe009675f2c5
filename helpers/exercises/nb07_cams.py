"""Exercises of notebook 07, class activation maps: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import numpy as np

from helpers.exercises.harness import (
    Mistake,
    best_of,
    check_choice,
    check_close,
    check_function,
)
from helpers.metrics import BOX_IOU

# Questions


def check_best_row(answer, table, column: str) -> bool:
    """The row (map type, method) with the highest value in ``column`` (any on a tie)."""
    accepted = best_of(table[column])
    return check_choice(
        answer,
        accepted,
        f"{' / '.join(accepted)} leads{' (a tie)' if len(accepted) > 1 else ''} on {column}.",
        f"the largest value of the '{column}' column.",
    )


def check_box_criterion(answer) -> bool:
    """From which IoU with the true box a predicted box counts as correct."""
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


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _cam_reference(features, kernel, class_index):
    height, width, channels = features.shape
    out = np.zeros((height, width))
    for k in range(channels):
        out += kernel[k, class_index] * features[:, :, k]
    return out


def check_class_activation_map(learner) -> bool:
    """``class_activation_map(features (H, W, K), kernel (K, classes), class_index)
    -> (H, W)``: M_c = sum_k w_k^c f_k."""
    rng = np.random.default_rng(10)
    cases = [
        (rng.random((h, w, k)), rng.normal(size=(k, c)), i)
        for h, w, k, c, i in ((4, 4, 3, 5, 2), (7, 5, 6, 2, 1), (8, 8, 16, 10, 9))
    ]
    mistakes = [
        Mistake(
            lambda f, w, c: f.mean(axis=-1),
            "weight each feature map by the class's Dense weight w_k^c before summing.",
        ),
        Mistake(
            lambda f, w, c: _cam_reference(f, w, c) / f.shape[-1],
            "sum the weighted maps, don't average them.",
        ),
    ]
    return check_function(learner, cases, _cam_reference, mistakes)


def _grad_weights_reference(gradients):
    height, width, channels = gradients.shape
    return np.array([gradients[:, :, k].sum() / (height * width) for k in range(channels)])


def check_grad_cam_weights(learner) -> bool:
    """``grad_cam_weights(gradients (H, W, K)) -> (K,)``: alpha_k = (1/Z) sum over positions
    of d y^c / d A_k, Z = H x W."""
    rng = np.random.default_rng(11)
    cases = [(rng.normal(size=(h, w, k)),) for h, w, k in ((4, 4, 3), (7, 5, 8), (1, 9, 2))]
    mistakes = [
        Mistake(
            lambda g: g.sum(axis=(0, 1)),
            "divide by Z = H x W: the weight is the *mean* gradient of each map.",
        ),
        Mistake(
            lambda g: g.mean(axis=-1),
            "one weight per channel: average over height and width, not over channels.",
        ),
    ]
    return check_function(learner, cases, _grad_weights_reference, mistakes)


def _iou_reference(a, b):
    both = sum(1 for x, y in zip(a.ravel(), b.ravel(), strict=True) if x and y)
    either = sum(1 for x, y in zip(a.ravel(), b.ravel(), strict=True) if x or y)
    return both / either


def check_iou(learner) -> bool:
    """``iou(a, b) -> float`` of two boolean masks (the hidden masks never both empty)."""
    rng = np.random.default_rng(12)
    cases = [(rng.random((s, s)) > t, rng.random((s, s)) > t) for s, t in ((5, 0.5), (8, 0.7))]
    square = np.zeros((6, 6), bool)
    square[1:4, 1:4] = True
    cases.append((square, np.roll(square, 1, axis=1)))
    mistakes = [
        Mistake(
            lambda a, b: (a & b).sum() / (a.sum() + b.sum()),
            "the union counts the overlap once: |A or B| = |A| + |B| - |A and B|.",
        ),
        Mistake(
            lambda a, b: (a & b).sum() / a.sum(),
            "divide by the union of both masks, not by one mask's area.",
        ),
    ]
    return check_function(learner, cases, _iou_reference, mistakes)


def _pointing_reference(saliency, mask):
    best = max(range(saliency.size), key=lambda i: (saliency.ravel()[i], -i))
    return bool(mask.ravel()[best])


def _at_swapped_axes(saliency, mask):
    column, row = np.unravel_index(np.argmax(saliency), saliency.shape[::-1])
    inside = 0 <= row < mask.shape[0] and 0 <= column < mask.shape[1]
    return bool(mask[row, column]) if inside else False


def check_pointing_hit(learner) -> bool:
    """``pointing_hit(saliency (H, W), mask (H, W)) -> bool``: is the map's maximum inside the
    mask (the first maximum in reading order on a tie)?"""
    rng = np.random.default_rng(13)
    cases = []
    for height, width in ((6, 6), (9, 9), (12, 12), (8, 5), (7, 11), (5, 16)):  # and not square
        mask = np.zeros((height, width), bool)
        mask[1 : height // 2, width // 2 : width - 1] = True  # upper right: transposing misses it
        cases.append((rng.random((height, width)) + 0.5 * mask, mask))
        cases.append((rng.random((height, width)) + 0.5 * ~mask, mask))  # a miss
    flat = np.zeros((4, 6))
    flat[2, 1] = flat[0, 3] = 1.0  # a tie: the first maximum in reading order is (0, 3)
    tie_mask = np.zeros((4, 6), bool)
    tie_mask[0, 3] = True
    cases.append((flat, tie_mask))
    mistakes = [
        Mistake(lambda s, m: bool(m.ravel()[np.argmin(s)]), "look at the maximum of the map."),
        Mistake(
            lambda s, m: bool(m.ravel()[np.argmax(s.T)]),
            "transposed: flatten the map and the mask the same way (or turn the flat index into "
            "(row, column) with np.unravel_index).",
        ),
        Mistake(
            lambda s, m: _at_swapped_axes(s, m),
            "the flat index was turned into (row, column) with the axes swapped: use "
            "np.unravel_index(index, saliency.shape), rows first.",
        ),
        Mistake(
            lambda s, m: bool(m.ravel()[len(s.ravel()) - 1 - np.argmax(s.ravel()[::-1])]),
            "on a tie, take the first maximum in reading order (np.argmax does).",
        ),
    ]
    return check_function(learner, cases, _pointing_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def class_activation_map(features, kernel, class_index):
    """M_c(x, y) = sum_k w_k^c f_k(x, y)."""
    return features @ kernel[:, class_index]


def grad_cam_weights(gradients):
    """alpha_k: the mean over positions of each channel's gradient."""
    return gradients.mean(axis=(0, 1))


def iou(a, b):
    """Intersection over union of two boolean masks."""
    return (a & b).sum() / (a | b).sum()


def pointing_hit(saliency, mask):
    """Is the map's (first) maximum inside the mask?"""
    return bool(mask.ravel()[np.argmax(saliency)])


QUESTIONS = (check_best_row, check_box_criterion, check_roi_pixels)
CODING = (check_class_activation_map, check_grad_cam_weights, check_iou, check_pointing_hit)
SOLUTIONS = (class_activation_map, grad_cam_weights, iou, pointing_hit)
