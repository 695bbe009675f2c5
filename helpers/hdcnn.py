"""HD-CNN (Yan et al., ICCV 2015) at course scale: coarse + per-cluster fine classifiers.

* Clusters of fine classes from the building block's confusion matrix on held-out data
  (affinity = symmetrised confusion, i.e. distance 1 - confusion; spectral clustering),
  optionally overlapping.
* Shared lower layers (the building block up to ``shared_layer``), computed once.
* Coarse component: the building block's fine softmax summed per cluster gives B_k(x).
* Fine components: copies of the upper layers, initialised from the building block, their
  head restricted to the cluster's classes, fine-tuned on that cluster's images only.
* Prediction: p(y|x) = sum_k B_k(x) p_k(y|x), optionally over the top-m clusters only.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.cluster import SpectralClustering
from sklearn.metrics import confusion_matrix
from tqdm.auto import tqdm

from helpers import stats
from helpers.infra import arguments, layers

N_CLUSTERS = 3


def validate_clusters(clusters: Sequence[Sequence[int]], n_classes: int) -> list[list[int]]:
    """Check a fine -> coarse mapping: known classes only, every class in some cluster."""
    clusters = [sorted({int(c) for c in cluster}) for cluster in clusters]
    if not clusters or any(len(c) == 0 for c in clusters):
        raise ValueError("clusters must be a non-empty list of non-empty class lists")
    unknown = sorted({c for cluster in clusters for c in cluster if not 0 <= c < n_classes})
    if unknown:
        raise ValueError(
            f"clusters name unknown class(es) {unknown}: classes are 0..{n_classes - 1}"
        )
    missing = sorted(set(range(n_classes)) - {c for cluster in clusters for c in cluster})
    if missing:
        raise ValueError(f"clusters leave class(es) {missing} out: every class needs a cluster")
    return clusters


def confusion_clusters(
    confusion: np.ndarray, n_clusters: int, overlap: float = 0.0, seed: int = 0
) -> list[list[int]]:
    """Clusters of classes that the building block confuses with each other.

    Parameters
    ----------
    confusion
        Row-normalised confusion matrix ``(classes, classes)`` on held-out data.
    n_clusters
        How many clusters (2 .. number of classes).
    overlap
        A class also joins another cluster that receives at least this fraction of its
        probability mass (its confusion row summed over that cluster); 0 = no overlap.
    """
    confusion = arguments.finite(np.asarray(confusion, dtype=float), "confusion")
    n_clusters = arguments.integral(n_clusters, "n_clusters")
    n = len(confusion)
    if confusion.shape != (n, n):
        raise ValueError(f"confusion must be square, got shape {confusion.shape}")
    if not 2 <= n_clusters <= n:
        raise ValueError(
            f"n_clusters must be between 2 and the number of classes ({n}), got {n_clusters}"
        )
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap must be in [0, 1), got {overlap}")
    affinity = (confusion + confusion.T) / 2  # similarity = 1 - distance
    np.fill_diagonal(affinity, 1.0)
    affinity += 1e-6  # keep the graph connected
    assignment = SpectralClustering(
        n_clusters=n_clusters, affinity="precomputed", random_state=seed, assign_labels="discretize"
    ).fit_predict(affinity)
    clusters = [sorted(np.flatnonzero(assignment == k).tolist()) for k in range(n_clusters)]
    clusters = [c for c in clusters if c]
    if overlap > 0:  # judged against the disjoint clusters, so additions do not cascade
        clusters = [
            sorted(set(c) | {j for j in range(n) if confusion[j, c].sum() >= overlap})
            for c in clusters
        ]
    return sorted(clusters, key=lambda c: c[0])


def held_out_confusion(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Row-normalised confusion matrix of predictions on held-out data."""
    probabilities = arguments.finite(probabilities, "probabilities")
    n = probabilities.shape[1]
    labels = arguments.labels(labels, n)
    arguments.same_length(probabilities=probabilities, labels=labels)
    return confusion_matrix(labels, probabilities.argmax(axis=1), labels=range(n), normalize="true")


