"""Each coding exercise's checker passes the reference solution, rejects plausible wrong
implementations with the hint meant for them, and answers an untouched stub with "Not yet"."""


import keras
import numpy as np
import pytest

from helpers import exercises
from helpers.exercises.nb02_topk_occlusion import _starts


def stub(*args):
    raise NotImplementedError


def global_normalise(bank):
    return (bank - bank.min()) / (bank.max() - bank.min())


def max_only(bank):
    return bank / np.abs(bank).max(axis=(1, 2), keepdims=True)


def field_without_strides(stack):
    return 1 + sum(kernel - 1 for kernel, _ in stack)


def field_as_product(stack):
    return int(np.prod([kernel for kernel, _ in stack]))


def lowest_k(activations, k):
    return np.argsort(activations, axis=0)[:k].T


def per_image_top_k(activations, k):
    return np.argsort(-activations, axis=1)[:, :k]


def occlusion_summed(image, score, window, stride, baseline=0.0):
    out = np.zeros_like(image, dtype=float)
    original = score(image[None])[0]
    for y in _starts(image.shape[0], window, stride):
        for x in _starts(image.shape[1], window, stride):
            hidden = image.copy()
            hidden[y : y + window, x : x + window] = baseline
            out[y : y + window, x : x + window] += original - score(hidden[None])[0]
    return out


def occlusion_no_edge_window(image, score, window, stride, baseline=0.0):
    sums, counts = np.zeros(image.shape), np.zeros(image.shape)
    original = score(image[None])[0]
    for y in range(0, image.shape[0] - window + 1, stride):  # misses the far edge
        for x in range(0, image.shape[1] - window + 1, stride):
            hidden = image.copy()
            hidden[y : y + window, x : x + window] = baseline
            sums[y : y + window, x : x + window] += original - score(hidden[None])[0]
            counts[y : y + window, x : x + window] += 1
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def knn_with_self(points, labels, k):
    distances = ((points[:, None] - points[None]) ** 2).sum(-1)  # the diagonal stays 0
    neighbours = np.argsort(distances, axis=1, kind="stable")[:, :k]
    votes = np.array([np.bincount(labels[n], minlength=labels.max() + 1) for n in neighbours])
    return float(np.mean(votes.argmax(1) == labels))


def knn_one_too_many(points, labels, k):
    return exercises.solutions.knn_accuracy(points, labels, k + 1)


def entropy_only(p):
    return -(p * np.log2(np.where(p > 0, p, 1))).sum(1)


def mixed_bases(p):
    return np.exp(-(p * np.log2(np.where(p > 0, p, 1))).sum(1))


def nan_for_zeros(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 ** -(p * np.log2(p)).sum(1)


def trainable_base(base, n_classes):
    inputs = keras.Input(base.inputs[0].shape[1:])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(base(inputs)))


def linear_head(base, n_classes):
    base.trainable = False
    inputs = keras.Input(base.inputs[0].shape[1:])
    return keras.Model(inputs, keras.layers.Dense(n_classes)(base(inputs, training=False)))


def count_all_weights(model):
    return sum(int(np.prod(w.shape)) for w in model.weights)


def count_arrays(model):
    return len(model.trainable_weights)


def feature_similarity(kernel):
    unit = kernel.T / np.linalg.norm(kernel.T, axis=0, keepdims=True)
    return unit.T @ unit


def dot_products(kernel):
    return kernel.T @ kernel


def unit_without_bias_mean(kernel, bias, row, k):
    return kernel[:, row[:k]].mean(axis=1), bias[row[0]]


def unit_summed(kernel, bias, row, k):
    return kernel[:, row[:k]].sum(axis=1), bias[row[:k]].sum()


def average_not_renormalised(b, components, clusters, n_classes, top_m):
    keep = np.argsort(-b, axis=1)[:, :top_m]
    weights = np.zeros_like(b)
    np.put_along_axis(weights, keep, np.take_along_axis(b, keep, axis=1), axis=1)
    out = np.zeros((len(b), n_classes))
    for k, (probabilities, cluster) in enumerate(zip(components, clusters, strict=True)):
        out[:, cluster] += weights[:, k : k + 1] * probabilities
    return out


def average_all_clusters(b, components, clusters, n_classes, top_m):
    return exercises.solutions.hd_average(b, components, clusters, n_classes, len(clusters))


