"""Exercises of notebook 03, t-SNE: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import numpy as np

from helpers.exercises.harness import (
    Mistake,
    best_of,
    check_choice,
    check_function,
    names_of,
    report,
    unanswered,
)

# Questions


def check_confused_pair(answer, pairs_table) -> bool:
    """The two classes the network mixes up most (either order; any pair on a tie)."""
    if unanswered(answer):
        return False
    if pairs_table.empty:
        return report(
            not names_of(answer),
            "no two classes were confused here: () is the answer.",
            "no two classes were confused here: there is no pair to name, answer ().",
        )
    top = pairs_table[pairs_table["mistakes"] == pairs_table["mistakes"].max()]
    accepted = [
        {a.lower(), b.lower()} for a, b in zip(top["true class"], top["taken for"], strict=True)
    ]
    given = names_of(answer)
    first = top.iloc[0]
    return report(
        given in accepted,
        f"{first['true class']} and {first['taken for']}.",
        "give a pair of class names, e.g. ('Shirt', 'Coat'); see the confused pairs.",
    )


def check_weakest_class(answer, table, space: str) -> bool:
    """The class with the lowest kNN accuracy in a space (any of them on a tie)."""
    accepted = best_of(table[space].drop("all"), largest=False)
    return check_choice(
        answer,
        accepted,
        f"{accepted[0]} is the hardest to separate.",
        f"the smallest value in the '{space}' column of the kNN table.",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _knn_reference(points, labels, k, include_self=False):
    hits = 0
    for i, point in enumerate(points):
        distances = [
            (float(np.sum((point - other) ** 2)), j)
            for j, other in enumerate(points)
            if include_self or j != i
        ]
        neighbours = [j for _, j in sorted(distances)[:k]]
        votes = np.bincount(labels[neighbours], minlength=labels.max() + 1)
        hits += int(np.argmax(votes) == labels[i])
    return hits / len(points)


def check_knn_accuracy(learner) -> bool:
    """``knn_accuracy(points (N, D), labels (N,), k) -> float``: leave-one-out, majority vote
    of the k nearest other points (a tie goes to the smallest label)."""
    rng = np.random.default_rng(4)
    cases = []
    for n, d, k in ((30, 2, 1), (40, 5, 3), (25, 3, 5)):
        labels = rng.integers(0, 3, n)
        cases.append((rng.normal(size=(n, d)) + labels[:, None], labels, k))
    mistakes = [
        Mistake(
            lambda p, y, k: _knn_reference(p, y, k, include_self=True),
            "leave each point out of its own neighbours: it is always its own nearest one.",
        ),
        Mistake(
            lambda p, y, k: _knn_reference(p, y, k + 1),
            "off by one: use exactly k neighbours.",
        ),
    ]
    return check_function(learner, cases, _knn_reference, mistakes)


def _neighbours_reference(p):
    p = np.asarray(p, float)
    out = []
    for row in p:
        entropy = -sum(v * np.log2(v) for v in row if v > 0)
        out.append(2.0**entropy)
    return np.array(out)


def _log_of_zeros(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2.0 ** -np.sum(p * np.log2(p), axis=1)


def check_effective_neighbours(learner) -> bool:
    """``effective_neighbours(p (N, M)) -> (N,)``: the perplexity 2 ** H(p_i) of each row, H
    in bits; 0 x log 0 counts as 0."""
    rng = np.random.default_rng(5)
    uniform = np.full((2, 8), 1 / 8)
    peaked = rng.dirichlet(np.full(6, 0.3), size=4)
    sparse = np.array([[0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    cases = [(uniform,), (peaked,), (sparse,)]

    def entropy_bits(p):
        p = np.asarray(p, float)
        return -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0.0), axis=1)

    mistakes = [
        Mistake(
            _log_of_zeros,
            "a zero probability gives 0 x log 0 = NaN in numpy: count those terms as 0.",
        ),
        Mistake(
            entropy_bits,
            "that is the entropy H; the perplexity, the effective number of neighbours, is "
            "2 ** H (H in bits).",
        ),
        Mistake(
            lambda p: np.exp(entropy_bits(p)),
            "pair the bases: 2 ** H with H in bits, or exp(H) with H in nats (natural log).",
        ),
    ]
    return check_function(learner, cases, _neighbours_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def knn_accuracy(points, labels, k):
    """Leave-one-out k-nearest-neighbour accuracy (majority vote, ties to the smallest label)."""
    distances = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(distances, np.inf)
    neighbours = np.argsort(distances, axis=1, kind="stable")[:, :k]
    votes = np.array([np.bincount(labels[row], minlength=labels.max() + 1) for row in neighbours])
    return float(np.mean(votes.argmax(axis=1) == labels))


def effective_neighbours(p):
    """Perplexity 2 ** H(p) of each row of ``p``, H in bits, 0 log 0 = 0."""
    logs = np.log2(np.where(p > 0, p, 1.0))
    return 2.0 ** -(p * logs).sum(axis=1)


QUESTIONS = (check_confused_pair, check_weakest_class)
CODING = (check_knn_accuracy, check_effective_neighbours)
SOLUTIONS = (knn_accuracy, effective_neighbours)
