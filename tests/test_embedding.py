import numpy as np
import pytest

from helpers import embedding
from tests.models import blobs


def test_knn_of_separated_clusters_is_perfect():
    points, labels = blobs()
    report = embedding.knn_accuracy(points, labels, k=5)
    assert report.accuracy == 1.0
    np.testing.assert_array_equal(report.per_class, [1.0, 1.0, 1.0])


def test_knn_leaves_the_point_itself_out():
    points = np.array([[0.0], [0.1], [10.0], [10.1], [10.2]])
    labels = np.array([0, 1, 1, 1, 1])
    report = embedding.knn_accuracy(points, labels, k=1)
    # point 0's nearest other point has label 1 and vice versa: both wrong
    np.testing.assert_array_equal(report.predictions, [1, 0, 1, 1, 1])
    assert report.accuracy == pytest.approx(3 / 5)
    np.testing.assert_allclose(report.per_class, [0.0, 0.75])


def test_knn_errors():
    with pytest.raises(
        ValueError, match="points and labels must have one entry per item.*points 3, labels 2"
    ):
        embedding.knn_accuracy(np.zeros((3, 2)), np.zeros(2, int))
    with pytest.raises(ValueError, match="k must be between 1 and 2"):
        embedding.knn_accuracy(np.zeros((3, 2)), np.zeros(3, int), k=3)


@pytest.mark.parametrize("backend", embedding.BACKENDS)
def test_tsne_same_seed_same_embedding_and_keeps_clusters(backend):
    points, labels = blobs()
    first = embedding.tsne(points, perplexity=10, seed=3, backend=backend, iterations=300)
    second = embedding.tsne(points, perplexity=10, seed=3, backend=backend, iterations=300)
    assert first.shape == (180, 2)
    np.testing.assert_array_equal(first, second)
    assert embedding.knn_accuracy(first, labels, k=5).accuracy == 1.0


def test_tsne_errors():
    points, _ = blobs(n_per=10)
    with pytest.raises(ValueError, match="perplexity must be at least 1 and below a third"):
        embedding.tsne(points, perplexity=15)
    with pytest.raises(ValueError, match="unknown t-SNE backend 'umap'"):
        embedding.tsne(points, backend="umap")
    with pytest.raises(ValueError, match="iterations must be at least 300"):
        embedding.tsne(points, perplexity=5, iterations=100)


def test_pca_reduces_only_wide_features():
    wide = np.random.default_rng(0).normal(size=(100, 80))
    assert embedding.reduce_pca(wide, 50).shape == (100, 50)
    assert embedding.reduce_pca(wide[:, :20], 50).shape == (100, 20)


def test_tables():
    labels = np.array([0, 0, 1, 1, 2, 2])
    predictions = np.array([0, 1, 1, 0, 2, 1])
    pairs = embedding.confused_pairs(labels, predictions, ["a", "b", "c"], top=5)
    assert pairs.values.tolist() == [["a", "b", 1], ["b", "a", 1], ["c", "b", 1]]
    report = embedding.KnnReport(0.5, np.array([1.0, 0.0]), predictions)
    table = embedding.knn_table({"x": report}, ["a", "b"])
    assert table.loc["all", "x"] == 0.5 and table.loc["b", "x"] == 0.0


def test_tsne_refuses_identical_rows_and_nan():
    with pytest.raises(ValueError, match=r"features are all identical rows"):
        embedding.tsne(np.ones((60, 5)), perplexity=5)
    features = np.random.default_rng(0).random((60, 5))
    features[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"features holds 1 NaN"):
        embedding.tsne(features, perplexity=5)


def test_tsne_needs_four_points_before_any_pca():
    with pytest.raises(ValueError, match=r"at least 4 points for t-SNE, got shape \(3, 100\)"):
        embedding.tsne(np.random.default_rng(0).random((3, 100)), perplexity=1)
