"""Exercises of notebook 06, HD-CNN: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import numpy as np

from helpers.exercises.harness import Mistake, check_function, check_names

# Questions


def check_cluster_of(answer, clusters, class_names, member: str) -> bool:
    """The class names of the cluster holding ``member`` (any order)."""
    index = list(class_names).index(member)
    expected = [class_names[c] for c in next(cl for cl in clusters if index in cl)]
    return check_names(
        answer,
        expected,
        f"{member}'s cluster: {expected}.",
        "print model.clusters with class names, as in the checked cell above.",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _average_reference(b, components, clusters, n_classes, top_m, renormalise=True):
    out = np.zeros((len(b), n_classes))
    for i, weights in enumerate(b):
        kept = sorted(range(len(weights)), key=lambda k: -weights[k])[:top_m]
        total = sum(weights[k] for k in kept) if renormalise else 1.0
        for k in kept:
            for position, cls in enumerate(clusters[k]):
                out[i, cls] += weights[k] / total * components[k][i, position]
    return out


def check_hd_average(learner) -> bool:
    """``hd_average(b (N, K), components [(N, |cluster k|)], clusters, n_classes, top_m)
    -> (N, n_classes)``: p(j|x) = sum over the top-m clusters of B_k(x) p_k(j|x), with the kept
    B renormalised to sum to 1."""
    rng = np.random.default_rng(8)
    clusters = [[0, 2], [1, 3, 4], [5]]
    cases = []
    for n, top_m in ((5, 3), (6, 2), (4, 1)):
        b = rng.dirichlet(np.ones(3), size=n)
        components = [rng.dirichlet(np.ones(len(c)), size=n) for c in clusters]
        cases.append((b, components, clusters, 6, top_m))
    mistakes = [
        Mistake(
            lambda *c: _average_reference(*c, renormalise=False),
            "renormalise the kept B_k(x) so they sum to 1 for each image.",
        ),
        Mistake(
            lambda b, comps, cl, n, m: _average_reference(b, comps, cl, n, len(cl)),
            "use only each image's top_m most probable clusters.",
        ),
    ]
    return check_function(learner, cases, _average_reference, mistakes)


def _affinity_reference(confusion):
    n = len(confusion)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = 1.0 if i == j else (confusion[i, j] + confusion[j, i]) / 2
    return out


def check_affinity(learner) -> bool:
    """``affinity(confusion (C, C)) -> (C, C)``: how similar two classes are for spectral
    clustering: the symmetrised confusion, 1 on the diagonal."""
    rng = np.random.default_rng(9)
    cases = []
    for n in (3, 5, 8):
        matrix = rng.random((n, n)) * 0.2 + np.eye(n) * 3
        cases.append((matrix / matrix.sum(axis=1, keepdims=True),))

    def diagonal_one(confusion):
        out = confusion.copy()
        np.fill_diagonal(out, 1.0)
        return out

    mistakes = [
        Mistake(
            diagonal_one,
            "symmetrise: i taken for j and j taken for i are the same similarity, so average "
            "confusion and confusion.T.",
        ),
        Mistake(
            lambda c: (c + c.T) / 2,
            "set the diagonal to 1: a class is fully similar to itself.",
        ),
    ]
    return check_function(learner, cases, _affinity_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def hd_average(b, components, clusters, n_classes, top_m):
    """HD-CNN's probabilistic average over each image's top_m clusters (B renormalised)."""
    keep = np.argsort(-b, axis=1, kind="stable")[:, :top_m]
    weights = np.zeros_like(b)
    np.put_along_axis(weights, keep, np.take_along_axis(b, keep, axis=1), axis=1)
    weights /= weights.sum(axis=1, keepdims=True)
    out = np.zeros((len(b), n_classes))
    for k, (probabilities, cluster) in enumerate(zip(components, clusters, strict=True)):
        out[:, cluster] += weights[:, k : k + 1] * probabilities
    return out


def affinity(confusion):
    """Symmetrised confusion with 1 on the diagonal."""
    out = (confusion + confusion.T) / 2
    np.fill_diagonal(out, 1.0)
    return out


QUESTIONS = (check_cluster_of,)
CODING = (check_hd_average, check_affinity)
SOLUTIONS = (hd_average, affinity)
