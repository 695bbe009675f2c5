"""Honest comparisons: bootstrap intervals of per-image scores and paired tests.

Two methods scored on the same test images are compared *paired*: the images are resampled
together, so the interval of the difference reflects only where the methods disagree.
McNemar's exact test asks whether the discordant pairs (one right, the other wrong) split
unevenly; on 2,000 images a difference of 3 images is noise.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest, norm

from helpers.infra import arguments

DRAWS = 2000
LEVEL = 0.95


def _scores(values, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of per-image scores")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} holds NaN or inf: score every image with a finite number")
    return values


def _resampled_means(values: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """Means of ``draws`` bootstrap resamples (images drawn with replacement), seeded."""
    if draws < 100:
        raise ValueError(f"draws must be at least 100 for a 95 % interval, got {draws}")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(values), size=(draws, len(values)))
    return values[picks].mean(axis=1)


def bootstrap_interval(
    values, draws: int = DRAWS, seed: int = 0, level: float = LEVEL
) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of per-image scores and its percentile bootstrap
    interval (``level`` = 0.95 gives the 2.5th and 97.5th percentiles of resampled means)."""
    values = _scores(values, "values")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    means = _resampled_means(values, draws, seed)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(values.mean()), float(low), float(high)


VERDICT_WIDTH = 100  # characters: a verdict line a learner reads at a glance


def verdicts(paired, width: int = VERDICT_WIDTH) -> str:
    """The :meth:`Paired.verdict` of each comparison in ``paired``, one after another."""
    return "\n".join(pair.verdict(width) for pair in paired)


def p_text(p: float) -> str:
    """A p-value as a table cell a learner reads: ``< 0.001`` below a thousandth, else three
    decimals (``0.035``); no scientific notation."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_p(p: float) -> str:
    """A p-value in a sentence: ``p < 0.001`` or ``p = 0.035``."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


@dataclass(frozen=True)
class Paired:
    """Method A vs method B on the same images."""

    name_a: str
    name_b: str
    difference: float  # mean(A) - mean(B)
    low: float
    high: float
    only_a: int  # images A gets right and B wrong (binary scores only)
    only_b: int
    p_value: float  # McNemar's exact test (binary scores), else NaN

    @property
    def significant(self) -> bool:
        """The 95 % interval of the difference excludes zero."""
        return self.low > 0 or self.high < 0

    def verdict(self, width: int = VERDICT_WIDTH) -> str:
        """What a notebook prints: the difference with its interval, for right/wrong scores
        McNemar's test, then the call (which is better, or no significant difference), each
        wrapped at ``width`` characters (continued lines indented), so that even long method
        names read at a glance."""
        width = arguments.count(width, "width", low=40)
        interval = f"{self.difference:+.4f} (95 % CI {self.low:+.4f} to {self.high:+.4f})"
        lines = [f"{self.name_a} - {self.name_b}: {interval}"]
        if np.isfinite(self.p_value):
            lines.append(
                f"  McNemar: {self.only_a} images only {self.name_a} gets right, {self.only_b} "
                f"only {self.name_b}; {format_p(self.p_value)}"
            )
        wrapped = []
        for line in [*lines, f"  -> {self.call()}"]:
            indent = " " * (len(line) - len(line.lstrip()) + 2)
            wrapped += textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False)
        return "\n".join(wrapped)

    def call(self, matters: float = 0.0) -> str:
        """Which is better, "no significant difference", or, when the whole interval lies
        closer to zero than ``matters`` (the smallest difference that matters for the score),
        "too small to matter", significant or not."""
        if matters > 0 and -matters < self.low and self.high < matters:
            return "too small to matter"
        if not self.significant:
            return "no significant difference"
        better, worse = (
            (self.name_a, self.name_b) if self.difference > 0 else (self.name_b, self.name_a)
        )
        return f"{better} is better than {worse}"


