"""Notebook 04, transfer learning: the setting (a Fashion-MNIST base and an ImageNet base;
VGG16 on cats vs dogs in ``full``), and its measurements, measured here or read from the
record shipped with the course.

Training the four transfer methods, the earlier cut, the other base's two methods and five
training-set sizes (three seeds each) takes several minutes on 2 CPU cores, so
``scripts/train_zoo.py transfer`` measures them once for the ``quick`` profile and writes
``data/models/transfer_quick.json``. The record carries the sha256 of its own content and of
the bases it was measured with, like the shipped models: a damaged or hand-edited record, or
one measured on another base, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from tqdm.auto import tqdm

from helpers import data
from helpers import transfer as tl
from helpers.course import shipped
from helpers.course.base import capped
from helpers.data.imagefolder import load_image_folder
from helpers.infra import config
from helpers.models import efficientnet, weights, zoo

SHIPPED = config.MODELS_DIR / "transfer_quick.json"
RERUN = "python scripts/train_zoo.py transfer"


HELD_OUT = (2, 4)  # Pullover, Coat: never seen by fashion_base8
IMAGENET_PIXELS = 64  # Fashion-MNIST's 28 px resized for the ImageNet base: 2 x 2 last maps


def transfer(profile: str | None = None):
    """``quick``: ``fashion_base8`` (pretrained on 8 Fashion-MNIST classes) on the 2 held-out
    classes. ``full``: VGG16 (ImageNet, no top) on cats vs dogs from ``PetImages`` (Chollet
    5.3: 1,000 training, 500 validation and 500 test images per class)."""
    if config.get_profile(profile) == "quick":
        dataset = data.select_classes(data.load_fashion_mnist("quick"), HELD_OUT)
        fine_tune_from = "block15_expand_conv"  # the last block and the head
        return tl.Setting(
            zoo.load("fashion_base8"),
            dataset,
            "features",
            "conv3",
            "pool2",
            200,
            "fashion_base8 (8 Fashion-MNIST classes) -> Pullover vs Coat; beside it "
            f"EfficientNet-Lite0 (ImageNet) at {IMAGENET_PIXELS} px",
            shipped="fashion_base8",
            other_base=lambda: efficientnet.adapted(dataset.x_train.shape[1:], IMAGENET_PIXELS),
            other_base_label="ImageNet base",
            other_fine_tune_from=fine_tune_from,
            other_base_id=f"EfficientNet-Lite0 {efficientnet.WEIGHTS_SHA256[:16]} at "
            f"{IMAGENET_PIXELS} px, fine-tuned from {fine_tune_from}",
        )

    pixels = 32 if config.full_limit() else 150  # smoke runs: 22x fewer pixels to train on
    dataset = pets(pixels, 1500, 500, "vgg16")
    test_per_class = int(np.bincount(dataset.y_test).min())
    labelled = int(np.bincount(dataset.y_train).min())
    per_class = labelled * 2 // 3  # Chollet: 1,000 of 1,500 to train, the rest to validate
    val_per_class = labelled - per_class
    resolved = weights.resolve("VGG16", include_top=False, profile="full")
    shape = (pixels, pixels, 3)
    base = zoo.pretrained("VGG16", resolved.path, include_top=False, input_shape=shape)
    limited = config.full_limit() is not None
    return tl.Setting(
        base,
        dataset,
        "block5_pool",
        "block5_conv1",
        "block4_pool",
        per_class,
        f"VGG16 ({resolved.describe()}) -> cats vs dogs at {pixels} px, {per_class} training"
        f" / {val_per_class} validation / {test_per_class} test images per class",
        val_per_class=val_per_class,
        sizes=(per_class,) if limited else (100, 250, 500, per_class),
        schedule=tl.Schedule(1, 1, 1, 1, min_epochs=0) if limited else tl.Schedule(),
        seeds=1 if limited else 3,  # smoke runs: one run per arm and size
    )


def pets(size: int, train_per_class: int, test_per_class: int, preprocess: str) -> data.Dataset:
    """Cats vs dogs from :func:`helpers.data.pets_folder` at ``size`` pixels, preprocessed
    for a Keras application (``vgg16``, ``mobilenet_v2``): per class the first
    ``train_per_class`` readable images to train on, the next ``test_per_class`` to test on.
    Under ``COURSE_FULL_LIMIT`` at most that many images per class are read, split in the
    same proportion."""
    root = data.pets_folder("full")
    wanted = train_per_class + test_per_class
    folder = load_image_folder(root, image_size=(size, size), max_per_class=capped(wanted))
    counts = np.bincount(folder.labels, minlength=len(folder.class_names))
    if config.full_limit() is not None:
        test_per_class = max(1, counts.min() * test_per_class // wanted)
        train_per_class = counts.min() - test_per_class
    elif counts.min() < wanted:
        raise data.DataNotFoundError(
            f"{root} has {counts.min()} readable images of {folder.class_names[counts.argmin()]}"
            f"; this setting needs {wanted} per class ({train_per_class} to train, "
            f"{test_per_class} to test)."
        )
    prepare = getattr(keras.applications, preprocess).preprocess_input
    x = prepare(folder.images.astype(np.float32))
    train = np.zeros(len(x), bool)
    test = np.zeros(len(x), bool)
    for label in range(len(folder.class_names)):
        members = np.flatnonzero(folder.labels == label)
        train[members[:train_per_class]] = True
        test[members[train_per_class : train_per_class + test_per_class]] = True
    return data.Dataset(
        x[train],
        folder.labels[train],
        x[test],
        folder.labels[test],
        folder.class_names,
        f"PetImages from {root} ({len(folder.skipped)} unreadable files skipped)",
    )


# ---------------------------------------------------------------------------------------------
# 05: a coarse classifier from a fine one
# ---------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """The four methods, feature extraction at an earlier cut, and test accuracies of feature
    extraction and from scratch per labelled training images per class, one per seed
    (``{per_class: (extraction runs, scratch runs)}``); ``source`` says where and when they
    were measured."""

    methods: list[tl.Result]
    earlier: tl.Result
    sizes: dict[int, tuple[tuple[float, ...], tuple[float, ...]]]
    source: str
    other: list[tl.Result] = field(default_factory=list)  # the other base's methods


def measure(
    setting, split, cache=None, sizes=(), schedule: tl.Schedule | None = None
) -> Comparison:
    """Train and score everything notebook 04 shows, on ``split``; the sample-size sweep
    for each of ``sizes``, ``setting.seeds`` runs per arm (seeds 0, 1, ...), as
    :func:`helpers.widgets.sample_size_explorer` computes it (every size, the split's own
    too, gets its own runs: a run's result depends on everything trained before it in the
    process, so the four methods' runs are not reused as a seed's)."""
    cache = tl.FeatureCache() if cache is None else cache
    schedule = tl.Schedule() if schedule is None else schedule
    base, cut = setting.base, setting.cut_layer
    sizes = list(dict.fromkeys(sizes))
    other_base = setting.other_base is not None
    runs = {size: range(setting.seeds) for size in sizes}
    steps = 2 + other_base + 2 * sum(len(seeds) for seeds in runs.values())
    with tqdm(total=steps, desc="training notebook 04's methods") as bar:
        methods = tl.compare_methods(base, split, cut, setting.fine_tune_from, schedule, cache)
        bar.update()
        earlier = tl.feature_extraction(base, split, setting.earlier_cut, schedule, cache)
        bar.update()
        other = []
        if other_base:
            other = tl.pretrained_methods(
                setting.other_base(),
                split,
                "features",
                setting.other_fine_tune_from,
                setting.other_base_label,
                schedule,
                cache,
            )
            bar.update()
        by_size = {
            size: tl.seed_runs(
                base, setting.dataset, cut, size, seeds, schedule, setting.val_per_class, cache, bar
            )
            for size, seeds in runs.items()
        }
    return Comparison(methods, earlier, dict(sorted(by_size.items())), "measured here", other)


def _split_record(split) -> dict:
    return {
        "train_images": len(split.y_train),
        "validation_images": len(split.y_val),
        "test_labels_sha256": shipped.array_sha256(split.y_test),
    }


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
        "methods": [r.to_record() for r in comparison.methods],
        "earlier": comparison.earlier.to_record(),
        "sizes": {
            str(size): [[float(a) for a in arm] for arm in pair]
            for size, pair in comparison.sizes.items()
        },
        "other": [r.to_record() for r in comparison.other],
    }
    return shipped.save(path, _measured_with(split, base_sha256, other_base), content, RERUN)


def load(split, base_sha256: str, path: Path = SHIPPED, other_base: str = "") -> Comparison:
    """The record at ``path``, checked: whole, measured with these bases, on this split."""
    payload = shipped.load(path, _measured_with(split, base_sha256, other_base), RERUN)
    return Comparison(
        [tl.Result.from_record(r) for r in payload["methods"]],
        tl.Result.from_record(payload["earlier"]),
        {
            int(size): tuple(tl.as_runs(arm) for arm in pair)
            for size, pair in payload["sizes"].items()
        },
        f"measured {payload['measured']}",
        [tl.Result.from_record(r) for r in payload.get("other", [])],
    )


def base_sha256(setting) -> str:
    """The sha256 that the model manifest records for the setting's shipped base."""
    return zoo.manifest_sha256(setting.shipped)[setting.shipped]


def course_comparison(
    setting, split, cache=None, live: bool = False, path: Path = SHIPPED
) -> Comparison:
    """What notebook 04 shows: in the ``quick`` profile the shipped record when it fits this
    base and split, else (or with ``live=True``) the methods trained here, about two minutes
    on 2 CPU cores (:func:`helpers.shipped.shipped_or_measured`); in ``full``, measured here,
    with every sample size the widget offers, ``setting.seeds`` runs each."""
    if setting.shipped is None:  # full: every size of the slider now, never on a slider move
        return measure(setting, split, cache, setting.sizes, setting.schedule)

    def read():
        shipped = load(split, base_sha256(setting), path, setting.other_base_id)
        return shipped, shipped.source

    comparison, source = shipped.shipped_or_measured(
        read,
        lambda: measure(setting, split, cache, schedule=setting.schedule),
        Path(path).name,
        live,
    )
    comparison.source = source
    return comparison
