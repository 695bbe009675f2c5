"""Coarse-grained classifiers extracted from a fine-grained one without training.

Filus & Domańska (2024): the last Dense layer's weight columns say which classes are alike.
CSM = cosine similarity between class columns; SCSM = each row's classes sorted by similarity
(row *i* starts with *i*). For each initialisation class, averaging the weight columns and
biases of its first *k* SCSM entries gives one coarse unit; a new softmax Dense on the
penultimate output with these units is the coarse classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from scipy.special import softmax
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.metrics.pairwise import cosine_similarity

from helpers import stats
from helpers.infra import arguments, layers

TIE = 1e-6  # coarse scores this close to an image's largest count as tied: the first group wins


def classifier_head(model: keras.Model) -> keras.layers.Dense:
    """The model's final Dense softmax layer; anything else is a clear error."""
    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense) or last.activation is not keras.activations.softmax:
        raise ValueError(
            f"the last layer of {model.name!r} ({last.name}, {type(last).__name__}) is not a "
            "Dense softmax classifier: coarse extraction needs the fine classifier's softmax "
            "Dense head as the model's last layer"
        )
    return last


def head_weights(model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    """Kernel ``(features, classes)`` and bias ``(classes,)`` of the classifier head.

    Column *c* of the kernel is the direction in penultimate-feature space that class *c*'s
    score grows along: the raw material of the CSM and of the coarse units.

    Parameters
    ----------
    model
        A classifier whose last layer is a Dense softmax layer.

    Returns
    -------
    tuple of numpy.ndarray
        ``(kernel, bias)``: ``(features, classes)`` and ``(classes,)``.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> kernel, bias = head_weights(model)  # doctest: +SKIP

    Used in notebook 05.
    """
    kernel, bias = classifier_head(model).get_weights()
    return kernel, bias


def class_similarity(kernel: np.ndarray) -> np.ndarray:
    """CSM: cosine similarity ``(classes, classes)`` between the kernel's class columns.

    Two classes whose weight columns point the same way are scored from the same features:
    the network treats them as alike.

    Parameters
    ----------
    kernel
        ``(features, classes)`` finite head kernel, no all-zero column.

    Returns
    -------
    numpy.ndarray
        The symmetric CSM ``(classes, classes)``, values in [-1, 1], ones on the diagonal.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> csm = class_similarity(kernel)  # doctest: +SKIP

    Used in notebook 05.
    """
    kernel = arguments.finite(np.asarray(kernel, float), "kernel")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be (features, classes), got shape {kernel.shape}")
    zero = np.flatnonzero(~kernel.any(axis=0))
    if len(zero):
        raise ValueError(
            f"kernel column(s) {zero.tolist()} are all zero: a class without weights has no "
            "direction, so its cosine similarity is undefined"
        )
    return cosine_similarity(kernel.T)


def similarity_spread(kernel: np.ndarray) -> tuple[float, float]:
    """The smallest and largest cosine between two different class columns: how far apart
    the SCSM's entries can be (a head whose C columns are spread evenly has every cosine at
    -1 / (C - 1)).

    Parameters
    ----------
    kernel
        ``(features, classes)`` head kernel, as :func:`class_similarity` takes it.

    Returns
    -------
    tuple of float
        ``(low, high)``: the smallest and largest off-diagonal CSM entry.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> low, high = similarity_spread(kernel)  # doctest: +SKIP

    Used in notebook 05.
    """
    csm = class_similarity(kernel)
    others = csm[~np.eye(len(csm), dtype=bool)]
    return float(others.min()), float(others.max())


def smallest_scsm_gap(kernel: np.ndarray) -> tuple[float, int]:
    """The smallest difference between two neighbouring cosines of an SCSM row, after its
    first entry (the class itself), and the row it occurs in: how little can decide the
    order of a row's entries.

    Parameters
    ----------
    kernel
        ``(features, classes)`` head kernel with at least 3 classes.

    Returns
    -------
    tuple
        ``(gap, row)``: the smallest gap (a float, 0 for a tie) and its row's class index.

    Examples
    --------
    >>> gap, row = smallest_scsm_gap(kernel)  # doctest: +SKIP

    Used in notebook 05.
    """
    csm = class_similarity(kernel)
    if len(csm) < 3:
        raise ValueError(
            f"a kernel of {len(csm)} classes has no two entries after the first in an SCSM "
            "row: give at least 3 classes"
        )
    scsm = sorted_similarity(csm)
    cosines = np.take_along_axis(csm, scsm, axis=1)[:, 1:]  # each row sorted, itself left out
    gaps = (cosines[:, :-1] - cosines[:, 1:]).min(axis=1)
    row = int(gaps.argmin())
    return float(gaps[row]), row


def similarity_summary(kernel: np.ndarray, class_names) -> str:
    """Two lines on how far apart a head's class columns are: the range of the cosines
    between two different classes beside -1 / (C - 1), the cosine of every pair when the C
    columns are spread evenly, and the smallest gap in an SCSM row
    (:func:`smallest_scsm_gap`).

    Parameters
    ----------
    kernel
        ``(features, classes)`` head kernel with at least 3 classes.
    class_names
        The name of each class, one per kernel column.

    Returns
    -------
    str
        Two lines, each under 100 characters.

    Examples
    --------
    >>> print(similarity_summary(kernel, class_names))  # doctest: +SKIP

    Used in notebook 05.
    """
    if len(class_names) != np.shape(kernel)[1]:
        raise ValueError(
            f"{len(class_names)} class names for a kernel of {np.shape(kernel)[1]} classes"
        )
    low, high = similarity_spread(kernel)
    gap, row = smallest_scsm_gap(kernel)
    even = -1 / (len(class_names) - 1)
    return (
        f"cosines of two different classes: {low:+.2f} to {high:+.2f}; "
        f"{len(class_names)} evenly spread columns: {even:+.2f}\n"
        f"smallest gap between neighbouring SCSM entries: {gap:.4f} (row {class_names[row]})"
    )


def sorted_similarity(csm: np.ndarray) -> np.ndarray:
    """SCSM: row *i* lists the classes from most to least similar to *i*, starting with *i*.

    Ties keep the lower class index first; *i* itself is put first even when another class
    has an identical (cosine 1) column.

    Parameters
    ----------
    csm
        ``(classes, classes)`` class similarity matrix from :func:`class_similarity`.

    Returns
    -------
    numpy.ndarray
        ``(classes, classes)`` ints: row *i* holds class indices, *i* first.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> scsm = sorted_similarity(class_similarity(kernel))  # doctest: +SKIP

    Used in notebook 05.
    """
    n = len(csm)
    scsm = np.empty((n, n), dtype=int)
    for i in range(n):
        order = np.argsort(-csm[i], kind="stable")
        scsm[i] = np.concatenate(([i], order[order != i]))
    return scsm


def _validate(init_classes: Sequence[int], k, n_classes: int) -> list[int]:
    init = [arguments.integral(c, "initialisation class") for c in init_classes]
    if not init:
        raise ValueError("give at least one initialisation class")
    bad = [c for c in init if not 0 <= c < n_classes]
    if bad:
        raise ValueError(
            f"initialisation class {bad[0]} out of range: there are {n_classes} "
            f"classes (0..{n_classes - 1})"
        )
    if len(set(init)) != len(init):
        repeated = sorted({c for c in init if init.count(c) > 1})
        raise ValueError(
            f"initialisation class {repeated[0]} is repeated: each coarse unit "
            "needs its own initialisation class"
        )
    ks = [k] * len(init) if np.isscalar(k) else list(k)
    ks = [arguments.integral(value, "k") for value in ks]
    if len(ks) != len(init):
        raise ValueError(f"{len(ks)} values of k for {len(init)} initialisation classes")
    for value in ks:
        if not 1 <= value <= n_classes:
            raise ValueError(
                f"k must be between 1 and the number of classes ({n_classes}), got {value}"
            )
    return ks


def coarse_weights(kernel: np.ndarray, bias: np.ndarray, init_classes: Sequence[int], k):
    """Kernel, bias and member classes of the coarse head: unit *j* averages the columns and
    biases of the first ``k`` SCSM entries of ``init_classes[j]`` (``k``: one int or one per
    initialisation class).

    No training: the coarse unit scores an image by the mean of its members' fine scores.

    Parameters
    ----------
    kernel
        ``(features, classes)`` head kernel, from :func:`head_weights`.
    bias
        ``(classes,)`` head bias.
    init_classes
        One distinct initialisation class per coarse unit.
    k
        Members per coarse unit (1 to the number of classes): one int for all units, or one
        per initialisation class.

    Returns
    -------
    tuple
        ``(coarse_kernel, coarse_bias, members)``: ``(features, units)``, ``(units,)`` and,
        per unit, the array of its member classes (its initialisation class first).

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> coarse_kernel, coarse_bias, _ = coarse_weights(kernel, bias, [0, 3], 3)  # doctest: +SKIP

    Used in notebook 05.
    """
    bias = arguments.finite(bias, "bias")
    if bias.shape != kernel.shape[1:]:
        raise ValueError(
            f"bias {bias.shape} must have one entry per class column of the kernel {kernel.shape}"
        )
    ks = _validate(init_classes, k, kernel.shape[1])
    scsm = sorted_similarity(class_similarity(kernel))
    members = [scsm[c, :kc] for c, kc in zip(init_classes, ks, strict=True)]
    return (*unit_weights(kernel, bias, members), members)


def unit_weights(kernel: np.ndarray, bias: np.ndarray, members) -> tuple[np.ndarray, np.ndarray]:
    """Kernel and bias of coarse units given their member classes: unit *j* averages the
    columns and biases of ``members[j]`` (the construction of :func:`coarse_weights`, for
    members chosen another way, e.g. all of ImageNet's cat classes).

    Examples
    --------
    >>> kernel, bias = np.array([[1.0, 3.0, 5.0]]), np.array([0.0, 1.0, 2.0])
    >>> unit_weights(kernel, bias, [[0, 1], [2]])
    (array([[2., 5.]]), array([0.5, 2. ]))
    """
    kernel = arguments.finite(kernel, "kernel")
    bias = arguments.finite(bias, "bias")
    if len(members) == 0 or any(len(m) == 0 for m in members):
        raise ValueError("give each coarse unit at least one member class, e.g. [[283], [248]]")
    members = [arguments.labels(list(m), kernel.shape[1], "members") for m in members]
    coarse_kernel = np.stack([kernel[:, m].mean(axis=1) for m in members], axis=1)
    coarse_bias = np.array([bias[m].mean() for m in members])
    return coarse_kernel, coarse_bias


def penultimate_model(model: keras.Model) -> keras.Model:
    """From the model's input to the input of its classifier head.

    Its outputs are the features a coarse head (or any new head) is applied to.

    Parameters
    ----------
    model
        A classifier whose last layer is a Dense softmax layer.

    Returns
    -------
    keras.Model
        ``<name>_penultimate``: the model's input to the head's input ``(N, features)``.

    Examples
    --------
    >>> features = penultimate_model(net.model).predict(images, verbose=0)  # doctest: +SKIP

    Used in notebook 05.
    """
    head = classifier_head(model)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, head.input, name=f"{model.name}_penultimate")


