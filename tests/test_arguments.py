import numpy as np
import pytest

from helpers.infra import arguments
from tests.models import tiny_dataset


@pytest.mark.parametrize("value", [2, 2.0, np.int64(2), np.float32(2.0)])
def test_whole_numbers_are_accepted(value):
    assert arguments.integral(value, "k") == 2 and type(arguments.integral(value, "k")) is int


@pytest.mark.parametrize("value", [2.7, "2", True, np.nan, None, [2]])
def test_other_values_are_refused_by_name(value):
    with pytest.raises(ValueError, match=r"k must be a whole number"):
        arguments.integral(value, "k")


def test_integral_arrays():
    np.testing.assert_array_equal(arguments.integral_array([1.0, 2.0], "c"), [1, 2])
    with pytest.raises(ValueError, match=r"class_index must hold whole numbers"):
        arguments.integral_array([1, 2.5], "class_index")
    with pytest.raises(ValueError, match=r"class_index must hold whole numbers"):
        arguments.integral_array(["a"], "class_index")


def test_finite():
    np.testing.assert_array_equal(arguments.finite([1, 2], "x"), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"images holds 2 NaN or infinite value\(s\)"):
        arguments.finite([np.nan, 1.0, np.inf], "images")


def test_counts_across_the_package_refuse_fractions_by_name():
    from helpers import activations, data, embedding, transfer

    acts = np.random.default_rng(0).random((10, 3))
    assert activations.top_k(acts, 2.0).shape == (3, 2)
    with pytest.raises(ValueError, match=r"k must be a whole number, got 2.5"):
        activations.top_k(acts, 2.5)
    with pytest.raises(ValueError, match=r"k must be a whole number, got 1.5"):
        embedding.knn_accuracy(acts, np.arange(10) % 2, k=1.5)
    with pytest.raises(ValueError, match=r"per_class must be a whole number, got 0.5"):
        data.stratified_indices(np.arange(10) % 2, 0.5)
    with pytest.raises(ValueError, match=r"val_per_class must be a whole number, got 2.2"):
        transfer.small_split(tiny_dataset(), per_class=5, val_per_class=2.2)


def test_labels_without_a_class_count_refuse_only_negative_indices():
    assert arguments.labels([0, 7, 123], None).tolist() == [0, 7, 123]
    with pytest.raises(ValueError, match=r"labels hold class\(es\) \[-1\] outside >= 0"):
        arguments.labels([0, -1], None)
    with pytest.raises(ValueError, match=r"mapping hold class\(es\) \[-2\] outside >= 0"):
        from helpers import hdcnn

        hdcnn.mapping_to_clusters([0, -2, 1])