def not_symmetrised(confusion):
    out = confusion.copy()
    np.fill_diagonal(out, 1.0)
    return out


def diagonal_kept(confusion):
    return (confusion + confusion.T) / 2


def unweighted_cam(features, kernel, class_index):
    return features.mean(axis=-1)


def averaged_cam(features, kernel, class_index):
    return features @ kernel[:, class_index] / features.shape[-1]


def summed_gradients(gradients):
    return gradients.sum(axis=(0, 1))


def channel_mean(gradients):
    return gradients.mean(axis=-1)


def iou_double_counted(a, b):
    return (a & b).sum() / (a.sum() + b.sum())


def iou_over_first(a, b):
    return (a & b).sum() / a.sum()


def pointing_minimum(saliency, mask):
    return bool(mask.ravel()[np.argmin(saliency)])


def pointing_transposed(saliency, mask):
    return bool(mask.ravel()[np.argmax(saliency.T)])


def pointing_axes_swapped(saliency, mask):  # right on every square map
    column, row = np.unravel_index(np.argmax(saliency), saliency.shape[::-1])
    inside = row < mask.shape[0] and column < mask.shape[1]
    return bool(mask[row, column]) if inside else False


def pointing_last_maximum(saliency, mask):  # right whenever the maximum is unique
    flat = saliency.ravel()
    return bool(mask.ravel()[len(flat) - 1 - np.argmax(flat[::-1])])


def top_k_unsorted(activations, k):  # the right images as a set, in index order
    return np.sort(np.argsort(-activations, axis=0)[:k].T, axis=1)


def top_k_unstable(activations, k):  # right, with another order among tied images
    return np.argsort(-activations, axis=0, kind="quicksort")[:k].T


def ascent_descends(image, gradient, learning_rate):
    return image - learning_rate * gradient / np.linalg.norm(gradient)


def ascent_unnormalised(image, gradient, learning_rate):
    return image + learning_rate * gradient


def stages_bottom_up(layer_names):
    return [layer_names[:i] for i in range(len(layer_names) + 1)]


def stages_one_at_a_time(layer_names):
    return [[]] + [[name] for name in reversed(layer_names)]


def rank_of_values(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def ranks_ignoring_ties(a, b):
    return float(np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1])


# exercise -> (its reference solution, [(a plausible wrong implementation, its hint), ...])
EXERCISES = {
    "normalise_filters": [
        (global_normalise, "each filter must be normalised on its own"),
        (max_only, "subtract each filter's minimum first"),
    ],
    "receptive_field": [
        (field_without_strides, "multiply the jump by each stride"),
        (field_as_product, "kernels do not multiply"),
    ],
    "top_k_indices": [
        (lowest_k, "highest first: you took the lowest"),
        (per_image_top_k, "one row per unit"),
        (top_k_unsorted, "the right images in index order, not by activation"),
    ],
    "occlusion_map": [
        (occlusion_summed, "average the drops of overlapping windows"),
        (occlusion_no_edge_window, "off by one window at the edge"),
    ],
    "knn_accuracy": [
        (knn_with_self, "leave each point out of its own neighbours"),
        (knn_one_too_many, "use exactly k neighbours"),
    ],
    "effective_neighbours": [
        (entropy_only, "that is the entropy H"),
        (mixed_bases, "pair the bases"),
        (nan_for_zeros, "0 x log 0 = NaN"),
    ],
    "frozen_model": [
        (trainable_base, "freeze the base"),
        (linear_head, "needs a softmax activation"),
    ],
    "count_trainable": [
        (count_all_weights, "count only trainable weights"),
        (count_arrays, "count numbers, not weight arrays"),
    ],
    "class_similarity": [
        (feature_similarity, "compare the class *columns*"),
        (dot_products, "cosine, not dot product"),
    ],
    "coarse_unit": [
        (unit_without_bias_mean, "average the members' biases too"),
        (unit_summed, "divide by k"),
    ],
    "hd_average": [
        (average_not_renormalised, "renormalise the kept B_k(x)"),
        (average_all_clusters, "only each image's top_m"),
    ],
    "affinity": [
        (not_symmetrised, "symmetrise"),
        (diagonal_kept, "set the diagonal to 1"),
    ],
    "class_activation_map": [
        (unweighted_cam, "weight each feature map"),
        (averaged_cam, "sum the weighted maps, don't average"),
    ],
    "grad_cam_weights": [
        (summed_gradients, "divide by Z = H x W"),
        (channel_mean, "one weight per channel"),
    ],
    "iou": [
        (iou_double_counted, "the union counts the overlap once"),
        (iou_over_first, "divide by the union"),
    ],
    "pointing_hit": [
        (pointing_minimum, "look at the maximum"),
        (pointing_transposed, "transposed"),
        (pointing_axes_swapped, "axes swapped"),
        (pointing_last_maximum, "first maximum in reading order"),
    ],
    "ascent_step": [
        (ascent_descends, "ascent climbs"),
        (ascent_unnormalised, "scale the gradient to unit length"),
    ],
    "cascade_stages": [
        (stages_bottom_up, "from the top down"),
        (stages_one_at_a_time, "cascading: each stage keeps"),
    ],
    "rank_correlation": [
        (rank_of_values, "correlate the *ranks*"),
        (ranks_ignoring_ties, "tied values must share the mean of their ranks"),
    ],
}
WRONG = [(name, wrong, hint) for name, cases in EXERCISES.items() for wrong, hint in cases]