def coarse_model(model: keras.Model, init_classes: Sequence[int], k) -> keras.Model:
    """The fine model with its head replaced by the SCSM coarse head (no training).

    Parameters
    ----------
    model
        The fine classifier; its last layer must be a Dense softmax layer.
    init_classes
        One distinct initialisation class per coarse unit.
    k
        Members per coarse unit: one int, or one per initialisation class
        (:func:`coarse_weights`).

    Returns
    -------
    keras.Model
        ``<name>_coarse``: the penultimate model followed by a new Dense softmax layer
        ``coarse_predictions`` with one unit per initialisation class.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> model = coarse_model(net.model, [283, 248], 3)  # doctest: +SKIP

    Used in notebook 05.
    """
    kernel, bias = head_weights(model)
    coarse_kernel, coarse_bias, _ = coarse_weights(kernel, bias, init_classes, k)
    features = penultimate_model(model)
    head = keras.layers.Dense(len(coarse_bias), activation="softmax", name="coarse_predictions")
    outputs = head(features.outputs[0])
    head.set_weights([coarse_kernel.astype(np.float32), coarse_bias.astype(np.float32)])
    return keras.Model(features.inputs, outputs, name=f"{model.name}_coarse")


def coarse_probabilities(features: np.ndarray, coarse_kernel, coarse_bias) -> np.ndarray:
    """The coarse head as a matrix product on precomputed penultimate features.

    ``softmax(features @ coarse_kernel + coarse_bias)``: the same numbers as
    :func:`coarse_model`, without running the network again.

    Parameters
    ----------
    features
        ``(N, features)`` finite penultimate outputs, e.g. from :func:`penultimate_model`.
    coarse_kernel, coarse_bias
        ``(features, units)`` and ``(units,)`` from :func:`coarse_weights`.

    Returns
    -------
    numpy.ndarray
        ``(N, units)`` coarse probabilities; each row sums to 1.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> cat_or_dog = coarse_probabilities(features, coarse_kernel, coarse_bias)  # doctest: +SKIP

    Used in notebook 05.
    """
    features = arguments.finite(features, "features")
    if features.ndim != 2 or features.shape[1] != np.shape(coarse_kernel)[0]:
        raise ValueError(
            f"features {features.shape} must be (N, {np.shape(coarse_kernel)[0]}): one row per "
            "image of the penultimate layer the kernel was taken from"
        )
    return softmax(features @ coarse_kernel + coarse_bias, axis=1)


