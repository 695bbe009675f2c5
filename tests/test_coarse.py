import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers import coarse
from tests.models import fine_model

kernels = arrays(
    np.float64,
    st.tuples(st.integers(2, 6), st.integers(2, 8)),
    elements=st.floats(-5, 5, allow_nan=False).filter(lambda v: abs(v) > 1e-3),
)


@settings(max_examples=50, deadline=None)
@given(kernels)
def test_scsm_rows_start_with_themselves_and_are_permutations(kernel):
    scsm = coarse.sorted_similarity(coarse.class_similarity(kernel))
    n = kernel.shape[1]
    np.testing.assert_array_equal(scsm[:, 0], np.arange(n))
    for row in scsm:
        assert sorted(row.tolist()) == list(range(n))


@settings(max_examples=50, deadline=None)
@given(kernels, st.floats(0.1, 10), st.integers(0, 7))
def test_scsm_is_invariant_to_scaling_a_class_column(kernel, scale, column):
    column %= kernel.shape[1]
    scaled = kernel.copy()
    scaled[:, column] *= scale
    np.testing.assert_allclose(
        coarse.class_similarity(kernel), coarse.class_similarity(scaled), atol=1e-9
    )


def test_scsm_by_hand():
    kernel = np.array([[1.0, 0.9, 0.0, -1.0], [0.0, 0.1, 1.0, 0.0]])
    # class 0 ~ class 1 (nearly parallel), class 2 orthogonal to 0, class 3 opposite to 0
    scsm = coarse.sorted_similarity(coarse.class_similarity(kernel))
    assert scsm[0].tolist() == [0, 1, 2, 3]
    assert scsm[3].tolist() == [3, 2, 1, 0]


@pytest.mark.parametrize("nested", [False, True])
def test_coarse_model_weights_are_means_and_output_is_hand_softmax(nested):
    model = fine_model(nested)
    kernel, bias = coarse.head_weights(model)
    cmodel = coarse.coarse_model(model, init_classes=[0, 2], k=2)
    got_kernel, got_bias = cmodel.layers[-1].get_weights()
    scsm = coarse.sorted_similarity(coarse.class_similarity(kernel))
    assert scsm[0, :2].tolist() == [0, 1] and scsm[2, :2].tolist() == [2, 3]
    np.testing.assert_allclose(got_kernel[:, 0], (kernel[:, 0] + kernel[:, 1]) / 2, rtol=1e-6)
    np.testing.assert_allclose(got_kernel[:, 1], (kernel[:, 2] + kernel[:, 3]) / 2, rtol=1e-6)
    np.testing.assert_allclose(got_bias, [0.15, 0.35], rtol=1e-6)
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], np.float32)
    logits = x @ got_kernel + got_bias  # body is the identity
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(cmodel.predict(x, verbose=0), expected, rtol=1e-5)
    np.testing.assert_allclose(
        coarse.coarse_probabilities(x, got_kernel, got_bias), expected, rtol=1e-5
    )


def test_k_per_init_class_and_members():
    kernel, bias = coarse.head_weights(fine_model())
    _, coarse_bias, members = coarse.coarse_weights(kernel, bias, [0, 2], k=[1, 3])
    assert [m.tolist() for m in members] == [[0], [2, 3, 1]]
    assert coarse_bias[0] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("init", "k", "message"),
    [
        ([0, 4], 2, r"initialisation class 4 out of range: there are 4 classes \(0..3\)"),
        ([-1], 2, "initialisation class -1 out of range"),
        ([1, 1], 2, "initialisation class 1 is repeated"),
        ([0, 1], 0, r"k must be between 1 and the number of classes \(4\), got 0"),
        ([0, 1], 5, r"k must be between 1 and the number of classes \(4\), got 5"),
        ([0, 1], [1, 2, 3], "3 values of k for 2 initialisation classes"),
        ([], 1, "at least one initialisation class"),
    ],
)
def test_bad_input(init, k, message):
    with pytest.raises(ValueError, match=message):
        coarse.coarse_model(fine_model(), init, k)


def test_model_without_softmax_dense_head_is_rejected():
    inputs = keras.Input((3,))
    linear = keras.Model(inputs, keras.layers.Dense(4, name="logits")(inputs))
    with pytest.raises(ValueError, match=r"\(logits, Dense\) is not a Dense softmax classifier"):
        coarse.coarse_model(linear, [0], 1)
    pooled = keras.Model(inputs, keras.layers.Activation("softmax", name="act")(inputs))
    with pytest.raises(ValueError, match="not a Dense softmax classifier"):
        coarse.head_weights(pooled)