def checker(name):
    return exercises.CODING[f"check_{name}"]


def test_every_coding_checker_has_a_solution_and_wrong_implementations():
    assert {name.removeprefix("check_") for name in exercises.CODING} == set(EXERCISES)
    assert set(vars(exercises.solutions)) == set(EXERCISES)
    assert all(len(wrong) >= 2 for wrong in EXERCISES.values())


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_reference_solution_passes(name, capsys):
    assert checker(name)(getattr(exercises.solutions, name))
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(("name", "wrong", "hint"), WRONG, ids=[w.__name__ for _, w, _ in WRONG])
def test_a_wrong_implementation_gets_its_hint(name, wrong, hint, capsys):
    assert not checker(name)(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet.") and hint in out, out


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_an_untouched_stub_is_not_yet(name, capsys):
    assert not checker(name)(stub)
    assert "still raises NotImplementedError" in capsys.readouterr().out
    assert not checker(name)(None)
    assert "No answer yet" in capsys.readouterr().out


def test_a_crash_and_a_wrong_shape_are_hints(capsys):
    assert not exercises.check_normalise_filters(lambda bank: bank[0])
    assert "wrong shape on the hidden input an array (4, 3, 3): expected (4, 3, 3), got (3, 3)" in (
        capsys.readouterr().out
    )
    assert not exercises.check_iou(lambda a, b: 1 / 0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def test_a_learner_changing_its_input_in_place_cannot_change_the_check(capsys):
    def destructive(bank):
        result = exercises.solutions.normalise_filters(bank.copy())
        bank[:] = 0  # spoils the caller's array
        return result

    assert exercises.check_normalise_filters(destructive)


def test_a_correct_top_k_may_order_tied_images_either_way(capsys):
    assert exercises.check_top_k_indices(top_k_unstable)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("got", "expected", "hint"),
    [
        (np.arange(4.0).reshape(2, 2), np.arange(6.0).reshape(3, 2), "wrong shape"),
        (np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]), "the right values in another order"),
        (np.array([[1.0, 2.0], [3.0, 4.0]]).T, np.array([[1.0, 2.0], [3.0, 4.0]]), "transposed"),
        (np.array([3.0, 2.0, 1.0]) * -1, np.array([3.0, 2.0, 1.0]), "the sign is flipped"),
        (np.array([2, 5, 7]), np.array([1, 4, 6]), "off by one: every value is +1"),
        (np.array([1.5, 2.5, 3.0]), np.array([1.0, 2.0, 2.5]), "off by the same +0.5"),
        (np.array([2.0, 4.0, 9.0]), np.array([1.0, 2.0, 4.5]), "2 times the expected one"),
        (
            np.array([[1.0, 2.0], [3.0, 9.0]]),
            np.array([[1.0, 2.0], [3.0, 4.0]]),
            "entry (1, 1) should be 4 but is 9 (1 of 4 entries differ)",
        ),
        (np.float64(0.25), np.float64(0.5), "should be 0.5, got 0.25"),
        (np.zeros(3), np.array([1.0, 2.0, 4.0]), "every value is 0"),
    ],
)
def test_a_wrong_result_is_described_by_what_differs(got, expected, hint):
    text = exercises.harness.difference(got, expected, (np.zeros((4, 3)), 2))
    assert hint in text and "on the hidden input an array (4, 3) and 2" in text, text
