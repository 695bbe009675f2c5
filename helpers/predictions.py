"""What a classifier says about each image, as a table a learner reads.

Used in notebook 00 (the ImageNet network's top-5 on each photo, and its top-1 and top-5
accuracy on labelled photos).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.infra import arguments

ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th")


def top_k_table(probabilities, class_names, row_names, k: int = 5) -> pd.DataFrame:
    """The ``k`` most probable classes of each row, best first, as ``"name 0.61"``.

    A classifier's top-k: the true class among them counts as a top-k hit (ImageNet is
    usually scored by top-1 and top-5). Equal probabilities keep the lower class index
    first.

    Parameters
    ----------
    probabilities
        ``(N, C)`` class probabilities.
    class_names
        ``C`` names.
    row_names
        ``N`` names of the images (the table's index).
    k
        How many classes per row, 1 to 8 (a table that fits one screen).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``row_names``; columns ``1st``, ``2nd``, ... (``k`` of them), each cell
        the class name and its probability to 2 decimals.

    Examples
    --------
    >>> top_k_table([[0.1, 0.7, 0.2]], ["a", "b", "c"], ["photo"], k=2)
              1st     2nd
    photo  b 0.70  c 0.20
    >>> top_k_table(net.probabilities, net.class_names, net.photos.names)  # doctest: +SKIP

    Used in notebook 00.
    """
    probabilities = arguments.finite(np.asarray(probabilities, np.float64), "probabilities")
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be (images, classes); got {probabilities.shape}")
    n, classes = probabilities.shape
    if len(class_names) != classes:
        raise ValueError(f"{len(class_names)} class names for {classes} classes")
    if len(row_names) != n:
        raise ValueError(f"{len(row_names)} row names for {n} rows of probabilities")
    k = arguments.count(k, "k", low=1, high=min(len(ORDINALS), classes))
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    cells = [[f"{class_names[c]} {probabilities[i, c]:.2f}" for c in order[i]] for i in range(n)]
    return pd.DataFrame(cells, index=list(row_names), columns=list(ORDINALS[:k]))


def top_k_hits(probabilities, labels, k: int) -> np.ndarray:
    """1 where the true class is among the ``k`` most probable, else 0 (ties keep the lower
    class index first, as :func:`top_k_table` shows them).

    Parameters
    ----------
    probabilities
        ``(N, C)`` class probabilities.
    labels
        ``N`` true class indices.
    k
        1 for top-1 accuracy, 5 for top-5.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` of 0.0 and 1.0; its mean is the top-k accuracy.

    Examples
    --------
    >>> top_k_hits([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], [2, 2], k=2)
    array([1., 1.])
    >>> top_k_hits([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], [2, 2], k=1)
    array([0., 0.])
    """
    probabilities = arguments.finite(np.asarray(probabilities, np.float64), "probabilities")
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be (images, classes); got {probabilities.shape}")
    labels = arguments.labels(labels, probabilities.shape[1], "labels")
    arguments.same_length(probabilities=probabilities, labels=labels)
    k = arguments.count(k, "k", low=1, high=probabilities.shape[1])
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return (order == labels[:, None]).any(axis=1).astype(np.float64)
