"""Exercises of notebook 08, feature visualisation and sanity checks: its question, its coding
exercises (the ascent step, the randomisation loop, the rank correlation; an independent
reference each) and their worked solutions."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from helpers.exercises.harness import Mistake, check_choice, check_function

# Questions


def check_failing_methods(answer, verdicts) -> bool:
    """The methods whose maps do not pass the cascading randomisation test (``verdicts``:
    a table with a boolean column ``passes``, one row per method)."""
    failing = [str(name) for name, passes in verdicts["passes"].items() if not passes]
    if answer is not None and not isinstance(answer, str | list | tuple):
        answer = str(answer)
    given = answer if answer is None or isinstance(answer, str) else ", ".join(map(str, answer))
    return check_choice(
        None if given is None else given.lower().replace(" ", ""),
        [", ".join(failing).lower().replace(" ", "")],
        f"{', '.join(failing)}: their maps stay alike whatever the weights.",
        "the rows whose 'passes' is False: name every one, separated by commas.",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _ascent_reference(image, gradient, learning_rate):
    total = 0.0
    for value in gradient.ravel():
        total += value * value
    return image + learning_rate * gradient / np.sqrt(total)


def check_ascent_step(learner) -> bool:
    """``ascent_step(image, gradient, learning_rate) -> image``: one step of gradient
    ascent, the gradient scaled to length ``learning_rate`` (its L2 norm)."""
    rng = np.random.default_rng(20)
    cases = [
        (rng.random((h, w, c)), rng.normal(size=(h, w, c)), rate)
        for h, w, c, rate in ((4, 4, 1, 0.1), (6, 5, 3, 0.05), (8, 8, 3, 1.0))
    ]
    mistakes = [
        Mistake(
            lambda x, g, r: x - r * g / np.linalg.norm(g),
            "ascent climbs: add the gradient, don't subtract it (that is descent).",
        ),
        Mistake(
            lambda x, g, r: x + r * g,
            "scale the gradient to unit length (divide by its L2 norm) before the step.",
        ),
        Mistake(
            lambda x, g, r: x + r * g / np.abs(g).max(),
            "divide by the gradient's L2 norm, sqrt(sum of squares), not its largest entry.",
        ),
        Mistake(
            lambda x, g, r: x + r * g / np.linalg.norm(g, axis=-1, keepdims=True),
            "one norm for the whole gradient, not one per pixel.",
        ),
    ]
    return check_function(learner, cases, _ascent_reference, mistakes)


def _stages_reference(layer_names):
    stages = [[]]
    randomised = []
    for i in range(len(layer_names) - 1, -1, -1):
        randomised = randomised + [layer_names[i]]
        stages.append(list(randomised))
    return stages


def _encoded(stages, names) -> np.ndarray:
    """``(stages, layers)``: 1 where a stage randomises the layer (in any order within it)."""
    if isinstance(stages, np.ndarray) or not all(isinstance(s, list | tuple) for s in stages):
        return np.full((1, 1), np.nan)  # not a list of lists: no match, a plain hint
    return np.array([[float(name in stage) for name in names] for stage in stages])


def check_cascade_stages(learner) -> bool:
    """``cascade_stages(layer_names) -> list of lists``: the layers randomised at each stage
    of the cascading test, from the trained network (none) to all; ``layer_names`` from the
    input to the output."""
    cases = [
        (["conv1", "conv2", "dense"],),
        (["enc1", "enc2", "enc3", "enc4", "bottleneck", "predictions"],),
        (["only", "two"],),
    ]

    def encoded(function):
        return lambda names: _encoded(function(list(names)), names)

    mistakes = [
        Mistake(
            encoded(lambda names: [names[:i] for i in range(len(names) + 1)]),
            "from the top down: the output layer is randomised first, the input's last.",
        ),
        Mistake(
            encoded(lambda names: [[]] + [[name] for name in reversed(names)]),
            "cascading: each stage keeps the layers randomised before it and adds the next.",
        ),
    ]
    learner_encoded = None if learner is None else encoded(learner)
    return check_function(learner_encoded, cases, encoded(_stages_reference), mistakes)


def _ranks_reference(values):
    n = len(values)
    ranks = np.zeros(n)
    for i in range(n):
        below = sum(1 for j in range(n) if values[j] < values[i])
        equal = sum(1 for j in range(n) if values[j] == values[i])
        ranks[i] = below + (equal + 1) / 2  # ties share the mean of their ranks
    return ranks


def _spearman_reference(a, b):
    ra, rb = _ranks_reference(a), _ranks_reference(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    return float((ra * rb).sum() / np.sqrt((ra * ra).sum() * (rb * rb).sum()))


def _pearson(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def _ranks_ignoring_ties(a, b):
    return _pearson(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))


def check_rank_correlation(learner) -> bool:
    """``rank_correlation(a, b) -> float``: Spearman's rank correlation of two 1-D arrays
    (tied values share the mean of their ranks)."""
    rng = np.random.default_rng(21)
    x = rng.random(30)
    ties = np.round(rng.random(25) * 4)  # many ties
    cases = [
        (x, x**3 + 0.1 * rng.random(30)),
        (rng.random(12), rng.random(12)),
        (ties, np.round(ties + rng.normal(0, 1.5, 25))),
        (np.exp(5 * x), x),  # a monotone but far from linear relation
    ]
    mistakes = [
        Mistake(
            _pearson,
            "correlate the *ranks* of the values, not the values themselves (that is Pearson's).",
        ),
        Mistake(
            _ranks_ignoring_ties,
            "tied values must share the mean of their ranks (argsort of argsort breaks ties).",
        ),
        Mistake(
            lambda a, b: abs(_spearman_reference(a, b)),
            "keep the sign: reversed rankings correlate negatively.",
        ),
    ]
    return check_function(learner, cases, _spearman_reference, mistakes)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def ascent_step(image, gradient, learning_rate):
    """x + lr * g / ||g||: a step of length lr up the gradient."""
    return image + learning_rate * gradient / np.linalg.norm(gradient)


def cascade_stages(layer_names):
    """[], [last], [last, second last], ..., every layer: randomised from the top down."""
    top_down = list(reversed(layer_names))
    return [top_down[:i] for i in range(len(top_down) + 1)]


def rank_correlation(a, b):
    """Pearson's correlation of the ranks (ties averaged, as scipy.stats.rankdata does)."""
    return float(np.corrcoef(rankdata(a), rankdata(b))[0, 1])


QUESTIONS = (check_failing_methods,)
CODING = (check_ascent_step, check_cascade_stages, check_rank_correlation)
SOLUTIONS = (ascent_step, cascade_stages, rank_correlation)
