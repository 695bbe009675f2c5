"""t-SNE maps of learned features, and how well classes separate in them (kNN accuracy).

The default backend is openTSNE (FFT-accelerated); ``bench/bench_tsne.py`` measures it
against scikit-learn's ``TSNE`` on this course's features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import confusion_matrix
from sklearn.neighbors import NearestNeighbors
from tqdm.auto import tqdm

from helpers import stats
from helpers.infra import arguments

BACKENDS = ("opentsne", "sklearn")
DEFAULT_BACKEND = "opentsne"
# From FFT_FROM points on: FFT gradients on a coarser interpolation grid than openTSNE's
# default (2 points per interval of width 2, not 3 per 1). On 10,000 fashion_cnn feature
# vectors that cuts 70 s to 17 s with the map's 5-NN accuracy 0.935 either way. Below it,
# Barnes-Hut: FFT's fixed grid cost makes it slower there (500 points: 1.4 s vs 4.8 s).
# bench/bench_tsne.py measures both.
FFT_FROM = 2_500
FFT_SETTINGS = {
    "negative_gradient_method": "fft",
    "n_interpolation_points": 2,
    "ints_in_interval": 2,
}
PROGRESS_EVERY = 25  # optimisation steps between two moves of tsne's progress bar


def reduce_pca(features: np.ndarray, max_dims: int = 50, seed: int = 0) -> np.ndarray:
    """PCA to at most ``max_dims`` dimensions (unchanged when already that small)."""
    features = arguments.finite(np.asarray(features, dtype=np.float32), "features")
    if features.ndim != 2:
        raise ValueError(f"features must be (N, dims), got shape {features.shape}")
    max_dims = arguments.count(max_dims, "max_dims")
    if features.shape[1] <= max_dims:
        return features
    return PCA(n_components=max_dims, random_state=seed).fit_transform(features)


def tsne(
    features: np.ndarray,
    perplexity: float = 30.0,
    seed: int = 0,
    backend: str = DEFAULT_BACKEND,
    iterations: int = 750,
    pca_dims: int = 50,
    n_jobs: int = 2,
    progress: bool = False,
) -> np.ndarray:
    """A 2-D t-SNE embedding ``(N, 2)`` of ``features`` after PCA to ``pca_dims``.

    t-SNE places points so that neighbours in feature space stay neighbours on the map;
    distances between far-apart clusters on the map mean little.
    ``iterations`` counts all optimisation steps, the 250 early-exaggeration ones included,
    for both backends (scikit-learn calls it ``max_iter``; openTSNE splits it into
    ``early_exaggeration_iter`` and ``n_iter``). Same seed, same embedding.

    Parameters
    ----------
    features
        ``(N, dims)`` finite features, at least 4 rows, not all identical.
    perplexity
        Roughly the number of neighbours each point keeps close: at least 1 and below N / 3.
    seed
        Random seed of the PCA and the optimisation.
    backend
        ``"opentsne"`` (default; Barnes-Hut below 2,500 points, FFT-accelerated from there
        on) or ``"sklearn"``.
    iterations
        All optimisation steps, at least 300.
    pca_dims
        PCA reduces the features to at most this many dimensions first (at least 2).
    n_jobs
        CPU threads the backend may use.
    progress
        Show a progress bar over the optimisation steps (openTSNE reports every
        :data:`PROGRESS_EVERY` steps; scikit-learn's ``TSNE`` reports only when it is done).
        The map is the same with or without it.

    Returns
    -------
    numpy.ndarray
        ``(N, 2)`` float32 map coordinates, one row per feature row.

    References
    ----------
    van der Maaten, L. and Hinton, G. (2008). Visualizing data using t-SNE. JMLR.

    Poličar, P. G., Stražar, M. and Zupan, B. (2024). openTSNE: a modular Python library for
    t-SNE dimensionality reduction and embedding. Journal of Statistical Software.

    Examples
    --------
    >>> points = tsne(features["features"], perplexity=30)  # doctest: +SKIP

    Used in notebook 03.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown t-SNE backend {backend!r}; use one of {BACKENDS}")
    features = arguments.finite(np.asarray(features, dtype=np.float32), "features")
    if features.ndim != 2 or len(features) < 4:
        raise ValueError(
            f"features must be (N, dims) with at least 4 points for t-SNE, got shape "
            f"{features.shape}"
        )
    if np.ptp(features, axis=0).max() == 0:
        raise ValueError("features are all identical rows: t-SNE has no neighbourhoods to keep")
    n = len(features)
    perplexity = arguments.number(perplexity, "perplexity", 1, float("inf"))
    if not perplexity < n / 3:
        raise ValueError(
            f"perplexity must be at least 1 and below a third of the points ({n / 3:.0f}), "
            f"got {perplexity}: use fewer neighbours or more points"
        )
    iterations = arguments.count(iterations, "iterations", low=300)
    pca_dims = arguments.count(pca_dims, "pca_dims", low=2)
    seed = arguments.count(seed, "seed", low=0)
    n_jobs = arguments.count(n_jobs, "n_jobs", low=1)
    reduced = reduce_pca(features, min(pca_dims, n), seed)
    bar = tqdm(
        total=iterations,
        desc=f"t-SNE, perplexity {perplexity:g}",
        unit="step",
        disable=not progress,
        leave=False,
    )
    with bar:
        if backend == "opentsne":
            from openTSNE import TSNE

            def advance(iteration, error, embedding) -> bool:  # openTSNE's callback
                bar.update(min(PROGRESS_EVERY, bar.total - bar.n))
                return False  # never stop early

            embedding = TSNE(
                perplexity=perplexity,
                early_exaggeration_iter=250,
                n_iter=iterations - 250,
                random_state=seed,
                n_jobs=n_jobs,
                callbacks=advance if progress else None,
                callbacks_every_iters=PROGRESS_EVERY,
                **(FFT_SETTINGS if n >= FFT_FROM else {"negative_gradient_method": "bh"}),
            ).fit(reduced)
            bar.update(bar.total - bar.n)
            return np.asarray(embedding, dtype=np.float32)
        from sklearn.manifold import TSNE

        points = TSNE(
            perplexity=perplexity, max_iter=iterations, random_state=seed, n_jobs=n_jobs, init="pca"
        ).fit_transform(reduced)
        bar.update(bar.total - bar.n)
        return points.astype(np.float32)


@dataclass
class KnnReport:
    """Leave-one-out k-nearest-neighbour classification in a feature space."""

    accuracy: float
    per_class: np.ndarray
    predictions: np.ndarray


def knn_accuracy(points: np.ndarray, labels: np.ndarray, k: int = 5) -> KnnReport:
    """Each point is classified by the majority label of its ``k`` nearest other points.

    Leave-one-out k-nearest-neighbour accuracy (Euclidean distance): how well the classes
    separate in a space, the same measure for features and for a t-SNE map. A tied vote
    goes to the lower class index.

    Parameters
    ----------
    points
        ``(N, dims)`` finite points: features or map coordinates.
    labels
        ``(N,)`` class index of each point.
    k
        How many neighbours vote, 1 to N - 1.

    Returns
    -------
    KnnReport
        ``accuracy`` (share of points classified right), ``per_class`` (that share per class,
        classes ``0 .. labels.max()``) and ``predictions`` ``(N,)``.

    References
    ----------
    Cover, T. M. and Hart, P. E. (1967). Nearest neighbor pattern classification. IEEE
    Transactions on Information Theory.

    Examples
    --------
    >>> report = knn_accuracy(features["features"], labels, k=5)  # doctest: +SKIP
    >>> report.accuracy  # doctest: +SKIP

    Used in notebook 03.
    """
    points = arguments.finite(points, "points")
    labels = arguments.labels(labels, n_classes=None)
    arguments.same_length(points=points, labels=labels)
    k = arguments.count(k, "k", 1, len(points) - 1)
    _, neighbours = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    others = np.empty((len(points), k), dtype=int)
    for i, row in enumerate(neighbours):
        others[i] = row[row != i][:k]  # drop the point itself wherever it was ranked
    votes = labels[others]
    n_classes = int(labels.max()) + 1
    predictions = np.array([np.bincount(v, minlength=n_classes).argmax() for v in votes])
    correct = predictions == labels
    per_class = np.array([correct[labels == c].mean() for c in range(n_classes)])
    return KnnReport(float(correct.mean()), per_class, predictions)


def knn_table(reports: dict[str, KnnReport], class_names) -> pd.DataFrame:
    """Per-class kNN accuracy, one column per space (e.g. features, t-SNE map).

    Parameters
    ----------
    reports
        ``{space name: KnnReport}`` from :func:`knn_accuracy`, at least one.
    class_names
        The name of each class, in class-index order.

    Returns
    -------
    pandas.DataFrame
        One row per class and a last row ``all`` (the overall accuracy), one column per
        space, rounded to 3 decimals.

    Examples
    --------
    >>> knn_table({"features": report, "t-SNE map": map_report}, class_names)  # doctest: +SKIP

    Used in notebook 03.
    """
    if not reports:
        raise ValueError("give at least one space's KnnReport")
    table = pd.DataFrame(
        {space: report.per_class for space, report in reports.items()}, index=list(class_names)
    )
    table.loc["all"] = [report.accuracy for report in reports.values()]
    return table.round(3)


def confused_pairs(labels, predictions, class_names, top: int = 5) -> pd.DataFrame:
    """The ``top`` (true, predicted) class pairs with the most mistakes.

    Parameters
    ----------
    labels
        ``(N,)`` true class indices.
    predictions
        ``(N,)`` predicted class indices, e.g. :attr:`KnnReport.predictions`.
    class_names
        The name of each class, in class-index order.
    top
        At most this many pairs.

    Returns
    -------
    pandas.DataFrame
        Columns ``true class``, ``taken for`` and ``mistakes``, most mistakes first (ties in
        class order); pairs with no mistake are left out, so there may be fewer rows.

    Examples
    --------
    >>> confused_pairs(labels, report.predictions, class_names)  # doctest: +SKIP

    Used in notebook 03.
    """
    labels = arguments.labels(labels, len(class_names))
    predictions = arguments.labels(predictions, len(class_names), "predictions")
    arguments.same_length(labels=labels, predictions=predictions)
    top = arguments.count(top, "top")
    matrix = confusion_matrix(labels, predictions, labels=range(len(class_names)))
    np.fill_diagonal(matrix, 0)
    order = np.argsort(-matrix, axis=None, kind="stable")[:top]
    rows = []
    for flat in order:
        true, predicted = np.unravel_index(flat, matrix.shape)
        if matrix[true, predicted] == 0:
            break
        rows.append((class_names[true], class_names[predicted], int(matrix[true, predicted])))
    return pd.DataFrame(rows, columns=["true class", "taken for", "mistakes"])


MATTERS = 0.02  # kNN accuracies closer than two points are "too small to matter"


def knn_comparison(reports: dict, labels, pairs, matters: float = MATTERS) -> pd.DataFrame:
    """Paired comparisons of kNN accuracies on the same points: for each ``(a, b)`` of
    ``pairs``, accuracy(a) - accuracy(b) with its 95 % paired bootstrap interval, McNemar's
    exact test on the points only one space classifies right, and the call (which is better,
    "no significant difference", or "too small to matter" when the whole interval lies
    within ``±matters``).

    Parameters
    ----------
    reports
        ``{space name: KnnReport}`` from :func:`knn_accuracy`, all on the same points.
    labels
        ``(N,)`` class index of each point.
    pairs
        ``(a, b)`` space names to compare, each a key of ``reports``.
    matters
        The smallest accuracy difference that matters (default :data:`MATTERS`); 0: any
        significant difference counts.

    Returns
    -------
    pandas.DataFrame
        One row per pair, indexed ``"a - b"``; columns ``difference``, ``low``, ``high``
        (rounded to 3 decimals), ``only a right``, ``only b right`` (points), ``McNemar p``
        (text, ``"< 0.001"`` when smaller) and ``call``.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika.

    Examples
    --------
    >>> knn_comparison(reports, labels, [("conv2", "pixels")])  # doctest: +SKIP

    Used in notebook 03.
    """
    labels = arguments.labels(labels, n_classes=None)
    pairs = [tuple(pair) for pair in pairs]
    if not pairs:
        raise ValueError("give at least one (a, b) pair of space names to compare")
    unknown = sorted({name for pair in pairs for name in pair} - set(reports))
    if unknown:
        raise ValueError(f"no KnnReport for {unknown}; there are {list(reports)}")
    rows = {}
    for a, b in pairs:
        right = {}
        for name in (a, b):
            predictions = np.asarray(reports[name].predictions)
            arguments.same_length(labels=labels, **{f"{name} predictions": predictions})
            right[name] = (predictions == labels).astype(float)
        paired = stats.paired_comparison(right[a], right[b], a, b)
        rows[f"{a} - {b}"] = {
            "difference": round(paired.difference, 3),
            "low": round(paired.low, 3),
            "high": round(paired.high, 3),
            "only a right": paired.only_a,
            "only b right": paired.only_b,
            "McNemar p": stats.p_text(paired.p_value),
            "call": paired.call(matters),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