def cluster_probabilities(fine_probabilities: np.ndarray, clusters) -> np.ndarray:
    """B: the coarse component's fine softmax summed per cluster, normalised to sum to 1
    (overlapping clusters count a shared class in each)."""
    fine_probabilities = arguments.finite(fine_probabilities, "fine_probabilities")
    for cluster in clusters:
        arguments.labels(list(cluster), fine_probabilities.shape[1], "clusters")
    mass = np.stack([fine_probabilities[:, c].sum(axis=1) for c in clusters], axis=1)
    return mass / mass.sum(axis=1, keepdims=True)


def probabilistic_average(
    cluster_probs: np.ndarray,
    component_probs: Sequence[np.ndarray],
    clusters,
    n_classes: int,
    top_m: int | None = None,
) -> np.ndarray:
    """p(y|x) = sum_k B_k(x) p_k(y|x); p_k is zero outside cluster k.

    With ``top_m``, only each image's ``top_m`` most probable clusters count (their B
    renormalised); ``top_m`` = number of clusters is the full average.
    """
    cluster_probs = arguments.finite(cluster_probs, "cluster_probs")
    component_probs = [arguments.finite(p, "component_probs") for p in component_probs]
    n_images, n_clusters = cluster_probs.shape
    if len(component_probs) != n_clusters or len(clusters) != n_clusters:
        raise ValueError(
            f"{n_clusters} clusters in B but {len(component_probs)} components and "
            f"{len(clusters)} cluster lists"
        )
    for probs, cluster in zip(component_probs, clusters, strict=True):
        arguments.labels(list(cluster), n_classes, "clusters")
        if probs.shape != (n_images, len(cluster)):
            raise ValueError(
                f"a component's outputs are {probs.shape}, expected ({n_images}, {len(cluster)}): "
                "one row per image, one column per class of its cluster"
            )
    weights = top_m_weights(cluster_probs, n_clusters if top_m is None else top_m)
    out = np.zeros((n_images, n_classes))
    for k, (probs, cluster) in enumerate(zip(component_probs, clusters, strict=True)):
        out[:, cluster] += weights[:, k : k + 1] * probs
    return out


def top_m_weights(cluster_probs: np.ndarray, top_m: int) -> np.ndarray:
    """B kept on each row's ``top_m`` largest entries, renormalised; zero elsewhere."""
    n_clusters = cluster_probs.shape[1]
    top_m = arguments.integral(top_m, "top_m")
    if not 1 <= top_m <= n_clusters:
        raise ValueError(
            f"top_m must be between 1 and the number of clusters ({n_clusters}), got {top_m}"
        )
    keep = np.argsort(-cluster_probs, axis=1, kind="stable")[:, :top_m]
    weights = np.zeros_like(cluster_probs)
    np.put_along_axis(weights, keep, np.take_along_axis(cluster_probs, keep, axis=1), axis=1)
    return weights / weights.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Components
# ---------------------------------------------------------------------------------------------


def shared_layers(building_block: keras.Model, shared_layer: str) -> keras.Model:
    """The building block from its input to ``shared_layer``: computed once for all components."""
    return layers.feature_extractor(building_block, shared_layer)


def fine_component(
    building_block: keras.Model, shared_layer: str, cluster: Sequence[int], name: str
) -> keras.Model:
    """A copy of the layers after ``shared_layer`` with the building block's weights, its
    softmax head restricted to ``cluster``'s classes.

    The component starts where the shared layers stop: it takes their output, not images.
    Its head keeps the block's kernel columns and biases of the cluster's classes, so before
    any fine-tuning it ranks them as the building block does.

    Parameters
    ----------
    building_block
        The trained single classifier; ``shared_layer`` must be one of its own (top-level)
        layers and its last layer a Dense head.
    shared_layer
        The last shared layer, e.g. ``"pool2"``.
    cluster
        The fine classes the component scores, in the order of its outputs.
    name
        The new model's name.

    Returns
    -------
    keras.Model
        Input ``shared_features``, output ``cluster_predictions`` ``(N, len(cluster))``;
        marked with its classes (:func:`trained_for`) so that :class:`HDCNN` can check
        where it is placed. Not compiled.

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Examples
    --------
    >>> component = fine_component(model.block, "pool2", [0, 2, 6], "demo")  # doctest: +SKIP

    Used in notebook 06.
    """
    names = [layer.name for layer in building_block.layers]
    if shared_layer not in names:
        raise ValueError(f"no layer {shared_layer!r} in the building block; layers: {names}")
    upper = building_block.layers[names.index(shared_layer) + 1 :]
    source = building_block.get_layer(shared_layer).output
    inputs = keras.Input(source.shape[1:], name="shared_features")
    x = inputs
    for layer in upper[:-1]:
        copy = layer.__class__.from_config(layer.get_config())
        x = copy(x)
        copy.set_weights(layer.get_weights())
    head = upper[-1]
    kernel, bias = head.get_weights()
    new_head = keras.layers.Dense(len(cluster), activation="softmax", name="cluster_predictions")
    outputs = new_head(x)
    new_head.set_weights([kernel[:, list(cluster)], bias[list(cluster)]])
    return trained_for(keras.Model(inputs, outputs, name=name), cluster)


