"""The course's dataset type and the operations every dataset shares: stratified sampling,
keeping some classes, the size cap of smoke runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.infra import arguments


@dataclass
class Dataset:
    """Images as float32 in [0, 1] with a channel axis, integer labels, class names."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    train_index: np.ndarray | None = None  # each training image's position in the full file

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self.x_train)} train, {len(self.x_test)} test, "
            f"{len(self.class_names)} classes, image {self.x_train.shape[1:]}, from {self.source})"
        )


def select_classes(dataset: Dataset, classes) -> Dataset:
    """Only the images of ``classes`` (indices or names), relabelled 0..len(classes)-1 in the
    order given."""
    n = len(dataset.class_names)
    names = list(dataset.class_names)
    if isinstance(classes, str | int | np.integer) or not hasattr(classes, "__iter__"):
        raise ValueError(
            f"classes must be a list of class indices or names, e.g. [2, 4] or "
            f"['Pullover', 'Coat'], got {classes!r}: put even one class in a list"
        )
    unknown = [c for c in classes if isinstance(c, str) and c not in names]
    if unknown:
        raise ValueError(f"unknown class name(s) {unknown}; the classes are {names}")
    classes = [
        names.index(c) if isinstance(c, str) else arguments.integral(c, "classes") for c in classes
    ]
    if not classes or len(set(classes)) != len(classes) or not all(0 <= c < n for c in classes):
        raise ValueError(f"classes must be distinct indices in 0..{n - 1}, got {classes}")
    relabel = np.full(n, -1)
    relabel[classes] = np.arange(len(classes))
    train, test = np.isin(dataset.y_train, classes), np.isin(dataset.y_test, classes)
    return Dataset(
        dataset.x_train[train],
        relabel[dataset.y_train[train]],
        dataset.x_test[test],
        relabel[dataset.y_test[test]],
        tuple(dataset.class_names[c] for c in classes),
        f"{dataset.source}, classes {classes}",
        None if dataset.train_index is None else dataset.train_index[train],
    )


def limited(dataset: Dataset, limit: int | None) -> Dataset:
    """The first ``limit`` training and test images of ``dataset`` (all when None): the size
    cap of smoke runs (``COURSE_FULL_LIMIT``)."""
    if limit is None:
        return dataset
    return Dataset(
        dataset.x_train[:limit],
        dataset.y_train[:limit],
        dataset.x_test[:limit],
        dataset.y_test[:limit],
        dataset.class_names,
        f"{dataset.source}, first {limit} images (COURSE_FULL_LIMIT)",
        None if dataset.train_index is None else dataset.train_index[:limit],
    )


def describe_classes(class_names) -> str:
    """One line per class: ``index: name``."""
    return "\n".join(f"{i}: {name}" for i, name in enumerate(class_names))
