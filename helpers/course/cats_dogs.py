"""Cats vs dogs on real photos (CIFAR-10's 2,000, fetched at set-up): the split, the ImageNet
base, and notebook 04's main comparison, measured here or read from its shipped record.

The record (``data/models/cats_dogs_quick.json``, written by
``python scripts/train_zoo.py cats_dogs``, about 20 minutes on 2 CPU cores) holds the size
the photos are upscaled to (chosen on the validation photos by accuracy against time), five
methods on one split, and the sample-size curve (three seeds per size). It carries the sha256
of the photos, the split and the ImageNet weights it was measured with; a record made with
anything else is refused and measured again (:func:`helpers.course.shipped.shipped_or_measured`).
Also the photos' other uses: notebook 05's coarse unit measured on them, and notebook 02's
top-K photos of the real network's channels. Used in notebooks 02, 04 and 05.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from helpers import activations, coarse, stats, widgets
from helpers import transfer as tl
from helpers.course import shipped
from helpers.course.imagenet import CATS, DOGS
from helpers.data import labelled_photos
from helpers.infra import config
from helpers.infra.errors import DataNotFoundError
from helpers.models import efficientnet, zoo

SHIPPED = config.MODELS_DIR / "cats_dogs_quick.json"
RERUN = "python scripts/train_zoo.py cats_dogs"
PIXELS = 96  # chosen on the validation photos: see SIZES and the record's "sizes considered"
SIZES = (64, 96, 128, 160, 224)  # the upscaled sizes compared before choosing PIXELS
PER_CLASS = (10, 25, 50, 100, 200, 500)  # the sample-size curve (500: the whole pool)
SEEDS = 3
CUT = "features"  # EfficientNet-Lite0's global-average-pooled last block
FINE_TUNE_FROM = "block15_expand_conv"  # its last block and head
SCHEDULE = tl.Schedule()  # every arm trains the same way (the transfer module's defaults)
STEPS = "{desc} ({n}/{total}, {elapsed})"  # what a slow cell is doing, step by step
SMALL_CNN = "small CNN from scratch + augmentation"
PHOTO_SHAPE = (labelled_photos.PHOTO_SIDE, labelled_photos.PHOTO_SIDE, 3)


def photo_split(photos: labelled_photos.CatsDogs | None = None) -> tl.Split:
    """The course's one split of the 2,000 photos (:func:`labelled_photos.fixed_split`): 500
    labelled photos per class to train on, 200 to validate, 300 to test; images float32 in
    [0, 1]. Raises :class:`DataNotFoundError` when the photos were not fetched."""
    photos = labelled_photos.cats_and_dogs() if photos is None else photos
    parts = labelled_photos.fixed_split(photos.labels)
    x = photos.images.astype(np.float32) / 255.0
    y = photos.labels
    return tl.Split(
        x[parts.train],
        y[parts.train],
        x[parts.val],
        y[parts.val],
        x[parts.test],
        y[parts.test],
        photos.class_names,
    )


def available() -> tuple[tl.Split | None, str]:
    """The split, or None with the message that says why and how to fetch the photos (a
    notebook prints it and skips its real-photo section)."""
    try:
        return photo_split(), ""
    except DataNotFoundError as error:
        return None, f"Skipped: {error}"


def imagenet_base(pixels: int = PIXELS) -> keras.Model:
    """EfficientNet-Lite0 (ImageNet weights) for the 32-pixel photos, upscaled inside the
    model to ``pixels``."""
    return efficientnet.adapted(PHOTO_SHAPE, pixels)


def small_cnn() -> keras.Model:
    """The small CNN trained from scratch (the course's three-conv network, two classes);
    :func:`helpers.transfer.fresh_copy` gives each run new random weights."""
    return zoo.build_small_cnn(2, PHOTO_SHAPE, name="small_cnn")


@dataclass
class PhotoComparison:
    """What notebook 04 shows on the photos: per upscaled size the validation accuracy of
    feature extraction and the seconds to extract 2,000 photos (``sizes_considered``), the
    five methods on one split, and per labelled photos per class the test accuracies of
    feature extraction and of the small CNN from scratch, one per seed."""

    sizes_considered: dict[int, tuple[float, float]]
    methods: list[tl.Result]
    sizes: dict[int, tuple[tuple[float, ...], tuple[float, ...]]]
    source: str = field(default="measured here")


def size_choice(split: tl.Split, sizes=SIZES, schedule=SCHEDULE) -> dict:
    """Per upscaled size: (validation accuracy of feature extraction, seconds to extract the
    features of every photo of the split, in batches of 64)."""
    chosen = {}
    on_val = tl.Split(*_as_val_test(split), split.class_names)
    for pixels in tqdm(sizes, desc="sizes"):
        base = imagenet_base(pixels)
        cache = tl.FeatureCache()
        start = time.perf_counter()
        for images in (split.x_train, split.x_val, split.x_test):
            cache.get(base, CUT, images, batch_size=64, progress=False)
        seconds = time.perf_counter() - start
        accuracy = tl.feature_extraction(base, on_val, CUT, schedule, cache).test_accuracy
        chosen[pixels] = (round(accuracy, 4), round(seconds, 2))
    return chosen


def _as_val_test(split: tl.Split):
    """The split with its validation photos in the test slot (choices never see the test
    photos); early stopping then watches the same validation photos."""
    return split.x_train, split.y_train, split.x_val, split.y_val, split.x_val, split.y_val


def seed_runs(split: tl.Split, base, per_class: int, seeds, schedule, cache, bar=None):
    """Feature extraction and the small CNN from scratch with ``per_class`` labelled photos
    per class drawn from the split's training photos, one run of each per seed in ``seeds``
    (seed ``s`` draws the photos and starts the weights); validation and test photos stay
    the split's. ``bar`` advances by one per run of an arm."""

    def split_for(seed: int) -> tl.Split:
        chosen = labelled_photos.labelled_subset(
            np.arange(len(split.y_train)), split.y_train, per_class, seed
        )
        return dataclasses.replace(
            split, x_train=split.x_train[chosen], y_train=split.y_train[chosen]
        )

    return tl.runs_per_seed(base, split_for, CUT, seeds, schedule, cache, bar, small_cnn())


def measure(split: tl.Split, schedule=SCHEDULE, per_class=PER_CLASS, seeds=SEEDS, sizes=SIZES):
    """Everything notebook 04 shows on the photos, trained here (about half an hour on 2 CPU
    cores): the choice among ``sizes``, the five methods, the sample-size curve."""
    considered = size_choice(split, sizes, schedule)
    base = imagenet_base()
    cache = tl.FeatureCache()
    with tqdm(total=2 + len(per_class), desc="cats vs dogs: methods, then sizes") as bar:
        methods = tl.compare_methods(base, split, CUT, FINE_TUNE_FROM, schedule, cache)
        bar.update()
        small = tl.from_scratch(small_cnn(), split, CUT, schedule)
        methods.append(dataclasses.replace(small, method=SMALL_CNN))
        bar.update()
        sizes = {}
        for size in per_class:
            sizes[size] = seed_runs(split, base, size, range(seeds), schedule, cache)
            bar.update()
    return PhotoComparison(considered, methods, sizes)


def _measured_with(split: tl.Split) -> dict:
    return {
        "photos": labelled_photos.CATS_DOGS_SHA256,
        "split": {
            "train_images": len(split.y_train),
            "validation_images": len(split.y_val),
            "test_labels_sha256": shipped.array_sha256(split.y_test),
            "test_images_sha256": shipped.array_sha256(split.x_test),
        },
        "ImageNet base": f"EfficientNet-Lite0 {efficientnet.WEIGHTS_SHA256[:16]} at {PIXELS} px",
    }


def save(comparison: PhotoComparison, split: tl.Split, path: Path = SHIPPED) -> Path:
    """Write ``comparison``, measured on ``split``, as a record with its own sha256."""
    content = {
        "sizes considered": {str(k): list(v) for k, v in comparison.sizes_considered.items()},
        "methods": [r.to_record() for r in comparison.methods],
        "sizes": {
            str(size): [[float(a) for a in arm] for arm in pair]
            for size, pair in comparison.sizes.items()
        },
    }
    return shipped.save(path, _measured_with(split), content, RERUN)


def load(split: tl.Split, path: Path = SHIPPED) -> PhotoComparison:
    """The record at ``path``, checked: whole, and measured on these photos, this split and
    these weights."""
    payload = shipped.load(path, _measured_with(split), RERUN)
    return PhotoComparison(
        {int(k): tuple(v) for k, v in payload["sizes considered"].items()},
        [tl.Result.from_record(r) for r in payload["methods"]],
        {
            int(size): tuple(tl.as_runs(arm) for arm in pair)
            for size, pair in payload["sizes"].items()
        },
        f"measured {payload['measured']}",
    )


def course_comparison(split: tl.Split, live: bool = False, path: Path = SHIPPED):
    """What notebook 04 shows: the shipped record when it fits, else (or with ``live``)
    measured here, saying why first."""

    def read():
        record = load(split, path)
        return record, record.source

    comparison, source = shipped.shipped_or_measured(
        read, lambda: measure(split), Path(path).name, live
    )
    comparison.source = source
    return comparison


# ---------------------------------------------------------------------------------------------
# 05: the coarse cat-vs-dog unit of the 1,000-class head, measured on the photos
# ---------------------------------------------------------------------------------------------

INIT = (283, 248)  # Persian cat, Eskimo dog: Filus & Domanska's initialisation classes
KS = tuple(range(1, 11))
TRAINED_PER_CLASS = (10, 100)  # the logistic-regression baselines' labelled photos per class


@dataclass
class PhotoCoarse:
    """The coarse cat-vs-dog classifiers on the photos: ``by_k`` (SCSM units from
    :data:`INIT` for each k: validation accuracy, test accuracy and its interval),
    ``chosen_k`` (chosen on the validation photos), ``table`` (test accuracy with its 95 %
    interval of the SCSM head at the chosen k, the same construction from every cat and dog
    class, the post-hoc sum of those classes' probabilities, and logistic regressions
    trained on the pooled features of 10 and 100 photos per class),
    ``correct`` (0/1 per test photo and row of ``table``) and ``top1`` (where the fine head
    puts each class's photos)."""

    by_k: object
    chosen_k: int
    table: object
    correct: dict
    top1: object


def photo_outputs(
    split: tl.Split, model: keras.Model | None = None, train_per_class: int | None = None
) -> dict:
    """Pooled features and 1,000-class probabilities of the split's photos (one pass of
    EfficientNet-Lite0 at :data:`PIXELS`), per part: ``{"train" | "val" | "test": {...}}``
    with ``features``, ``probabilities`` and ``labels`` (0 cat, 1 dog). ``train_per_class``:
    only that many training photos per class (drawn with seed 0), for baselines that need
    no more."""
    model = imagenet_base() if model is None else model
    train = np.arange(len(split.y_train))
    if train_per_class is not None:
        train = labelled_photos.labelled_subset(train, split.y_train, train_per_class, 0)
    parts = {
        "train": (split.x_train[train], split.y_train[train]),
        "val": (split.x_val, split.y_val),
        "test": (split.x_test, split.y_test),
    }
    bar = tqdm(parts.items(), desc="the photos through EfficientNet-Lite0 (train, val, test)")
    return {name: coarse.split_outputs(model, x, y) for name, (x, y) in bar}


def measure_coarse(outputs: dict, kernel: np.ndarray, bias: np.ndarray) -> PhotoCoarse:
    """The coarse unit of the 1,000-class head (no training) against its baselines, on the
    photos' ``outputs`` (:func:`photo_outputs`) with the head's ``kernel`` and ``bias``."""

    def unit_correct(part: str, unit_kernel, unit_bias) -> np.ndarray:
        scores = coarse.coarse_probabilities(outputs[part]["features"], unit_kernel, unit_bias)
        return (coarse.coarse_predictions(scores) == outputs[part]["labels"]).astype(float)

    per_k = {k: coarse.coarse_weights(kernel, bias, list(INIT), k)[:2] for k in KS}
    val = {k: unit_correct("val", *w).mean() for k, w in per_k.items()}
    test = stats.accuracy_table({k: unit_correct("test", *w) for k, w in per_k.items()})
    by_k = pd.DataFrame({"validation accuracy": pd.Series(val).round(4)}).join(test)
    by_k.index.name = "k"
    chosen = max(KS, key=lambda k: (val[k], -k))  # the smallest k among the best
    labels = outputs["test"]["labels"]
    everything = [list(CATS), list(DOGS)]
    correct = {
        f"SCSM head, k = {chosen}": (unit_correct("test", *per_k[chosen])),
        f"mean of all {len(CATS) + len(DOGS)} cat, dog classes": unit_correct(
            "test", *coarse.unit_weights(kernel, bias, everything)
        ),
        "post-hoc sum of their probabilities": (
            coarse.coarse_predictions(
                coarse.posthoc_probabilities(outputs["test"]["probabilities"], everything)
            )
            == labels
        ).astype(float),
    }
    for per_class in TRAINED_PER_CLASS:
        chosen_rows = labelled_photos.labelled_subset(
            np.arange(len(outputs["train"]["labels"])), outputs["train"]["labels"], per_class, 0
        )
        head = coarse.trained_head(
            outputs["train"]["features"][chosen_rows], outputs["train"]["labels"][chosen_rows]
        )
        predicted = head.predict(outputs["test"]["features"])
        correct[f"regression, {per_class} photos per class"] = (predicted == labels).astype(float)
    return PhotoCoarse(by_k, chosen, stats.accuracy_table(correct), correct, _top1(outputs))


def _top1(outputs: dict):
    """Share of each class's test photos whose top-1 fine class is a cat class, a dog class,
    or another class."""
    top = outputs["test"]["probabilities"].argmax(axis=1)
    labels = outputs["test"]["labels"]
    rows = {}
    for label, name in enumerate(labelled_photos.CAT_DOG_CLASSES):
        mine = top[labels == label]
        in_cats, in_dogs = np.isin(mine, CATS).mean(), np.isin(mine, DOGS).mean()
        rows[f"{name} photos"] = {
            "top-1 a cat class": round(float(in_cats), 3),
            "top-1 a dog class": round(float(in_dogs), 3),
            "top-1 elsewhere": round(float(1 - in_cats - in_dogs), 3),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def coarse_on_photos() -> PhotoCoarse | None:
    """Notebook 05's measurement on the photos (about 5 s: one pass over the 2,000 photos);
    None, after printing why and how to fetch them, when the photos are not here."""
    split, why = available()
    if split is None:
        print(why)
        return None
    model = imagenet_base()
    kernel, bias = coarse.head_weights(model)
    outputs = photo_outputs(split, model, max(TRAINED_PER_CLASS))
    return measure_coarse(outputs, kernel, bias)


# ---------------------------------------------------------------------------------------------
# 04: what the notebook calls
# ---------------------------------------------------------------------------------------------


def comparison_on_photos(live: bool = False) -> tuple[tl.Split | None, PhotoComparison | None]:
    """Notebook 04's split and comparison on the photos (:func:`course_comparison`); both
    None, after printing why and how to fetch the photos, when they are not here."""
    split, why = available()
    if split is None:
        print(why)
        return None, None
    return split, course_comparison(split, live)


def size_table(comparison: PhotoComparison):
    """The sizes considered: validation accuracy of feature extraction and seconds to
    extract the features of the 2,000 photos, per upscaled size."""
    table = pd.DataFrame.from_dict(
        comparison.sizes_considered,
        orient="index",
        columns=["validation accuracy", "seconds for 2,000 photos"],
    )
    table.index.name = "pixels"
    return table


def sample_size_explorer(split: tl.Split, comparison: PhotoComparison):
    """The sample-size widget on the photos: every recorded size answers at once; a size
    with fewer runs trains them once (EfficientNet-Lite0 is built on first need)."""
    bases: list[keras.Model] = []
    cache = tl.FeatureCache()

    def runs(per_class, seeds, bar):
        if not bases:
            bases.append(imagenet_base())
        return seed_runs(split, bases[0], per_class, seeds, SCHEDULE, cache, bar)

    return widgets.sample_size_explorer(
        None, None, CUT, sizes=PER_CLASS, known=comparison.sizes, seeds=SEEDS, runs=runs
    )


# ---------------------------------------------------------------------------------------------
# 02: top-K photos of the real network's channels
# ---------------------------------------------------------------------------------------------

TOPK_BLOCKS = ("block4_out", "block10_out")
TOPK = 8
SHOWN_PER_SIDE = 3  # channels shown per block: the most cat-leaning and the most dog-leaning


@dataclass
class RealTopK:
    """Top-K photos of every channel of two EfficientNet-Lite0 blocks over the 2,000 photos:
    ``images`` and ``labels`` of the photos; per block ``top`` (channels, K) photo indices,
    ``cat_share`` (channels,) the share of cats among each channel's top-K, and ``shown``,
    the channels :func:`chosen_channels` picks."""

    images: np.ndarray
    labels: np.ndarray
    top: dict
    cat_share: dict
    shown: dict

    def summary(self):
        """Per block: channels, how many have top-K photos all cats or all dogs, and how many
        mix the two classes evenly (3 to 5 of 8 cats)."""
        rows = {}
        for block, share in self.cat_share.items():
            rows[block] = {
                "channels": len(share),
                "all cats": int(np.sum(share == 1)),
                "all dogs": int(np.sum(share == 0)),
                "3-5 of 8 cats": int(np.sum((share >= 3 / 8) & (share <= 5 / 8))),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def colour_table(self):
        """Per shown channel: cats among its top-K, and two colour measures of its top-K
        photos (mean over pixels, channels in [0, 1]): green minus the mean of red and blue,
        and red minus blue (orange and brown fur score high); the last row: all photos."""
        x = self.images.astype(np.float64) / 255.0

        def colours(rows) -> dict:
            chosen = x[rows]
            return {
                "green - (red + blue) / 2": round(float(_greenness(chosen).mean()), 3),
                "red - blue": round(float((chosen[..., 0] - chosen[..., 2]).mean()), 3),
            }

        table = {
            (block, channel): {
                "cats in top-K": f"{int(round(self.cat_share[block][channel] * k))} of {k}",
                **colours(self.top[block][channel]),
            }
            for block in self.top
            for k in [self.top[block].shape[1]]
            for channel in self.shown[block]
        }
        table[("all photos", "")] = {"cats in top-K": "", **colours(slice(None))}
        frame = pd.DataFrame.from_dict(table, orient="index")
        frame.index.names = ["block", "channel"]
        return frame


GREEN = 0.05  # a photo is "clearly green" when green - (red + blue) / 2 exceeds this


def _greenness(x: np.ndarray) -> np.ndarray:
    """Green minus the mean of red and blue, per pixel of RGB images in [0, 1]."""
    return x[..., 1] - (x[..., 0] + x[..., 2]) / 2


def green_photos(images: np.ndarray, labels: np.ndarray) -> pd.Series:
    """The share of each class's photos that are clearly green on average (grass, leaves):
    mean green minus the mean of red and blue above :data:`GREEN`, channels in [0, 1].

    Examples
    --------
    >>> images = np.zeros((4, 1, 1, 3), np.uint8); images[3, ..., 1] = 255
    >>> green_photos(images, np.array([0, 0, 1, 1])).tolist()
    [0.0, 0.5]
    """
    x = np.asarray(images, np.float64) / 255.0
    green = _greenness(x).mean(axis=(1, 2)) > GREEN
    return pd.Series(
        [
            float(green[labels == label].mean())
            for label in range(len(labelled_photos.CAT_DOG_CLASSES))
        ],
        index=[f"{name} photos" for name in labelled_photos.CAT_DOG_CLASSES],
        name="clearly green",
    )


def chosen_channels(cat_share: np.ndarray, strength: np.ndarray, n: int = SHOWN_PER_SIDE):
    """The ``n`` channels whose top-K photos hold the most cats, then the ``n`` with the
    most dogs; among equal shares the channel with the stronger top-K activation first.

    Examples
    --------
    >>> chosen_channels(np.array([1.0, 0.5, 1.0, 0.0]), np.array([1.0, 9.0, 2.0, 3.0]), n=1)
    [2, 3]
    """
    cat_share = np.asarray(cat_share, float)
    strength = np.asarray(strength, float)
    if cat_share.shape != strength.shape or cat_share.ndim != 1 or len(cat_share) < 2 * n:
        raise ValueError(
            f"give one share and one strength per channel, at least {2 * n} channels; got "
            f"{cat_share.shape} and {strength.shape}"
        )
    cats = np.lexsort((-strength, -cat_share))[:n]
    dogs = np.lexsort((-strength, cat_share))[:n]
    return [int(c) for c in cats] + [int(c) for c in dogs]


def real_topk(k: int = TOPK) -> RealTopK | None:
    """Notebook 02's top-K on a real network: EfficientNet-Lite0 at :data:`PIXELS` over the
    2,000 cat and dog photos (one pass, about 5 s), per channel of :data:`TOPK_BLOCKS` (its
    spatial mean); None, after printing why and how to fetch them, when the photos are not
    here."""
    try:
        photos = labelled_photos.cats_and_dogs()
    except DataNotFoundError as error:
        print(f"Skipped: {error}")
        return None
    with tqdm(total=2, desc="EfficientNet-Lite0: building", bar_format=STEPS) as bar:
        base = imagenet_base()
        extractor = keras.Model(base.inputs, [base.get_layer(b).output for b in TOPK_BLOCKS])
        bar.set_description("the 2,000 photos through blocks 4 and 10")
        bar.update()
        images = photos.images.astype(np.float32) / 255.0
        maps = extractor.predict(images, batch_size=100, verbose=0)
        bar.update()
    top, share, shown = {}, {}, {}
    for block, output in zip(TOPK_BLOCKS, maps, strict=True):
        acts = output.mean(axis=(1, 2))
        top[block] = activations.top_k(acts, k)
        share[block] = (photos.labels[top[block]] == 0).mean(axis=1)
        strength = np.take_along_axis(acts.T, top[block], axis=1).mean(axis=1)
        shown[block] = chosen_channels(share[block], strength)
    return RealTopK(photos.images, photos.labels, top, share, shown)
