"""Notebook 04's measurements, measured here or read from the record shipped with the course.

Training the four transfer methods, the earlier cut, the other base's two methods and five
training-set sizes takes about two minutes on 2 CPU cores, so
``scripts/train_zoo.py transfer`` measures them once for the ``quick`` profile and writes
``data/models/transfer_quick.json``. The record carries the sha256 of its own content and of
the bases it was measured with, like the shipped models: a damaged or hand-edited record, or
one measured on another base, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from helpers import config, records, transfer

SHIPPED = config.MODELS_DIR / "transfer_quick.json"
RERUN = "python scripts/train_zoo.py transfer"


@dataclass
class Comparison:
    """The four methods, feature extraction at an earlier cut, and test accuracy of feature
    extraction vs from scratch per labelled training images per class; ``source`` says
    where and when they were measured."""

    methods: list[transfer.Result]
    earlier: transfer.Result
    sizes: dict[int, tuple[float, float]]
    source: str
    other: list[transfer.Result] = field(default_factory=list)  # the other base's methods


def measure(
    setting, split, cache=None, sizes=(), schedule: transfer.Schedule | None = None
) -> Comparison:
    """Train and score everything notebook 04 shows, on ``split``; the sample-size sweep
    for each of ``sizes`` (as :func:`helpers.widgets.sample_size_explorer` computes it)."""
    cache = transfer.FeatureCache() if cache is None else cache
    schedule = transfer.Schedule() if schedule is None else schedule
    base, cut = setting.base, setting.cut_layer
    other_sizes = [size for size in dict.fromkeys(sizes) if size != setting.per_class]
    other_base = setting.other_base is not None
    steps = 2 + other_base + len(other_sizes)
    with tqdm(total=steps, desc="training notebook 04's methods") as bar:
        methods = transfer.compare_methods(
            base, split, cut, setting.fine_tune_from, schedule, cache
        )
        bar.update()
        earlier = transfer.feature_extraction(base, split, setting.earlier_cut, schedule, cache)
        bar.update()
        other = []
        if other_base:
            other = transfer.pretrained_methods(
                setting.other_base(),
                split,
                "features",
                setting.other_fine_tune_from,
                setting.other_base_label,
                schedule,
                cache,
            )
            bar.update()
        by_size = {setting.per_class: (methods[0].test_accuracy, methods[-1].test_accuracy)}
        for size in other_sizes:
            small = transfer.small_split(setting.dataset, size, setting.val_per_class)
            by_size[size] = (
                transfer.feature_extraction(base, small, cut, schedule, cache).test_accuracy,
                transfer.from_scratch(base, small, cut, schedule).test_accuracy,
            )
            bar.update()
    return Comparison(methods, earlier, dict(sorted(by_size.items())), "measured here", other)


def _split_record(split) -> dict:
    return {
        "train_images": len(split.y_train),
        "validation_images": len(split.y_val),
        "test_labels_sha256": records.array_sha256(split.y_test),
    }


def _result_record(result: transfer.Result) -> dict:
    return {
        "method": result.method,
        "correct": "".join("1" if c else "0" for c in result.correct),
        "seconds": round(result.seconds, 2),
        "history": {k: [round(float(v), 6) for v in vs] for k, vs in result.history.items()},
    }


def _result(record: dict) -> transfer.Result:
    correct = np.array([c == "1" for c in record["correct"]], dtype=np.float64)
    return transfer.Result(record["method"], correct, record["seconds"], record["history"])


def _measured_with(split, base_sha256: str, other_base: str = "") -> dict:
    measured_with = {"base model": base_sha256, "split": _split_record(split)}
    if other_base:
        measured_with["other base"] = other_base
    return measured_with


def save(
    comparison: Comparison, split, base_sha256: str, path: Path = SHIPPED, other_base: str = ""
) -> Path:
    """Write ``comparison`` (measured on ``split`` with the base whose file has
    ``base_sha256``, and the base that ``other_base`` names) as a record with its own
    sha256."""
    content = {
        "methods": [_result_record(r) for r in comparison.methods],
        "earlier": _result_record(comparison.earlier),
        "sizes": {str(size): list(pair) for size, pair in comparison.sizes.items()},
        "other": [_result_record(r) for r in comparison.other],
    }
    return records.save(path, _measured_with(split, base_sha256, other_base), content, RERUN)


def load(split, base_sha256: str, path: Path = SHIPPED, other_base: str = "") -> Comparison:
    """The record at ``path``, checked: whole, measured with these bases, on this split."""
    payload = records.load(path, _measured_with(split, base_sha256, other_base), RERUN)
    return Comparison(
        [_result(r) for r in payload["methods"]],
        _result(payload["earlier"]),
        {int(size): tuple(pair) for size, pair in payload["sizes"].items()},
        f"measured {payload['measured']}",
        [_result(r) for r in payload.get("other", [])],
    )


def base_sha256(setting) -> str:
    """The sha256 that the model manifest records for the setting's shipped base."""
    from helpers import zoo

    return zoo.manifest_sha256(setting.shipped)[setting.shipped]


def course_comparison(
    setting, split, cache=None, live: bool = False, path: Path = SHIPPED
) -> Comparison:
    """What notebook 04 shows: in the ``quick`` profile the shipped record when it fits this
    base and split, else (or with ``live=True``) the methods trained here, about 80 s
    (:func:`helpers.records.shipped_or_measured`); in ``full``, measured here, with every
    sample size the widget offers."""
    if setting.shipped is None:  # full: every size of the slider now, never on a slider move
        return measure(setting, split, cache, setting.sizes, setting.schedule)

    def read():
        shipped = load(split, base_sha256(setting), path, setting.other_base_id)
        return shipped, shipped.source

    comparison, source = records.shipped_or_measured(
        read,
        lambda: measure(setting, split, cache, schedule=setting.schedule),
        Path(path).name,
        live,
    )
    comparison.source = source
    return comparison