def trained_for(component: keras.Model, cluster: Sequence[int]) -> keras.Model:
    """``component``, marked with the classes its head scores (in order), so that an HD-CNN
    refuses to place it at another cluster."""
    component.course_cluster = tuple(int(c) for c in cluster)
    return component


def cluster_training_data(features: np.ndarray, labels: np.ndarray, cluster: Sequence[int]):
    """The images (or their shared features) of ``cluster``'s classes, labels relabelled
    0..len-1.

    A fine component trains on its own cluster's images only.

    Parameters
    ----------
    features
        Images or shared features, one row per label.
    labels
        ``(N,)`` fine class indices (a NumPy array).
    cluster
        The cluster's fine classes; class ``cluster[i]`` becomes label ``i``.

    Returns
    -------
    tuple
        ``(features, labels)`` of the kept rows, in their original order; labels int64
        in ``0 .. len(cluster) - 1``.

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Examples
    --------
    >>> images, labels = cluster_training_data(x_train, y_train, [0, 2, 6])  # doctest: +SKIP

    Used in notebook 06.
    """
    cluster = list(cluster)
    arguments.same_length(features=features, labels=labels)
    keep = np.isin(labels, cluster)
    if not keep.any():
        raise ValueError(f"no image has a class of cluster {cluster}: check the cluster's classes")
    relabel = {c: i for i, c in enumerate(cluster)}
    return features[keep], np.array([relabel[int(y)] for y in labels[keep]], dtype=np.int64)


