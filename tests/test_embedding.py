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


@pytest.mark.parametrize("backend", embedding.BACKENDS)
def test_tsne_progress_bar_counts_every_step_and_leaves_the_map_unchanged(backend, monkeypatch):
    bars = []

    class Recorded(embedding.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.shown = not kwargs["disable"]  # close() sets .disable
            bars.append(self)

    monkeypatch.setattr(embedding, "tqdm", Recorded)
    points, _ = blobs(n_per=20)
    quiet = embedding.tsne(points, perplexity=10, seed=1, backend=backend, iterations=310)
    shown = embedding.tsne(
        points, perplexity=10, seed=1, backend=backend, iterations=310, progress=True
    )
    np.testing.assert_array_equal(quiet, shown)
    assert [bar.shown for bar in bars] == [False, True]
    assert bars[1].desc == "t-SNE, perplexity 10"
    assert bars[1].n == bars[1].total == 310  # every step, though 310 is no multiple of 25


def test_knn_comparison_by_hand():
    labels = np.zeros(100, int)
    wrong_40 = np.r_[np.zeros(60, int), np.ones(40, int)]  # right on the first 60
    wrong_41 = np.r_[np.zeros(59, int), np.ones(41, int)]  # one more point wrong
    reports = {
        "a": embedding.KnnReport(1.0, np.ones(1), np.zeros(100, int)),
        "b": embedding.KnnReport(0.6, np.ones(1), wrong_40),
        "c": embedding.KnnReport(0.59, np.ones(1), wrong_41),
    }
    table = embedding.knn_comparison(reports, labels, [("a", "b"), ("b", "c")])
    assert list(table.index) == ["a - b", "b - c"] and len(table.columns) == 7
    assert table.loc["a - b", "difference"] == 0.4
    assert (table.loc["a - b", "only a right"], table.loc["a - b", "only b right"]) == (40, 0)
    assert table.loc["a - b", "McNemar p"] == "< 0.001"  # 2 * 0.5 ** 40
    assert table.loc["a - b", "call"] == "a is better than b"
    # one point apart: p = 1, and the interval (0 to 0.03) is not within +-0.02
    assert table.loc["b - c", "McNemar p"] == "1.000"
    assert table.loc["b - c", "call"] == "no significant difference"
    loose = embedding.knn_comparison(reports, labels, [("b", "c")], matters=0.05)
    assert loose.loc["b - c", "call"] == "too small to matter"
    with pytest.raises(ValueError, match=r"no KnnReport for \['d'\]; there are \['a', 'b', 'c'\]"):
        embedding.knn_comparison(reports, labels, [("a", "d")])
    with pytest.raises(ValueError, match="give at least one"):
        embedding.knn_comparison(reports, labels, [])
    with pytest.raises(ValueError, match="labels and a predictions must have one entry"):
        embedding.knn_comparison(reports, labels[:50], [("a", "b")])
