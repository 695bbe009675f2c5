import keras
import numpy as np
import pytest

from helpers import hdcnn, plots
from tests.models import small_block


def test_probabilistic_average_by_hand():
    b = np.array([[0.75, 0.25]])
    p0 = np.array([[0.6, 0.4]])  # cluster 0 = classes 0, 1
    p1 = np.array([[0.2, 0.8]])  # cluster 1 = classes 2, 3
    out = hdcnn.probabilistic_average(b, [p0, p1], [[0, 1], [2, 3]], 4)
    np.testing.assert_allclose(out, [[0.45, 0.3, 0.05, 0.2]])


def test_rows_sum_to_one_and_top_m_all_equals_full():
    rng = np.random.default_rng(0)
    clusters = [[0, 1, 2], [2, 3], [4, 5]]  # overlapping on class 2
    fine = rng.dirichlet(np.ones(6), size=20)
    b = hdcnn.cluster_probabilities(fine, clusters)
    np.testing.assert_allclose(b.sum(axis=1), 1.0)
    components = [rng.dirichlet(np.ones(len(c)), size=20) for c in clusters]
    full = hdcnn.probabilistic_average(b, components, clusters, 6)
    np.testing.assert_allclose(full.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        hdcnn.probabilistic_average(b, components, clusters, 6, top_m=3), full
    )
    top1 = hdcnn.probabilistic_average(b, components, clusters, 6, top_m=1)
    np.testing.assert_allclose(top1.sum(axis=1), 1.0)
    best = b.argmax(axis=1)
    for i, k in enumerate(best):  # top-1 uses only the best cluster's component
        np.testing.assert_allclose(top1[i, clusters[k]], components[k][i])


def block_confusion():
    """Three planted blocks {0,1,2}, {3,4}, {5,6,7}: confusions inside blocks only."""
    confusion = np.eye(8) * 0.7
    for block in ([0, 1, 2], [3, 4], [5, 6, 7]):
        for i in block:
            for j in block:
                if i != j:
                    confusion[i, j] = 0.3 / (len(block) - 1)
    return confusion


def test_clustering_recovers_planted_blocks():
    clusters = hdcnn.confusion_clusters(block_confusion(), 3)
    assert clusters == [[0, 1, 2], [3, 4], [5, 6, 7]]


def test_overlap_adds_a_class_that_sends_enough_mass():
    confusion = block_confusion()
    confusion[3] = 0.0
    confusion[3, 3], confusion[3, 4], confusion[3, 0] = 0.6, 0.2, 0.2  # class 3 leaks into block 0
    plain = hdcnn.confusion_clusters(confusion, 3)
    overlapping = hdcnn.confusion_clusters(confusion, 3, overlap=0.15)
    assert all(3 not in c for c in plain if 0 in c)
    assert [0, 1, 2, 3] in overlapping
    for clusters in (plain, overlapping):
        assert set().union(*map(set, clusters)) == set(range(8))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_clusters": 9}, r"n_clusters must be between 2 and the number of classes \(8\)"),
        ({"n_clusters": 1}, "n_clusters must be between 2"),
        ({"n_clusters": 3, "overlap": 1.0}, r"overlap must be in \[0, 1\)"),
    ],
)
def test_clustering_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        hdcnn.confusion_clusters(block_confusion(), **kwargs)


def test_validate_clusters():
    assert hdcnn.validate_clusters([[1, 0], [2]], 3) == [[0, 1], [2]]
    with pytest.raises(ValueError, match=r"leave class\(es\) \[2\] out"):
        hdcnn.validate_clusters([[0, 1]], 3)
    with pytest.raises(ValueError, match=r"unknown class\(es\) \[7\]"):
        hdcnn.validate_clusters([[0, 1, 2, 7]], 3)


def test_top_m_and_cluster_counts_must_be_whole():
    b = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"top_m must be a whole number, got 1.5"):
        hdcnn.top_m_weights(b, 1.5)
    np.testing.assert_allclose(hdcnn.top_m_weights(b, 3.0), b)
    with pytest.raises(ValueError, match=r"n_clusters must be a whole number, got 2.5"):
        hdcnn.confusion_clusters(np.eye(4), 2.5)


def test_top_m_out_of_range():
    b = np.full((2, 3), 1 / 3)
    with pytest.raises(
        ValueError, match=r"top_m must be between 1 and the number of clusters \(3\)"
    ):
        hdcnn.top_m_weights(b, 0)
    with pytest.raises(ValueError, match="top_m must be between 1"):
        hdcnn.top_m_weights(b, 4)


