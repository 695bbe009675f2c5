"""Every checker accepts a right answer (in any equivalent form) and says "Not yet" to a
plausible wrong one; a new checker without cases here fails the coverage test."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers import exercises
from tests.models import conv_model

MODEL = conv_model()  # c1: 4 filters 3x3; pool 2; c2: 2 filters 3x3, on 6x6x1 images
IMAGE = np.zeros((6, 6, 1))
PAIRS = pd.DataFrame(
    [("Shirt", "T-shirt/top", 9), ("Coat", "Pullover", 9), ("Dress", "Coat", 2)],
    columns=["true class", "taken for", "mistakes"],
)
KNN = pd.DataFrame({"features": [0.9, 0.5, 0.5, 0.8]}, index=["a", "b", "c", "all"])
METHODS = pd.DataFrame({"accuracy": [0.86, 0.86, 0.80]}, index=["extract", "tune", "scratch"])
KERNEL = np.array([[1.0, 0.9, 0.0], [0.0, 0.1, 1.0]])  # class 1 is closest to class 0
ROI = np.zeros((64, 64), bool)
ROI.flat[:614] = True
VERDICTS = pd.DataFrame(
    {"passes": [True, False, True, False]}, index=["CAM", "edge detector", "Grad-CAM", "other"]
)
SPLIT = SimpleNamespace(y_train=np.zeros(400), class_names=("Pullover", "Coat"))

# checker -> (arguments after the answer, right answers, plausible wrong answers)
CASES = {
    "check_equal": ((3, "ok", "hint"), [3, np.int64(3), 3.0, np.array(3)], [4, "three", [3, 3]]),
    "check_close": ((0.9, 0.02, "ok", "hint"), [0.91, np.float32(0.9)], [0.95, "x", "0.9", [0.9]]),
    "check_names": ((["a", "B"], "ok", "hint"), [("b", "A"), ["a", "b"]], [("a",), 5]),
    "check_choice": ((["x", "y"], "ok", "hint"), ["X", " y "], ["z"]),
    "check_num_classes": ((tuple("abcdefghij"),), [10, np.int64(10)], [9, 11, "10"]),
    "check_image_shape": (
        (np.zeros((2, 28, 28, 1)),),
        [(28, 28, 1), [28, 28, 1], np.array([28, 28, 1])],
        [(28, 28), (28, 28, 3)],
    ),
    "check_pixel_range": (
        (np.array([0.0, 0.5, 1.0]),),
        [(0, 1), np.array([0.0, 1.0])],
        [(0, 255), "0-1"],
    ),
    "check_num_filters": ((MODEL,), [4], [32, 2]),
    "check_feature_map_shape": ((MODEL, IMAGE, "c2"), [(3, 3, 2)], [(6, 6, 2), (3, 3, 4)]),
    "check_layer_weights": ((MODEL, "c1"), [40], [36, 4]),  # 4 filters x 3 x 3 x 1 + 4 biases
    "check_dominant_class": (
        ([1, 2, 3, 4], np.array([0, 1, 1, 2, 2]), ["a", "b", "c"]),
        ["b", "C"],
        ["a"],
    ),  # b and c tie: both right
    "check_occluded_images": (
        (2, (6, 6), 2, 2),
        [18],
        [2 * 2 * 2, 2 * 5 * 5],
    ),  # 3 x 3 positions per image; stride 1 would give 5 x 5
    "check_baseline": ((), [0, 0.0], [0.2860, 127.5, "0"]),  # text: refused
    "check_confused_pair": (
        (PAIRS,),
        [("t-shirt/top", "shirt"), ("Pullover", "Coat")],
        [("Dress", "Coat")],
    ),
    "check_weakest_class": ((KNN, "features"), ["b", "c"], ["a", "all"]),
    "check_scsm_neighbour": ((KERNEL, ["a", "b", "c"], "a"), ["b"], ["a", "c"]),
    "check_best_method": ((METHODS,), ["extract", "tune"], ["scratch"]),
    "check_better_cut": (({"pool2": 0.88, "features": 0.85},), ["pool2"], ["features"]),
    "check_training_images": ((SPLIT,), [400, 400.0], [200, "400"]),
    "check_cluster_of": (([[0, 2], [1]], ["a", "b", "c"], "c"), [["c", "a"]], [["c"], ["a", "b"]]),
    "check_best_row": ((METHODS, "accuracy"), ["tune"], ["scratch"]),
    "check_box_criterion": ((), [0.5, np.float32(0.5)], [0.2, 0.75, "0.5", [0.5]]),
    "check_roi_pixels": ((ROI,), [0.15 * 64 * 64, 614], [0.85 * 64 * 64, 64]),
    "check_failing_methods": (
        (VERDICTS,),
        ["edge detector, other", "Edge Detector,other", ["edge detector", "other"]],
        ["edge detector", "CAM, other", ["other"]],
    ),
}


def test_every_checker_has_cases():
    harness = {"check_choice", "check_equal", "check_close", "check_names"}
    assert set(exercises.QUESTIONS) | harness == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answers_pass_and_wrong_ones_get_not_yet(name, capsys):
    checker = getattr(exercises, name)
    arguments, right, wrong = CASES[name]
    for answer in right:
        assert checker(answer, *arguments), f"{name} rejected the right answer {answer!r}"
        assert capsys.readouterr().out.startswith("Correct!")
    for answer in wrong:
        assert not checker(answer, *arguments), f"{name} accepted the wrong answer {answer!r}"
        assert capsys.readouterr().out.startswith("Not yet.")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_placeholder_counts_as_not_answered(name, capsys):
    arguments = CASES[name][0]
    assert not getattr(exercises, name)(None, *arguments)
    assert "No answer yet" in capsys.readouterr().out


def test_no_confused_pair_to_name(capsys):
    empty = PAIRS.iloc[:0]
    assert not exercises.check_confused_pair(("Shirt", "Coat"), empty)
    assert "no two classes were confused" in capsys.readouterr().out


def test_a_solution_cell_runs_silently_and_fails_loudly(capsys):
    exercises.solution(exercises.check_num_classes, 10, tuple("abcdefghij"))
    exercises.solution(exercises.check_occluded_images, 18, 2, (6, 6), window=2, stride=2)
    assert capsys.readouterr().out == ""  # the verdict would show the answer
    with pytest.raises(
        AssertionError, match=r"reference solution of check_num_classes was rejected"
    ):
        exercises.solution(exercises.check_num_classes, 9, tuple("abcdefghij"))