def distribution_strategy() -> tf.distribute.Strategy:
    """MirroredStrategy when several GPUs are visible, else the default strategy."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


def train_component(
    component: keras.Model,
    train: tuple,
    validation: tuple,
    epochs: int = 10,
    learning_rate: float = 1e-4,
    patience: int = 2,
    batch_size: int = 128,
    verbose: int = 0,
    progress: bool = False,
) -> dict:
    """Fine-tune one component with early stopping on the validation split (best weights
    restored). ``train``/``validation``: (shared features, cluster labels).

    Compiles the component with Adam and sparse categorical cross-entropy, then trains
    until the validation loss has not improved for ``patience`` epochs.

    Parameters
    ----------
    component
        A fine component, from :func:`fine_component`.
    train, validation
        ``(shared features, cluster labels)`` pairs, e.g. from :func:`cluster_training_data`
        with the features computed by the shared layers.
    epochs
        At most this many epochs.
    learning_rate
        Adam's learning rate (small: the component starts from trained weights).
    patience
        Epochs without a lower validation loss before training stops.
    batch_size
        Images per training step.
    verbose
        Keras's ``fit`` verbosity (0: silent).
    progress
        Show a progress bar over the epochs.

    Returns
    -------
    dict
        The Keras history: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` per epoch.

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Examples
    --------
    >>> history = train_component(component, train, val, epochs=2)  # doctest: +SKIP

    Used in notebook 06.
    """
    component.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    return component.fit(
        *train,
        validation_data=validation,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=[stop, *([_EpochBar(epochs)] if progress else [])],
        verbose=verbose,
    ).history


class _EpochBar(keras.callbacks.Callback):
    """A tqdm progress bar over a ``fit``'s epochs (closed when training ends, early or not)."""

    def __init__(self, epochs: int):
        super().__init__()
        self.epochs = epochs
        self.bar = None

    def on_train_begin(self, logs=None):
        self.bar = tqdm(total=self.epochs, desc="training", unit="epoch")

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


def predict_components(
    components,
    shared_features: np.ndarray,
    cluster_probs: np.ndarray,
    top_m: int | None = None,
    batch_size: int = 512,
):
    """Each component's probabilities, run only on images for which its cluster is in the
    top-m; returns (list of (N, |cluster|) arrays, components evaluated per image)."""
    n_images, n_clusters = cluster_probs.shape
    weights = top_m_weights(cluster_probs, n_clusters if top_m is None else top_m)
    outputs = []
    for k, component in enumerate(components):
        probs = np.zeros((n_images, component.outputs[0].shape[-1]), np.float32)
        needed = np.flatnonzero(weights[:, k] > 0)
        if len(needed):
            probs[needed] = component.predict(
                shared_features[needed], verbose=0, batch_size=batch_size
            )
        outputs.append(probs)
    return outputs, float((weights > 0).sum(axis=1).mean())


# ---------------------------------------------------------------------------------------------
# The assembled HD-CNN
# ---------------------------------------------------------------------------------------------


def mapping_to_clusters(mapping) -> list[list[int]]:
    """A fine -> cluster list (e.g. notebook 06's fixed 9-cluster mapping of CIFAR-100) as
    cluster lists of fine classes."""
    mapping = arguments.labels(mapping, None, "mapping")
    clusters = [np.flatnonzero(mapping == k).tolist() for k in range(int(mapping.max()) + 1)]
    empty = [k for k, cluster in enumerate(clusters) if not cluster]
    if empty:
        raise ValueError(f"mapping gives no class to cluster(s) {empty}: number clusters 0..K-1")
    return clusters


class HDCNN:
    """Building block (coarse component + shared layers) and the fine components."""

    def __init__(self, building_block: keras.Model, components: list, clusters, shared_layer: str):
        n_classes = building_block.outputs[0].shape[-1]
        self.clusters = validate_clusters(clusters, n_classes)
        if len(components) != len(self.clusters):
            raise ValueError(f"{len(components)} components for {len(self.clusters)} clusters")
        for k, (component, cluster) in enumerate(zip(components, self.clusters, strict=True)):
            carried = getattr(component, "course_cluster", None)
            if carried is None:
                raise ValueError(
                    f"component {k} ({component.name}) does not say which classes it was "
                    "trained for: build it with hdcnn.fine_component, or load it with "
                    "helpers.course.nb06_hdcnn.saved_hdcnn (its manifest records them)"
                )
            if list(carried) != list(cluster):
                raise ValueError(
                    f"component {k} ({component.name}) was trained for classes {list(carried)} "
                    f"but is placed at cluster {k}, classes {list(cluster)}: pass the components "
                    "in the order of their clusters"
                )
            if component.outputs[0].shape[-1] != len(cluster):
                raise ValueError(
                    f"component {k} ({component.name}) scores {component.outputs[0].shape[-1]} "
                    f"classes but cluster {k} has {len(cluster)} ({cluster}): components and "
                    "clusters must come from the same training run"
                )
        self.block, self.components, self.n_classes = building_block, components, n_classes
        self.shared = shared_layers(building_block, shared_layer)
        self._shared_and_fine = layers.with_intermediate(building_block, shared_layer)
        features = keras.Input(components[0].inputs[0].shape[1:], name="shared_features")
        self._all_components = keras.Model(  # a dict: one output or many, predict gives a dict
            features, {str(k): c(features) for k, c in enumerate(components)}
        )

    def _first_pass(self, images: np.ndarray, batch_size: int):
        """The shared features and the block's fine probabilities, from one pass."""
        images = arguments.model_batch(self.block, images)
        batch_size = arguments.count(batch_size, "batch_size")
        return self._shared_and_fine.predict(images, batch_size=batch_size, verbose=0)

    def outputs(self, images: np.ndarray, batch_size: int = 512) -> dict:
        """Everything the average needs, computed once: the block's fine probabilities, the
        cluster probabilities B and every component's probabilities on every image."""
        shared, fine = self._first_pass(images, batch_size)
        b = cluster_probabilities(fine, self.clusters)
        # every component on every image: one pass of one model (2.2 s for 10,000 images
        # against 3.9 s component by component)
        by_index = self._all_components.predict(shared, batch_size=batch_size, verbose=0)
        components = [by_index[str(k)] for k in range(len(self.components))]
        return {"fine": fine, "b": b, "components": components}

    def combine(self, outputs: dict, top_m: int | None = None) -> np.ndarray:
        """HD-CNN probabilities from :meth:`outputs`, averaging the top-m clusters only (the
        same numbers conditional execution gives, without re-running anything)."""
        return probabilistic_average(
            outputs["b"], outputs["components"], self.clusters, self.n_classes, top_m
        )

    def predict(self, images: np.ndarray, top_m: int | None = None, batch_size: int = 512):
        """Conditional execution: each image runs only its top-m components. Returns HD-CNN
        probabilities, the block's own probabilities, and components run per image."""
        shared, fine = self._first_pass(images, batch_size)
        b = cluster_probabilities(fine, self.clusters)
        outputs, evaluated = predict_components(self.components, shared, b, top_m, batch_size)
        probabilities = probabilistic_average(b, outputs, self.clusters, self.n_classes, top_m)
        return probabilities, fine, evaluated


def train_hdcnn(
    building_block: keras.Model,
    x_train,
    y_train,
    x_val,
    y_val,
    n_clusters: int,
    shared_layer: str,
    epochs: int = 10,
    overlap: float = 0.0,
    clusters=None,
    verbose: int = 0,
    progress: bool = False,
) -> tuple[HDCNN, np.ndarray, list[dict]]:
    """Clusters from the block's confusion on the validation split (or the given ``clusters``),
    then one fine component per cluster fine-tuned on its classes with early stopping on the
    validation split (``progress``: one progress bar over the components). Returns the HD-CNN,
    the validation confusion and per-component info."""
    confusion = held_out_confusion(building_block.predict(x_val, verbose=0, batch_size=512), y_val)
    if clusters is None:
        clusters = confusion_clusters(confusion, n_clusters, overlap)
    shared = shared_layers(building_block, shared_layer)
    train_features = shared.predict(x_train, batch_size=512, verbose=0)
    val_features = shared.predict(x_val, batch_size=512, verbose=0)
    strategy = distribution_strategy()
    components, info = [], []
    bar = tqdm(clusters, desc="training fine components", unit="component", disable=not progress)
    for k, cluster in enumerate(bar):
        with strategy.scope():
            component = fine_component(building_block, shared_layer, cluster, f"hdcnn_fine_{k}")
        train = cluster_training_data(train_features, y_train, cluster)
        history = train_component(
            component,
            train,
            cluster_training_data(val_features, y_val, cluster),
            epochs=epochs,
            verbose=verbose,
        )
        components.append(component)
        info.append(
            {
                "cluster": list(cluster),
                "train_images": len(train[1]),
                "epochs": len(history["loss"]),
                "val_accuracy": round(max(history["val_accuracy"]), 4),
            }
        )
    return HDCNN(building_block, components, clusters, shared_layer), confusion, info


def confusion_with_cluster_mates(confusion: np.ndarray, clusters, class_index: int) -> float:
    """How often (row-normalised) a class is taken for the other classes of its cluster.

    Clusters are built so that classes confused with each other share one; a class seldom
    taken for its cluster-mates gains little from a fine component.

    Parameters
    ----------
    confusion
        Row-normalised confusion matrix ``(classes, classes)``.
    clusters
        Lists of fine classes; the first cluster holding ``class_index`` counts.
    class_index
        The class asked about.

    Returns
    -------
    float
        The sum of the class's confusion row over its cluster-mates: the share of its images
        predicted as one of them.

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Examples
    --------
    >>> confusion_with_cluster_mates(confusion, model.clusters, 8)  # doctest: +SKIP

    Used in notebook 06.
    """
    cluster = next((c for c in clusters if class_index in c), None)
    if cluster is None:
        raise ValueError(f"class {class_index} is in no cluster of {clusters}")
    return float(confusion[class_index, [c for c in cluster if c != class_index]].sum())


def reorder(confusion: np.ndarray, clusters) -> tuple[np.ndarray, list[int]]:
    """The confusion matrix with classes ordered cluster by cluster (first appearance).

    Confusions inside a cluster then form blocks on the diagonal.

    Parameters
    ----------
    confusion
        Confusion matrix ``(classes, classes)``.
    clusters
        Lists of fine classes; a class in several clusters is placed at its first.

    Returns
    -------
    tuple
        ``(matrix, order)``: the reordered matrix and the class order (a list of indices).

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Examples
    --------
    >>> matrix, order = reorder(confusion, model.clusters)  # doctest: +SKIP

    Used in notebook 06.
    """
    order = list(dict.fromkeys(c for cluster in clusters for c in cluster))
    arguments.labels(order, len(confusion), "clusters")
    return confusion[np.ix_(order, order)], order


def per_cluster_comparison(labels, single_probs, hd_probs, clusters, class_names):
    """Per cluster, on the test images of its classes: both accuracies, HD-CNN's gain with
    its paired 95 % bootstrap interval, and McNemar's p-value.

    The two classifiers are compared on the same images
    (:func:`helpers.stats.paired_comparison`); with overlapping clusters an image counts in
    each cluster holding its class.

    Parameters
    ----------
    labels
        ``(N,)`` true fine classes of the test images (a NumPy array).
    single_probs, hd_probs
        ``(N, classes)`` probabilities of the single classifier and of the HD-CNN.
    clusters
        Lists of fine classes.
    class_names
        The name of each class.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``cluster``; columns ``classes``, ``images``, ``single accuracy``,
        ``HD-CNN accuracy``, ``gain``, ``gain 95% low``, ``gain 95% high`` (rounded to 4
        decimals) and ``McNemar p`` (text, ``"< 0.001"`` when smaller).

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika.

    Examples
    --------
    >>> per_cluster_comparison(y_test, single, hd, model.clusters, class_names)  # doctest: +SKIP

    Used in notebook 06.
    """
    rows = []
    for k, cluster in enumerate(clusters):
        keep = np.isin(labels, cluster)
        single = single_probs[keep].argmax(1) == labels[keep]
        hd = hd_probs[keep].argmax(1) == labels[keep]
        paired = stats.paired_comparison(hd, single, "HD-CNN", "single")
        rows.append(
            {
                "cluster": k,
                "classes": ", ".join(class_names[c] for c in cluster),
                "images": int(keep.sum()),
                "single accuracy": single.mean(),
                "HD-CNN accuracy": hd.mean(),
                "gain": paired.difference,
                "gain 95% low": paired.low,
                "gain 95% high": paired.high,
                "McNemar p": stats.p_text(paired.p_value),
            }
        )
    return pd.DataFrame(rows).set_index("cluster").round(4)


def top_m_accuracies(model: HDCNN, outputs: dict, labels, seed: int = 0):
    """HD-CNN accuracy with its 95 % bootstrap interval for each top-m (1 .. clusters).

    With top-m, each image averages only its m most probable clusters' components: fewer
    components to run, possibly lower accuracy. Computed from :meth:`HDCNN.outputs` without
    running the network again.

    Parameters
    ----------
    model
        The assembled :class:`HDCNN`.
    outputs
        ``model.outputs(images)`` for the test images.
    labels
        ``(N,)`` true fine classes of those images.
    seed
        Random seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``top-m``; columns ``accuracy``, ``accuracy low`` and ``accuracy high``.

    References
    ----------
    Yan, Z., Zhang, H., Piramuthu, R., Jagadeesh, V., DeCoste, D., Di, W. and Yu, Y. (2015).
    HD-CNN: hierarchical deep convolutional neural networks for large scale visual
    recognition. ICCV.

    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> trade_off = top_m_accuracies(model, model.outputs(x_test), y_test)  # doctest: +SKIP

    Used in notebook 06.
    """
    return stats.accuracy_table(
        {
            m: model.combine(outputs, m).argmax(1) == labels
            for m in range(1, len(model.clusters) + 1)
        },
        seed=seed,
    ).rename_axis("top-m")