def test_component_gets_only_its_cluster_images():
    features = np.arange(10, dtype=float)[:, None]
    labels = np.array([0, 1, 2, 3, 0, 1, 2, 3, 2, 2])
    x, y = hdcnn.cluster_training_data(features, labels, [2, 0])
    assert sorted(x[:, 0].tolist()) == [0, 2, 4, 6, 8, 9]
    assert set(labels[x[:, 0].astype(int)]) == {0, 2}
    np.testing.assert_array_equal(y, [1, 0, 1, 0, 0, 0])  # relabelled in the cluster's order


def test_fine_component_starts_as_the_block_restricted_to_its_cluster():
    block = small_block()
    images = np.random.default_rng(1).random((5, 6, 6, 1)).astype(np.float32)
    shared = hdcnn.shared_layers(block, "pool").predict(images, verbose=0)
    component = hdcnn.fine_component(block, "pool", [1, 3], "c")
    logits_model = keras.Model(block.inputs[0], block.get_layer("gap").output)
    features = logits_model.predict(images, verbose=0)
    kernel, bias = block.get_layer("predictions").get_weights()
    logits = features @ kernel[:, [1, 3]] + bias[[1, 3]]
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(component.predict(shared, verbose=0), expected, rtol=1e-5)
    assert component.get_layer("up").kernel is not block.get_layer("up").kernel
    with pytest.raises(ValueError, match="no layer 'nope' in the building block"):
        hdcnn.fine_component(block, "nope", [0], "c")


def test_component_training_sees_only_cluster_data():
    block = small_block()
    rng = np.random.default_rng(2)
    images = rng.random((40, 6, 6, 1)).astype(np.float32)
    labels = np.arange(40) % 4
    shared = hdcnn.shared_layers(block, "pool").predict(images, verbose=0)
    component = hdcnn.fine_component(block, "pool", [0, 2], "c")
    train = hdcnn.cluster_training_data(shared, labels, [0, 2])
    history = hdcnn.train_component(component, train, train, epochs=2)
    assert len(history["loss"]) <= 2 and len(train[1]) == 20
    outputs, evaluated = hdcnn.predict_components([component], shared, np.ones((40, 1)), top_m=1)
    assert outputs[0].shape == (40, 2) and evaluated == 1.0


def test_combine_top_m_equals_conditional_execution_and_widget():
    from helpers import widgets

    block = small_block()
    rng = np.random.default_rng(4)
    images = rng.random((30, 6, 6, 1)).astype(np.float32)
    clusters = [[0, 1], [2], [3]]
    components = [hdcnn.fine_component(block, "pool", c, f"c{k}") for k, c in enumerate(clusters)]
    model = hdcnn.HDCNN(block, components, clusters, "pool")
    outputs = model.outputs(images)
    for m in (1, 2, 3):
        conditional, _, evaluated = model.predict(images, top_m=m)
        np.testing.assert_allclose(model.combine(outputs, m), conditional, rtol=1e-5, atol=1e-6)
        assert evaluated == m
    labels = rng.integers(0, 4, 30)
    explorer = widgets.top_m_explorer(model, outputs, labels)
    full = explorer.result["accuracy"]
    explorer.children[0].value = 1
    assert explorer.result["top_m"] == 1
    expected = np.mean(model.combine(outputs, 1).argmax(1) == labels)
    assert explorer.result["accuracy"] == pytest.approx(expected) and 0 <= full <= 1
    trade_off = hdcnn.top_m_accuracies(model, outputs, labels)
    assert trade_off.index.tolist() == [1, 2, 3]
    assert trade_off.loc[1, "accuracy"] == pytest.approx(expected, abs=1e-4)
    figure = plots.interval_plot(trade_off, "top-m", "accuracy")
    assert list(figure.axes[0].get_xticks()) == [1, 2, 3]  # integer ticks only
    low, high = figure.axes[0].get_ylim()
    assert high - low >= 0.05  # a few images never fill the whole axis
    with pytest.raises(ValueError, match="2 components for 3 clusters"):
        hdcnn.HDCNN(block, components[:2], clusters, "pool")
    swapped = [components[1], components[0], components[2]]
    with pytest.raises(ValueError, match=r"component 0 \(c1\) was trained for classes \[2\] but"):
        hdcnn.HDCNN(block, swapped, clusters, "pool")
    same_sizes = [[0], [1, 2], [3]], [[3], [1, 2], [0]]  # sizes match, classes differ
    parts = [hdcnn.fine_component(block, "pool", c, f"p{k}") for k, c in enumerate(same_sizes[0])]
    with pytest.raises(ValueError, match=r"component 0 \(p0\) was trained for classes \[0\]"):
        hdcnn.HDCNN(block, parts, same_sizes[1], "pool")
    bare = keras.Model(parts[0].inputs, parts[0].outputs)  # no record of its classes
    with pytest.raises(ValueError, match=r"does not say which classes it was trained for"):
        hdcnn.HDCNN(block, [bare, *parts[1:]], same_sizes[0], "pool")