def paired_comparison(
    a, b, name_a: str = "A", name_b: str = "B", draws: int = DRAWS, seed: int = 0
) -> Paired:
    """Paired bootstrap interval of ``mean(a) - mean(b)`` over the same images and, when the
    scores are 0/1 (right/wrong), McNemar's exact test on the discordant images.

    The images are resampled together, so the interval reflects only where the two methods
    disagree; images both get right (or wrong) say nothing about which is better.

    Parameters
    ----------
    a, b
        ``(N,)`` finite per-image scores of the two methods on the same images, e.g. 0/1
        for wrong/right.
    name_a, name_b
        The methods' names, used by :meth:`Paired.verdict` and :meth:`Paired.call`.
    draws
        Bootstrap resamples (at least 100).
    seed
        Random seed of the resampling: the same seed gives the same interval.

    Returns
    -------
    Paired
        ``difference`` (mean(a) - mean(b)), ``low`` and ``high`` (its 95 % percentile
        bootstrap interval), ``only_a`` and ``only_b`` (images only one method gets right)
        and ``p_value`` (McNemar's, NaN unless both score 0/1); ``verdict()`` says it in
        one sentence.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika.

    Examples
    --------
    >>> gain = paired_comparison(hd_correct, single_correct, "HD-CNN", "single")  # doctest: +SKIP
    >>> print(gain.verdict())  # doctest: +SKIP

    Used in notebooks 04 and 06.
    """
    a, b = _scores(a, "a"), _scores(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must score the same images: got {len(a)} and {len(b)} scores")
    diff = a - b
    _, low, high = bootstrap_interval(diff, draws, seed)
    binary = np.isin(a, (0, 1)).all() and np.isin(b, (0, 1)).all()
    only_a = int(np.sum((a == 1) & (b == 0))) if binary else 0
    only_b = int(np.sum((a == 0) & (b == 1))) if binary else 0
    p_value = mcnemar_p(only_a, only_b) if binary else float("nan")
    return Paired(name_a, name_b, float(diff.mean()), low, high, only_a, only_b, p_value)


def mcnemar_p(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: the discordant images should split 50/50 if the two
    methods are equally good (1.0 when there are none)."""
    only_a = arguments.count(only_a, "only_a (images only A gets right)", low=0)
    only_b = arguments.count(only_b, "only_b (images only B gets right)", low=0)
    total = only_a + only_b
    return 1.0 if total == 0 else float(binomtest(only_a, total, 0.5).pvalue)


def exact_interval(successes: int, trials: int, level: float = LEVEL) -> tuple[float, float]:
    """The exact (Clopper-Pearson) ``level`` interval of a proportion: for a few images,
    where a bootstrap interval collapses (20 right out of 20 resamples to 1.0 every time).

    Examples
    --------
    >>> [round(v, 3) for v in exact_interval(17, 20)]
    [0.621, 0.968]
    >>> [round(v, 3) for v in exact_interval(20, 20)]
    [0.832, 1.0]

    Used in notebook 00.
    """
    trials = arguments.count(trials, "trials")
    successes = arguments.count(successes, "successes", low=0, high=trials)
    level = arguments.number(level, "level", 0, 1, low_open=True)
    if level == 1:
        raise ValueError("level must be below 1")
    interval = binomtest(successes, trials).proportion_ci(level, method="exact")
    return float(interval.low), float(interval.high)


def noise_margin(n_images: int, level: float = LEVEL) -> float:
    """The widest half-width of a ``level`` interval for the difference of two means of
    ``n_images`` scores each in [0, 1], when only the means are known (no per-image scores):
    each score's standard deviation is at most 0.5, so z * 0.5 * sqrt(2 / n). Two such
    means further apart than this differ beyond sampling noise, whatever the scores.

    A normal approximation that treats the two means as independent; with per-image scores
    of both on the same images, :func:`paired_comparison` gives a tighter, paired answer.

    Parameters
    ----------
    n_images
        Images behind each mean.
    level
        Confidence level, between 0 and 1 (default 0.95).

    Returns
    -------
    float
        The half-width z * 0.5 * sqrt(2 / n_images).

    Examples
    --------
    >>> round(noise_margin(2000), 3)  # doctest: +SKIP
    0.031

    Used in notebook 07.
    """
    n_images = arguments.count(n_images, "n_images")
    level = arguments.number(level, "level", 0, 1, low_open=True)
    if level == 1:
        raise ValueError("level must be below 1")
    return float(norm.ppf(0.5 + level / 2) * 0.5 * np.sqrt(2 / n_images))


def interval_table(per_image: dict, decimals: int = 4, draws: int = DRAWS, seed: int = 0):
    """A table of per-image scores ``{row: {metric: (N,) scores}}``: for each metric its mean
    and 95 % interval, as columns ``metric``, ``metric low``, ``metric high``.

    Each interval is a percentile bootstrap interval over the images
    (:func:`bootstrap_interval`), for each row on its own; to compare two rows, pair them
    with :func:`paired_comparison`.

    Parameters
    ----------
    per_image
        ``{row: {metric: (N,) finite scores}}``, every row with the same metrics.
    decimals
        Rounding of the table.
    draws
        Bootstrap resamples (at least 100).
    seed
        Random seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        One row per key of ``per_image``; per metric the columns ``metric``,
        ``metric low`` and ``metric high``.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> interval_table(per_image, decimals=3)  # doctest: +SKIP

    Used in notebook 07.
    """
    if not per_image:
        raise ValueError("per_image is empty: give {row: {metric: per-image scores}}")
    columns = {row: list(metrics) for row, metrics in per_image.items()}
    if len({tuple(c) for c in columns.values()}) > 1:
        raise ValueError(f"every row must have the same metrics, got {columns}")
    table = {}
    for row, metrics in per_image.items():
        table[row] = {}
        for metric, values in metrics.items():
            mean, low, high = bootstrap_interval(values, draws, seed)
            table[row] |= {metric: mean, f"{metric} low": low, f"{metric} high": high}
    return pd.DataFrame(table).T.round(decimals)


def accuracy_table(correct: dict, draws: int = DRAWS, seed: int = 0):
    """One row per method: accuracy (mean of 0/1 per image) and its 95 % bootstrap interval.

    Parameters
    ----------
    correct
        ``{method: (N,) 0/1 per image}`` (1: right).
    draws
        Bootstrap resamples (at least 100).
    seed
        Random seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        Indexed by method; columns ``accuracy``, ``accuracy low`` and ``accuracy high``,
        rounded to 4 decimals.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> accuracy_table({"single": single_correct, "HD-CNN": hd_correct})  # doctest: +SKIP

    Used in notebook 06.
    """
    for name, values in correct.items():
        if not np.isin(np.asarray(values, float), (0, 1)).all():
            raise ValueError(f"{name!r} must hold one 0/1 (wrong/right) per image")
    return interval_table({name: {"accuracy": v} for name, v in correct.items()}, 4, draws, seed)


def compare_to(correct: dict, reference: str, draws: int = DRAWS, seed: int = 0) -> list[Paired]:
    """Every method of ``correct`` (name -> per-image 0/1) paired against ``reference``.

    Parameters
    ----------
    correct
        ``{method: (N,) per-image scores}`` on the same images, e.g. 0/1 for wrong/right.
    reference
        The method every other one is compared with (a key of ``correct``).
    draws
        Bootstrap resamples (at least 100).
    seed
        Random seed of the resampling.

    Returns
    -------
    list of Paired
        One :func:`paired_comparison` per other method, in the order of ``correct``, with
        ``reference`` as method A: ``difference`` is mean(reference) - mean(other).

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika.

    Examples
    --------
    >>> for paired in compare_to(correct, "feature extraction + dense head"):  # doctest: +SKIP
    ...     print(paired.verdict())

    Used in notebook 04.
    """
    if reference not in correct:
        raise ValueError(f"reference {reference!r} is not one of {list(correct)}")
    return [
        paired_comparison(correct[reference], values, reference, name, draws, seed)
        for name, values in correct.items()
        if name != reference
    ]


def with_intervals(table, metrics, decimals: int = 3):
    """``table`` from :func:`interval_table` as a learner reads it: one column per metric,
    each cell ``mean [low, high]``, for the ``metrics`` asked for (at most 8 columns).

    Parameters
    ----------
    table
        A table with columns ``metric``, ``metric low``, ``metric high``.
    metrics
        The metrics to show, in order.
    decimals
        Decimals of each number.

    Returns
    -------
    pandas.DataFrame
        Text cells, one column per metric.

    Examples
    --------
    >>> with_intervals(table, ["pointing game", "IoU"])  # doctest: +SKIP

    Used in notebook 07.
    """
    metrics = list(metrics)
    if not 1 <= len(metrics) <= 8:
        raise ValueError(
            f"give 1 to 8 metrics (a table a learner reads fits one screen), got {metrics}"
        )
    missing = [m for m in metrics if not {m, f"{m} low", f"{m} high"} <= set(table.columns)]
    if missing:
        raise ValueError(f"the table has no mean and interval of {missing}: run interval_table")
    return pd.DataFrame(
        {
            m: [
                f"{mean:.{decimals}f} [{low:.{decimals}f}, {high:.{decimals}f}]"
                for mean, low, high in zip(
                    table[m], table[f"{m} low"], table[f"{m} high"], strict=True
                )
            ]
            for m in metrics
        },
        index=table.index,
    )
