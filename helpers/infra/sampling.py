"""Stratified sampling of labelled items: the same number of each label, reproducibly. Used
by the datasets (the shipped subset) and by techniques (small training sets)."""

from __future__ import annotations

import warnings

import numpy as np

from helpers.infra import arguments, config


def stratified_indices(
    labels: np.ndarray, per_class: int, seed: int = config.DEFAULT_SEED
) -> np.ndarray:
    """Sorted indices of ``per_class`` random items of every label (all of them if fewer,
    with a warning naming those labels)."""
    per_class = arguments.count(per_class, "per_class")
    labels = np.asarray(labels)
    values, counts = np.unique(labels, return_counts=True)
    short = values[counts < per_class]
    if len(short):
        warnings.warn(
            f"label(s) {short[:10].tolist()} have fewer than {per_class} items "
            f"(as few as {counts.min()}): all of theirs are taken",
            stacklevel=2,
        )
    rng = np.random.default_rng(seed)
    chosen = []
    for label in values:
        members = np.flatnonzero(labels == label)
        take = min(per_class, len(members))
        chosen.append(rng.choice(members, size=take, replace=False))
    return np.sort(np.concatenate(chosen))