def test_per_cluster_comparison_by_hand():
    labels = np.array([0, 0, 1, 1, 2, 2])
    single = np.eye(3)[[0, 1, 1, 1, 2, 0]]  # wrong on images 1 and 5
    hd = np.eye(3)[[0, 0, 1, 1, 2, 0]]  # fixes image 1 (cluster 0)
    table = hdcnn.per_cluster_comparison(labels, single, hd, [[0, 1], [2]], ["a", "b", "c"])
    assert table["images"].tolist() == [4, 2]
    assert table.loc[0, "single accuracy"] == 0.75 and table.loc[0, "HD-CNN accuracy"] == 1.0
    assert table.loc[0, "gain"] == 0.25 and table.loc[0, "McNemar p"] == "1.000"  # 1 vs 0
    assert table.loc[1, "gain"] == 0.0 and table.loc[1, "classes"] == "c"


def test_cluster_explorer_reorders():
    from helpers import widgets

    explorer = widgets.cluster_explorer(block_confusion(), [str(i) for i in range(8)])
    assert explorer.result["clusters"] == [[0, 1, 2], [3, 4], [5, 6, 7]]
    explorer.children[0].value = 2
    assert len(explorer.result["clusters"]) == 2
    assert sorted(explorer.result["order"]) == list(range(8))


def test_component_training_shows_a_bar_over_the_epochs(capsys):
    block = small_block()
    images = np.random.default_rng(3).random((20, 6, 6, 1)).astype(np.float32)
    shared = hdcnn.shared_layers(block, "pool").predict(images, verbose=0)
    train = hdcnn.cluster_training_data(shared, np.arange(20) % 4, [0, 2])
    component = hdcnn.fine_component(block, "pool", [0, 2], "c")
    history = hdcnn.train_component(component, train, train, epochs=2, progress=True)
    assert len(history["loss"]) == 2
    err = capsys.readouterr().err
    assert "training: 100%" in err and "2/2" in err


def test_exercise_b_instructions_reproduce_the_course_clusters():
    """Notebook 06's exercise B tells the learner to cluster with this very call; with the
    worked solution's affinity it must give the clusters the course computes."""
    from sklearn.cluster import SpectralClustering

    from helpers.exercises import solutions

    confusion = block_confusion()
    confusion[5, 0] = confusion[0, 5] = 0.02  # some weak confusion across blocks
    labels = SpectralClustering(
        3, affinity="precomputed", assign_labels="discretize", random_state=0
    ).fit_predict(solutions.affinity(confusion) + 1e-6)
    clusters = sorted(sorted(np.flatnonzero(labels == k).tolist()) for k in set(labels))
    assert clusters == hdcnn.confusion_clusters(confusion, 3)


def test_exercise_b_instructions_reproduce_the_shipped_clusters():
    from sklearn.cluster import SpectralClustering

    from helpers.course.nb06_hdcnn import shipped_hdcnn
    from helpers.exercises import solutions

    model, confusion = shipped_hdcnn()
    labels = SpectralClustering(
        3, affinity="precomputed", assign_labels="discretize", random_state=0
    ).fit_predict(solutions.affinity(confusion) + 1e-6)
    clusters = sorted(sorted(np.flatnonzero(labels == k).tolist()) for k in set(labels))
    assert clusters == sorted(model.clusters)


def test_the_demo_validates_on_images_the_building_block_never_trained_on():
    from helpers import course
    from helpers.models import zoo

    setting = course.hdcnn("quick")
    train, validation = setting.demo_split()
    unseen = zoo.unseen_training_images("fashion_cnn", setting.dataset)
    np.testing.assert_array_equal(validation, unseen)
    assert len(train) == 4500 and not np.isin(train, unseen).any()