def posthoc_probabilities(fine_probabilities: np.ndarray, groups: Sequence[Sequence[int]]):
    """Baseline: sum the fine probabilities of each coarse group."""
    fine_probabilities = arguments.finite(fine_probabilities, "fine_probabilities")
    for group in groups:
        arguments.labels(list(group), fine_probabilities.shape[1], "groups")
    return np.stack([fine_probabilities[:, list(g)].sum(axis=1) for g in groups], axis=1)


def group_labels(fine_labels: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Coarse label of each fine label (-1 for classes in no group); a class in two groups
    is an error."""
    members = [int(c) for group in groups for c in group]
    repeated = sorted({c for c in members if members.count(c) > 1})
    if repeated:
        raise ValueError(f"class(es) {repeated} belong to more than one coarse group")
    lookup = {int(c): j for j, group in enumerate(groups) for c in group}
    return np.array([lookup.get(int(y), -1) for y in fine_labels], dtype=int)


def trained_head(features: np.ndarray, coarse_labels: np.ndarray, seed: int = 0):
    """A coarse softmax head trained on the features (multinomial logistic regression)."""
    return LogisticRegression(max_iter=500, random_state=seed).fit(features, coarse_labels)


def coarse_predictions(probabilities: np.ndarray) -> np.ndarray:
    """Each image's coarse group: the most probable, with scores within :data:`TIE` of the
    largest counting as tied and a tie going to the first of them.

    A stated rule instead of floating-point noise: with k = the number of classes every
    unit averages the same columns, so every image is a tie that the last bits of the
    averages (which depend on the order the columns were summed in) would otherwise decide.

    Parameters
    ----------
    probabilities
        ``(N, groups)`` finite coarse scores.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` group indices.

    Examples
    --------
    >>> coarse_predictions(np.array([[0.5, 0.5 + 1e-9], [0.2, 0.8]]))  # doctest: +SKIP
    array([0, 1])

    Used in notebook 05.
    """
    probabilities = arguments.finite(probabilities, "probabilities")
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be (N, groups), got shape {probabilities.shape}")
    top = probabilities.max(axis=1, keepdims=True)
    return (probabilities >= top - TIE).argmax(axis=1)


def evaluate(probabilities: np.ndarray, coarse_labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Accuracy and the row-normalised confusion matrix of coarse predictions (ties as
    :func:`coarse_predictions` breaks them)."""
    probabilities = arguments.finite(probabilities, "probabilities")
    coarse_labels = arguments.labels(coarse_labels, probabilities.shape[1], "coarse_labels")
    arguments.same_length(probabilities=probabilities, coarse_labels=coarse_labels)
    predictions = coarse_predictions(probabilities)
    matrix = confusion_matrix(
        coarse_labels, predictions, labels=range(probabilities.shape[1]), normalize="true"
    )
    return float(np.mean(predictions == coarse_labels)), matrix


def coarse_task(features, fine_labels, kernel, bias, groups, init_classes, k):
    """Accuracy, confusion matrix and member classes of the SCSM coarse head on the images
    whose fine class belongs to one of ``groups`` (coarse unit *j* is scored against group *j*)."""
    if len(groups) != len(init_classes):
        raise ValueError(
            f"{len(groups)} coarse groups but {len(init_classes)} initialisation classes: give "
            "one initialisation class per group"
        )
    labels = group_labels(fine_labels, groups)
    keep = labels >= 0
    coarse_kernel, coarse_bias, members = coarse_weights(kernel, bias, init_classes, k)
    probabilities = coarse_probabilities(features[keep], coarse_kernel, coarse_bias)
    accuracy, matrix = evaluate(probabilities, labels[keep])
    return accuracy, matrix, members


def scsm_rows(kernel: np.ndarray, class_names, rows, top: int = 5) -> str:
    """The first ``top`` SCSM entries of some rows, with class names, one line per row.

    Parameters
    ----------
    kernel
        ``(features, classes)`` head kernel.
    class_names
        The name of each class, one per kernel column.
    rows
        The classes whose SCSM rows are printed.
    top
        How many entries per row (the class itself first).

    Returns
    -------
    str
        One line per row: ``index name -> most similar, ...``.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> print(scsm_rows(kernel, class_names, rows=[0, 3], top=4))  # doctest: +SKIP

    Used in notebook 05.
    """
    scsm = sorted_similarity(class_similarity(kernel))
    if len(class_names) != len(scsm):
        raise ValueError(f"{len(class_names)} class names for a kernel of {len(scsm)} classes")
    rows = arguments.labels(list(rows), len(scsm), "rows")
    return "\n".join(
        f"{i:>3} {class_names[i]:<14} -> " + ", ".join(class_names[j] for j in scsm[i, :top])
        for i in rows
    )


def accuracy_vs_k(features, fine_labels, kernel, bias, groups, init_classes, ks) -> np.ndarray:
    """SCSM coarse accuracy for each k in ``ks``."""
    if len(ks) == 0:
        raise ValueError("give at least one k")
    return np.array(
        [coarse_task(features, fine_labels, kernel, bias, groups, init_classes, k)[0] for k in ks]
    )


@dataclass
class Comparison:
    """SCSM head vs post-hoc mapping vs trained head on one coarse task's test images."""

    table: object  # DataFrame: accuracy with its 95 % interval per method
    matrices: dict  # method -> row-normalised confusion matrix
    best_k: int  # chosen on the validation images
    validation_curve: np.ndarray  # SCSM accuracy on validation images for each of ks
    correct: dict  # method -> (N,) 0/1 per test image
    ks: np.ndarray  # the k tried: 1..classes, or the task's own (Filus & Domańska's k = 3)
    validation_shares: np.ndarray | None = None  # share of each group's validation images
    n_classes: int | None = None  # fine classes of the head

    def paired_against_scsm(self) -> list:
        """The SCSM head (the first method) paired with each baseline."""
        return stats.compare_to(self.correct, next(iter(self.correct)))

    def all_classes_tie(self) -> str | None:
        """One line on the curve's point k = the number of classes, where every coarse unit
        averages all columns: every image is a tie, won by the first group
        (:func:`coarse_predictions`), so the accuracy is that group's share of the
        validation images. None when that k was not tried."""
        if self.n_classes is None or self.n_classes not in self.ks:
            return None
        accuracy = self.validation_curve[list(self.ks).index(self.n_classes)]
        return (
            f"k = {self.n_classes}: all units equal, every image a tie -> accuracy "
            f"{accuracy:.3f} = the first group's share {self.validation_shares[0]:.3f}"
        )


def _short_call(paired, matters: float) -> str:
    """:meth:`helpers.stats.Paired.call` with the two methods named "SCSM" and "baseline"."""
    call = paired.call(matters)
    if call == f"{paired.name_a} is better than {paired.name_b}":
        return "SCSM better"
    if call == f"{paired.name_b} is better than {paired.name_a}":
        return "baseline better"
    return call


def paired_table(results: dict, matters: float = 0.0):
    """The SCSM head paired with each baseline on the same test images, for every task:
    SCSM's accuracy minus the baseline's with its 95 % paired bootstrap interval, the images
    only one of the two gets right, McNemar's exact p (``"< 0.001"`` when smaller) and the
    call (:meth:`helpers.stats.Paired.call`).

    Parameters
    ----------
    results
        ``{task name: Comparison}`` from :func:`compare`.
    matters
        The smallest difference that matters; 0: any significant difference counts.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``task``, ``baseline``); 7 columns: ``SCSM - it``, ``low``, ``high``
        (rounded to 4 decimals), ``only SCSM``, ``only it``, ``McNemar p`` and ``call``
        ("SCSM better", "baseline better", "no significant difference" or "too small to
        matter").

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika.

    Examples
    --------
    >>> paired_table(results)  # doctest: +SKIP

    Used in notebook 05.
    """
    if not results:
        raise ValueError("results is empty: give {task name: compare(...)}")
    rows = {}
    for task, result in results.items():
        for paired in result.paired_against_scsm():
            rows[(task, paired.name_b)] = {
                "SCSM - it": round(paired.difference, 4),
                "low": round(paired.low, 4),
                "high": round(paired.high, 4),
                "only SCSM": paired.only_a,
                "only it": paired.only_b,
                "McNemar p": stats.p_text(paired.p_value),
                "call": _short_call(paired, matters),
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["task", "baseline"])
    return table


def compare(task: dict, test: dict, validation: dict, kernel, bias, seed: int = 0) -> Comparison:
    """SCSM coarse head (k chosen on validation) vs post-hoc mapping vs a trained head.

    ``task``: groups, init classes and optionally ``ks``, the k to try (default: every k
    from 1 to the number of classes); ``test``/``validation``: penultimate ``features``,
    fine ``probabilities`` and fine ``labels``. The validation images must be images the fine
    model never trained on (see ``zoo.unseen_training_images``): k and the trained head are
    fitted on them. Only the test images whose fine class is in one of the groups are scored.

    Parameters
    ----------
    task
        ``{"groups": coarse groups of fine classes, "init": one initialisation class per
        group, "ks": optional k to try}``.
    test, validation
        ``{"features", "probabilities", "labels"}`` of each image set (as
        :func:`split_outputs` gives them).
    kernel, bias
        The fine head's weights, from :func:`head_weights`.
    seed
        Random seed of the trained head (logistic regression).

    Returns
    -------
    Comparison
        ``table`` (test accuracy of the three methods with 95 % bootstrap intervals),
        ``matrices`` (row-normalised confusion matrices), ``best_k``, ``validation_curve``
        (SCSM accuracy on the validation images per k), ``correct`` (0/1 per test image and
        method), ``ks``, ``validation_shares`` (each group's share of the validation images)
        and ``n_classes``.

    References
    ----------
    Filus, J. and Domańska, J. (2024). Extracting coarse-grained classifiers from large
    convolutional neural networks. Engineering Applications of Artificial Intelligence.

    Examples
    --------
    >>> result = compare(task, setting.test, setting.validation, kernel, bias)  # doctest: +SKIP
    >>> result.table  # doctest: +SKIP

    Used in notebook 05.
    """
    groups, init = task["groups"], task["init"]
    ks = np.asarray(task.get("ks", range(1, kernel.shape[1] + 1)))
    val_curve = accuracy_vs_k(
        validation["features"], validation["labels"], kernel, bias, groups, init, ks
    )
    best = int(ks[val_curve.argmax()])
    labels = group_labels(test["labels"], groups)
    keep = labels >= 0
    coarse_kernel, coarse_bias, _ = coarse_weights(kernel, bias, init, best)
    val_labels = group_labels(validation["labels"], groups)
    head = trained_head(validation["features"][val_labels >= 0], val_labels[val_labels >= 0], seed)
    probabilities = {
        f"SCSM coarse head (k={best})": coarse_probabilities(
            test["features"][keep], coarse_kernel, coarse_bias
        ),
        "post-hoc: sum of fine probabilities": posthoc_probabilities(
            test["probabilities"][keep], groups
        ),
        "trained coarse head": head.predict_proba(test["features"][keep]),
    }
    correct, matrices = {}, {}
    for name, probs in probabilities.items():
        correct[name] = (coarse_predictions(probs) == labels[keep]).astype(float)
        matrices[name] = evaluate(probs, labels[keep])[1]
    shares = np.bincount(val_labels[val_labels >= 0], minlength=len(groups)) / np.sum(
        val_labels >= 0
    )
    return Comparison(
        stats.accuracy_table(correct),
        matrices,
        best,
        val_curve,
        correct,
        ks,
        shares,
        kernel.shape[1],
    )


def split_outputs(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> dict:
    """Penultimate features, fine probabilities and labels of ``images`` (one pass for both)."""
    both = layers.with_intermediate(model, classifier_head(model), use_input=True)
    features, probabilities = both.predict(images, verbose=0, batch_size=512)
    return {"features": features, "probabilities": probabilities, "labels": np.asarray(labels)}
