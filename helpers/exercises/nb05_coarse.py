"""Exercises of notebook 05, coarse extraction: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import numpy as np

from helpers import coarse
from helpers.exercises.harness import (
    RETURNED_NONE,
    Mistake,
    ReturnedWrong,
    check_choice,
    check_function,
    described,
)

# Questions


def check_scsm_neighbour(answer, kernel, class_names, of: str) -> bool:
    """The class whose weight column is most similar to ``of``'s."""
    row = coarse.sorted_similarity(coarse.class_similarity(kernel))[list(class_names).index(of)]
    expected = class_names[row[1]]
    return check_choice(
        answer,
        expected,
        f"{expected} is {of}'s nearest class by weights.",
        f"the second entry of {of}'s SCSM row (the first is {of} itself).",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _cosine_reference(kernel):
    n = kernel.shape[1]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            a, b = kernel[:, i], kernel[:, j]
            out[i, j] = float(a @ b) / (np.sqrt(a @ a) * np.sqrt(b @ b))
    return out


def check_class_similarity(learner) -> bool:
    """``class_similarity(kernel (features, classes)) -> (classes, classes)`` cosines."""
    rng = np.random.default_rng(6)
    cases = [(rng.normal(size=(f, c)),) for f, c in ((5, 3), (8, 10), (3, 6))]
    mistakes = [
        Mistake(
            lambda k: _cosine_reference(k.T),
            "compare the class *columns* of the kernel (one per class): use kernel.T.",
        ),
        Mistake(
            lambda k: k.T @ k,
            "divide each dot product by the two columns' lengths: cosine, not dot product.",
        ),
    ]
    return check_function(learner, cases, _cosine_reference, mistakes)


def _coarse_unit_reference(kernel, bias, scsm_row, k):
    members = list(scsm_row[:k])
    column = sum(kernel[:, c] for c in members) / k
    return np.append(column, sum(bias[c] for c in members) / k)


def check_coarse_unit(learner) -> bool:
    """``coarse_unit(kernel, bias, scsm_row, k) -> (column (features,), bias)``: the mean of
    the first k SCSM entries' columns and biases. The check compares both at once."""
    rng = np.random.default_rng(7)
    cases = []
    for f, c, k in ((4, 5, 2), (6, 10, 3), (3, 4, 1)):
        row = np.concatenate(([1], rng.permutation([i for i in range(c) if i != 1])))
        cases.append((rng.normal(size=(f, c)), rng.normal(size=c), row, k))

    def joined(fn):
        def run(*case):
            returned = fn(*case)
            if returned is None:
                raise ReturnedWrong(RETURNED_NONE)
            if not isinstance(returned, tuple | list) or len(returned) != 2:
                raise ReturnedWrong(
                    f"your function returned {described(returned)}; return two values, "
                    "(column, bias)."
                )
            column, bias = returned
            return np.append(np.asarray(column, float), float(bias))

        return run

    def wrong_bias(kernel, bias, row, k):
        return np.append(_coarse_unit_reference(kernel, bias, row, k)[:-1], bias[row[0]])

    mistakes = [
        Mistake(wrong_bias, "average the members' biases too, not only their columns."),
        Mistake(
            lambda kernel, bias, row, k: _coarse_unit_reference(kernel, bias, row, k) * k,
            "average the k members (divide by k), don't sum them.",
        ),
        Mistake(
            lambda kernel, bias, row, k: _coarse_unit_reference(kernel, bias, row, k + 1),
            "off by one: the first k entries of the row, the class itself included.",
        ),
    ]
    learner = None if learner is None else joined(learner)
    return check_function(learner, cases, _coarse_unit_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def class_similarity(kernel):
    """Cosine similarity (classes, classes) of the kernel's class columns."""
    unit = kernel / np.linalg.norm(kernel, axis=0, keepdims=True)
    return unit.T @ unit


def coarse_unit(kernel, bias, scsm_row, k):
    """The coarse unit of an initialisation class: its first k SCSM entries averaged."""
    members = scsm_row[:k]
    return kernel[:, members].mean(axis=1), bias[members].mean()


QUESTIONS = (check_scsm_neighbour,)
CODING = (check_class_similarity, check_coarse_unit)
SOLUTIONS = (class_similarity, coarse_unit)
