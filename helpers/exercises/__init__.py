"""Exercises, one module per notebook (``nb00_start`` ... ``nb08_trust``: its questions, its
coding exercises with an independent reference each, their worked solutions) over one
harness (:mod:`~helpers.exercises.harness`).

A notebook calls ``exercises.check_<name>(answer, ...)`` for a question and
``exercises.check_<function>(your_function)`` for a coding exercise; stuck after a real try,
``exercises.solutions.<function>??`` shows a worked solution.
"""

import importlib
from types import SimpleNamespace

from helpers.exercises.harness import check_choice, check_close, check_equal, check_names, solution
from helpers.exercises.nb00_start import check_image_shape, check_num_classes, check_pixel_range
from helpers.exercises.nb01_filters import (
    check_feature_map_shape,
    check_layer_weights,
    check_normalise_filters,
    check_num_filters,
    check_receptive_field,
)
from helpers.exercises.nb02_topk_occlusion import (
    check_baseline,
    check_dominant_class,
    check_occluded_images,
    check_occlusion_map,
    check_top_k_indices,
)
from helpers.exercises.nb03_tsne import (
    check_confused_pair,
    check_effective_neighbours,
    check_knn_accuracy,
    check_weakest_class,
)
from helpers.exercises.nb04_transfer import (
    check_best_method,
    check_better_cut,
    check_count_trainable,
    check_frozen_model,
    check_training_images,
)
from helpers.exercises.nb05_coarse import (
    check_class_similarity,
    check_coarse_unit,
    check_scsm_neighbour,
)
from helpers.exercises.nb06_hdcnn import check_affinity, check_cluster_of, check_hd_average
from helpers.exercises.nb07_cams import (
    check_best_row,
    check_box_criterion,
    check_class_activation_map,
    check_grad_cam_weights,
    check_iou,
    check_pointing_hit,
    check_roi_pixels,
)
from helpers.exercises.nb08_trust import (
    check_ascent_step,
    check_cascade_stages,
    check_failing_methods,
    check_rank_correlation,
)

NOTEBOOKS = tuple(  # one module per notebook, in course order
    importlib.import_module(f"helpers.exercises.{name}")
    for name in (
        "nb00_start nb01_filters nb02_topk_occlusion nb03_tsne nb04_transfer nb05_coarse "
        "nb06_hdcnn nb07_cams nb08_trust"
    ).split()
)
QUESTIONS = {check.__name__: check for module in NOTEBOOKS for check in module.QUESTIONS}
CODING = {check.__name__: check for module in NOTEBOOKS for check in module.CODING}
solutions = SimpleNamespace(
    **{solved.__name__: solved for module in NOTEBOOKS for solved in module.SOLUTIONS}
)

__all__ = [
    "check_rank_correlation",
    "check_failing_methods",
    "check_cascade_stages",
    "check_ascent_step",
    "CODING",
    "NOTEBOOKS",
    "QUESTIONS",
    "check_affinity",
    "check_baseline",
    "check_best_method",
    "check_best_row",
    "check_better_cut",
    "check_box_criterion",
    "check_choice",
    "check_class_activation_map",
    "check_class_similarity",
    "check_close",
    "check_cluster_of",
    "check_coarse_unit",
    "check_confused_pair",
    "check_count_trainable",
    "check_dominant_class",
    "check_effective_neighbours",
    "check_equal",
    "check_feature_map_shape",
    "check_frozen_model",
    "check_grad_cam_weights",
    "check_hd_average",
    "check_image_shape",
    "check_iou",
    "check_knn_accuracy",
    "check_layer_weights",
    "check_names",
    "check_normalise_filters",
    "check_num_classes",
    "check_num_filters",
    "check_occluded_images",
    "check_occlusion_map",
    "check_pixel_range",
    "check_pointing_hit",
    "check_receptive_field",
    "check_roi_pixels",
    "check_scsm_neighbour",
    "check_top_k_indices",
    "check_training_images",
    "check_weakest_class",
    "solution",
    "solutions",
]