def test_posthoc_group_labels_evaluate_and_trained_head():
    fine = np.array([[0.6, 0.1, 0.2, 0.1], [0.1, 0.1, 0.1, 0.7]])
    np.testing.assert_allclose(
        coarse.posthoc_probabilities(fine, [[0, 1], [2, 3]]), [[0.7, 0.3], [0.2, 0.8]]
    )
    assert coarse.group_labels([0, 3, 5, 2], [[0, 1], [2, 3]]).tolist() == [0, 1, -1, 1]
    accuracy, matrix = coarse.evaluate(
        np.array([[0.9, 0.1], [0.4, 0.6], [0.8, 0.2]]), np.array([0, 1, 1])
    )
    assert accuracy == pytest.approx(2 / 3)
    np.testing.assert_allclose(matrix, [[1.0, 0.0], [0.5, 0.5]])
    rng = np.random.default_rng(0)
    features = np.concatenate([rng.normal(-3, 1, (30, 2)), rng.normal(3, 1, (30, 2))])
    labels = np.repeat([0, 1], 30)
    head = coarse.trained_head(features, labels)
    assert coarse.evaluate(head.predict_proba(features), labels)[0] == 1.0


def test_compare_scores_every_test_image_and_picks_k_on_validation():
    # four classes in two groups; class c's features point along axis c // 2 of 2 dims
    kernel = np.array([[1.0, 0.8, 0.0, 0.1], [0.0, 0.1, 1.0, 0.9]])
    bias = np.zeros(4)
    rng = np.random.default_rng(0)

    def outputs(n):
        labels = rng.integers(0, 4, n)
        features = np.eye(2)[labels // 2] * 3 + rng.normal(scale=0.3, size=(n, 2))
        logits = features @ kernel
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return {"features": features, "probabilities": probabilities, "labels": labels}

    task = {"groups": [[0, 1], [2, 3]], "init": [0, 2]}
    result = coarse.compare(task, outputs(200), outputs(100), kernel, bias)
    assert result.best_k == 1 + int(np.argmax(result.validation_curve))
    assert len(result.validation_curve) == 4
    assert all(len(v) == 200 for v in result.correct.values())
    assert list(result.table.columns) == ["accuracy", "accuracy low", "accuracy high"]
    assert (result.table["accuracy"] > 0.95).all()  # the groups are well separated
    names = list(result.correct)
    paired = result.paired_against_scsm()[0]  # SCSM vs post-hoc
    assert paired.difference == pytest.approx(
        result.correct[names[0]].mean() - result.correct[names[1]].mean()
    )
    assert set(result.matrices) == set(names)


def test_k_and_init_classes_must_be_whole():
    kernel, bias = np.eye(3), np.zeros(3)
    assert coarse.coarse_weights(kernel, bias, [0, 2], 2.0)[0].shape == (3, 2)
    with pytest.raises(ValueError, match=r"k must be a whole number, got 1.5"):
        coarse.coarse_weights(kernel, bias, [0, 2], 1.5)
    with pytest.raises(ValueError, match=r"initialisation class must be a whole number, got 0.5"):
        coarse.coarse_weights(kernel, bias, [0.5, 2], 1)


def test_inconsistent_coarse_structures_are_named():
    with pytest.raises(ValueError, match=r"kernel column\(s\) \[1\] are all zero"):
        coarse.class_similarity(np.array([[1.0, 0.0, 2.0], [0.5, 0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] belong to more than one coarse group"):
        coarse.group_labels(np.arange(4), [[0, 2], [1, 2]])
    features, labels = np.ones((4, 3)), np.arange(4) % 3
    with pytest.raises(ValueError, match=r"3 coarse groups but 2 initialisation classes"):
        coarse.coarse_task(features, labels, np.eye(3), np.zeros(3), [[0], [1], [2]], [0, 1], 1)


def test_smallest_scsm_gap_and_summary_by_hand():
    # columns at 0, 80, 90 and 180 degrees (unit vectors): cosines with column 0 are
    # cos 80 = 0.1736, cos 90 = 0 and -1
    angles = np.radians([0.0, 80.0, 90.0, 180.0])
    kernel = np.stack([np.cos(angles), np.sin(angles)])
    gap, row = coarse.smallest_scsm_gap(kernel)
    # row 1: cos 10 = 0.9848 (class 2), cos 80 (class 0), cos 100 = -0.1736 (class 3):
    # row 2: cos 10 (1), cos 90 = 0 (0 and 3, a tie): the smallest gap is 0, in row 2
    assert (gap, row) == (pytest.approx(0.0, abs=1e-12), 2)
    names = ["a", "b", "c", "d"]
    first, second = coarse.similarity_summary(kernel, names).splitlines()
    assert (
        first == "cosines of two different classes: -1.00 to +0.98; 4 evenly spread columns: -0.33"
    )
    assert second == "smallest gap between neighbouring SCSM entries: 0.0000 (row c)"
    with pytest.raises(ValueError, match="give at least 3 classes"):
        coarse.smallest_scsm_gap(kernel[:, :2])
    with pytest.raises(ValueError, match="3 class names for a kernel of 4 classes"):
        coarse.similarity_summary(kernel, names[:3])


def test_a_tie_goes_to_the_first_group_not_to_rounding():
    two = np.array([[0.5, 0.5 + 1e-9], [0.2, 0.8], [0.5 + 1e-9, 0.5]])
    assert coarse.coarse_predictions(two).tolist() == [0, 1, 0]
    three = np.array([[1 / 3 - 1e-8, 1 / 3, 1 / 3 + 1e-8], [0.1, 0.45, 0.45]])
    assert coarse.coarse_predictions(three).tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"probabilities must be \(N, groups\)"):
        coarse.coarse_predictions(np.ones(3))


def test_k_equal_to_the_classes_scores_the_first_groups_share():
    kernel = np.array([[1.0, 0.8, 0.0, 0.1], [0.0, 0.1, 1.0, 0.9]])
    rng = np.random.default_rng(1)

    def outputs(labels):
        features = np.eye(2)[labels // 2] * 3 + rng.normal(scale=0.3, size=(len(labels), 2))
        return {"features": features, "probabilities": np.eye(4)[labels], "labels": labels}

    validation = outputs(np.array([0, 1, 2, 3, 3, 2, 2, 2]))  # group 0: 2 of 8 images
    task = {"groups": [[0, 1], [2, 3]], "init": [0, 2]}
    result = coarse.compare(task, outputs(np.arange(8) % 4), validation, kernel, np.zeros(4))
    np.testing.assert_allclose(result.validation_shares, [0.25, 0.75])
    assert result.validation_curve[-1] == 0.25  # every image a tie, won by group 0
    assert result.all_classes_tie() == (
        "k = 4: all units equal, every image a tie -> accuracy 0.250 = the first group's "
        "share 0.250"
    )
    only_three = coarse.compare({**task, "ks": [1, 3]}, validation, validation, kernel, np.zeros(4))
    assert only_three.all_classes_tie() is None
    table = coarse.paired_table({"two": result})
    assert table.index.names == ["task", "baseline"] and len(table.columns) == 7
    assert list(table.columns) == [
        "SCSM - it", "low", "high", "only SCSM", "only it", "McNemar p", "call"
    ]  # fmt: skip
    assert table.loc[("two", "trained coarse head"), "McNemar p"] in {"1.000", "0.500", "0.250"}
    with pytest.raises(ValueError, match="results is empty"):
        coarse.paired_table({})


def test_paired_table_calls_by_hand():
    right = np.r_[np.ones(30), np.zeros(70)]
    correct = {"SCSM coarse head (k=1)": np.zeros(100), "post-hoc": right, "trained": np.zeros(100)}
    result = coarse.Comparison(None, {}, 1, np.zeros(1), correct, np.array([1]))
    table = coarse.paired_table({"t": result})
    assert table.loc[("t", "post-hoc"), "call"] == "baseline better"
    assert table.loc[("t", "post-hoc"), "McNemar p"] == "< 0.001"  # 30 to 0
    assert table.loc[("t", "post-hoc"), "only it"] == 30
    assert table.loc[("t", "trained"), "call"] == "no significant difference"
    assert table.loc[("t", "trained"), "McNemar p"] == "1.000"


def test_similarity_heatmap_is_labelled_class_by_class_with_a_cosine_bar():
    from helpers import plots

    csm = coarse.class_similarity(np.array([[1.0, 0.9, 0.0], [0.0, 0.1, 1.0]]))
    figure = plots.similarity_heatmap(csm, ["a long class name", "b", "c"], title="CSM")
    heatmap, bar = figure.axes
    assert (heatmap.get_xlabel(), heatmap.get_ylabel()) == ("class", "class")
    assert bar.get_ylabel() == "cosine similarity" and bar.get_ylim() == (-1.0, 1.0)
    assert heatmap.get_xticklabels()[0].get_rotation() == 40
    with pytest.raises(ValueError, match="must be square with one name per row and column"):
        plots.similarity_heatmap(csm, ["a", "b"])
