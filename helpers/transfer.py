"""Transfer learning: reuse a pretrained conv base for a new, small problem.

Four ways, compared on the same split: (1) features extracted once + a small dense head,
(2) frozen base + augmentation trained end to end, (3) (2) then fine-tuning the last block with
a low learning rate, (4) the same architecture trained from scratch, with the same
augmentation. :func:`seed_runs` repeats (1) and (4) over seeds at one training-set size, and
:func:`sample_size_table` shows their mean and spread per size.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np
import pandas as pd

from helpers import stats
from helpers.activations import layer_outputs
from helpers.infra import arguments, layers
from helpers.infra.sampling import stratified_indices


class FeatureCache:
    """Features of (model, layer, images) computed once, batched, then served from memory.

    Each entry keeps a reference to its model and image array, and a hit requires the very
    same objects: an ``id()`` freed and reused by another array can never match an entry.
    """

    def __init__(self) -> None:
        self._store: dict[tuple[int, str, int], tuple] = {}

    def __len__(self) -> int:
        return len(self._store)

    def get(
        self,
        model: keras.Model,
        layer: str,
        images: np.ndarray,
        batch_size: int = 256,
        progress: bool = True,
    ) -> np.ndarray:
        key = (id(model), layer, id(images))
        entry = self._store.get(key)
        if entry is None or entry[0] is not model or entry[1] is not images:
            features = extract_features(model, layer, images, batch_size, progress)
            entry = self._store[key] = (model, images, features)
        return entry[2]


def extract_features(
    model: keras.Model, layer: str, images: np.ndarray, batch_size: int = 256, progress: bool = True
) -> np.ndarray:
    """Flattened outputs of ``layer`` for ``images``, in batches, with a progress bar."""
    return np.concatenate(
        [
            out.reshape(len(out), -1)
            for out in layer_outputs(model, images, layer, batch_size, progress)
        ]
    )


def dense_head(
    input_dim: int, n_classes: int, hidden: int = 64, dropout: float = 0.5, name: str = "head"
) -> keras.Sequential:
    """The small classifier put on top of a base: Dense-ReLU, dropout, Dense-softmax."""
    input_dim = arguments.count(input_dim, "input_dim")
    n_classes = arguments.count(n_classes, "n_classes", low=2)
    hidden = arguments.count(hidden, "hidden")
    dropout = arguments.number(dropout, "dropout", 0, 1)
    if dropout == 1:
        raise ValueError("dropout must be below 1: dropping every unit leaves nothing to learn")
    return keras.Sequential(
        [
            keras.Input((input_dim,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(n_classes, activation="softmax"),
        ],
        name=name,
    )


def augmentation(seed: int = 0) -> keras.Sequential:
    """Small random shifts, zooms and horizontal flips, active only in training."""
    return keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal", seed=seed),
            keras.layers.RandomTranslation(0.1, 0.1, seed=seed),
            keras.layers.RandomZoom(0.1, seed=seed),
        ],
        name="augmentation",
    )


def frozen_base_model(
    base: keras.Model, cut_layer: str, n_classes: int, augment: bool = True, seed: int = 0
) -> keras.Model:
    """Input -> (augmentation) -> frozen base up to ``cut_layer`` -> flatten -> dense head.

    The base is copied with its weights: training the new model (fine-tuning included) never
    changes ``base``. The copy is frozen and runs in inference mode (BatchNorm keeps its
    statistics), so at first only the head trains; :func:`unfreeze_from` later makes its
    last layers trainable for fine-tuning.

    Parameters
    ----------
    base
        The pretrained network whose layers are reused.
    cut_layer
        The base's last layer kept, by name (or ``outer/inner`` path) or index.
    n_classes
        Classes of the new task (at least 2): the head's softmax outputs.
    augment
        Put :func:`augmentation` (random flips, shifts and zooms, active only in training)
        before the base.
    seed
        Random seed of the augmentation layers.

    Returns
    -------
    keras.Model
        ``frozen_base``, not compiled: augmentation, the frozen copy of the base, flatten,
        then :func:`dense_head` (Dense 64 ReLU, dropout 0.5, Dense softmax).

    References
    ----------
    Yosinski, J., Clune, J., Bengio, Y. and Lipson, H. (2014). How transferable are features
    in deep neural networks? NeurIPS.

    Examples
    --------
    >>> model = frozen_base_model(setting.base, setting.cut_layer, 2)  # doctest: +SKIP
    >>> unfreeze_from(model, setting.fine_tune_from)  # doctest: +SKIP

    Used in notebook 04.
    """
    trunk = copy_with_weights(layers.feature_extractor(base, cut_layer))
    trunk.trainable = False
    inputs = keras.Input(base.inputs[0].shape[1:])
    x = augmentation(seed)(inputs) if augment else inputs
    x = keras.layers.Flatten()(trunk(x, training=False))
    outputs = dense_head(x.shape[-1], n_classes)(x)
    return keras.Model(inputs, outputs, name="frozen_base")


def copy_with_weights(model: keras.Model) -> keras.Model:
    """A copy of ``model`` (nested models too) with new variables holding the same values."""
    copy = keras.models.clone_model(model, recursive=True)
    copy.set_weights(model.get_weights())
    return copy


def unfreeze_from(model: keras.Model, first_trainable: str) -> list[str]:
    """Make the nested base's layers from ``first_trainable`` on trainable (BatchNorm stays
    frozen, in inference mode); return the names of the trainable base layers."""
    trunk = next(
        (
            layer
            for layer in model.layers
            if isinstance(layer, keras.Model) and layer.name not in ("augmentation", "head")
        ),
        None,
    )
    if trunk is None:
        raise ValueError(
            f"model {model.name!r} holds no nested base model to unfreeze: build it with "
            "frozen_base_model(base, ...)"
        )
    trunk.trainable = True
    names = [layer.name for layer in trunk.layers]
    if first_trainable not in names:
        raise ValueError(f"no layer {first_trainable!r} in the base; its layers: {names}")
    start = names.index(first_trainable)
    for i, layer in enumerate(trunk.layers):
        layer.trainable = i >= start and not isinstance(layer, keras.layers.BatchNormalization)
    return [layer.name for layer in trunk.layers if layer.trainable and layer.weights]


def _settling_batch_norm(layer: keras.Layer) -> keras.Layer:
    """A fresh copy of ``layer``; BatchNormalization with momentum 0.9 instead of 0.99."""
    config = layer.get_config()
    if isinstance(layer, keras.layers.BatchNormalization):
        config["momentum"] = 0.9
    return layer.__class__.from_config(config)


def fresh_copy(base: keras.Model, cut_layer: str, n_classes: int, seed: int = 0) -> keras.Model:
    """The same architecture up to ``cut_layer`` with new random weights, behind the same
    :func:`augmentation` as the frozen base (random flips, shifts and zooms, active only in
    training), plus a dense head.

    BatchNorm's moving statistics use momentum 0.9: with the default 0.99 they had not
    settled after the ~80 steps 400 images give, so validation accuracy stayed at chance
    (0.50) and early stopping ended training at epoch 6 (measured on notebook 04's split).
    Even at 0.9 they need a few dozen steps, which is why :class:`Schedule` lets no arm stop
    before ``min_epochs`` and gives small sets smaller batches.
    """
    keras.utils.set_random_seed(seed)
    trunk = keras.models.clone_model(
        layers.feature_extractor(base, cut_layer), clone_function=_settling_batch_norm
    )
    inputs = keras.Input(base.inputs[0].shape[1:])
    x = keras.layers.Flatten()(trunk(augmentation(seed)(inputs)))
    return keras.Model(inputs, dense_head(x.shape[-1], n_classes)(x), name="from_scratch")


FEATURES = "feature extraction + dense head"  # method 1's name
SCRATCH = "from scratch + augmentation"  # method 4's name


@dataclass
class Result:
    """One method's outcome on the shared split: per test image, right (1) or wrong (0)."""

    method: str
    correct: np.ndarray = field(repr=False)
    seconds: float
    history: dict = field(repr=False)

    @property
    def test_accuracy(self) -> float:
        return float(self.correct.mean())

    @property
    def epochs(self) -> int:
        """Epochs trained; the weights kept are those of the best validation loss."""
        return len(self.history.get("loss", ()))

    def to_record(self) -> dict:
        """JSON values for a shipped record: right/wrong per test image as a string of 0
        and 1, seconds and history rounded."""
        return {
            "method": self.method,
            "correct": "".join("1" if c else "0" for c in self.correct),
            "seconds": round(self.seconds, 2),
            "history": {k: [round(float(v), 6) for v in vs] for k, vs in self.history.items()},
        }

    @classmethod
    def from_record(cls, record: dict) -> Result:
        """The result :meth:`to_record` wrote."""
        correct = np.array([c == "1" for c in record["correct"]], dtype=np.float64)
        return cls(record["method"], correct, record["seconds"], record["history"])


def fit(
    model: keras.Model,
    x,
    y,
    x_val,
    y_val,
    max_epochs: int,
    learning_rate: float,
    patience: int,
    batch_size: int = 32,
    min_epochs: int = 0,
) -> dict:
    """Compile with Adam and sparse cross-entropy and train until the validation loss has not
    improved for ``patience`` epochs (at most ``max_epochs``); the best epoch's weights are
    restored. Returns the history dict.

    Early stopping watches only from epoch ``min_epochs`` on (Keras' ``start_from_epoch``):
    before it, training goes on whatever the validation loss does, and the weights kept are
    the best of the epochs from ``min_epochs`` on. A network trained from random weights
    needs this: while its BatchNorm statistics settle, its validation loss jumps about, and
    patience alone stopped it at chance (0.50) after 4 epochs."""
    n_classes = model.outputs[0].shape[-1]
    y = arguments.labels(y, n_classes, "y")
    y_val = arguments.labels(y_val, n_classes, "y_val")
    arguments.same_length(x=x, y=y)
    arguments.same_length(x_val=x_val, y_val=y_val)
    max_epochs = arguments.count(max_epochs, "max_epochs")
    patience = arguments.count(patience, "patience", low=0)
    batch_size = arguments.count(batch_size, "batch_size")
    min_epochs = arguments.count(min_epochs, "min_epochs", low=0)
    learning_rate = arguments.number(learning_rate, "learning_rate", 0, 1, low_open=True)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss",
        patience=patience,
        restore_best_weights=True,
        start_from_epoch=min_epochs,
    )
    return model.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=max_epochs,
        batch_size=batch_size,
        validation_batch_size=256,  # one pass, not one per small training batch
        callbacks=[stop],
        verbose=0,
    ).history


def timed(method: str, run, predict, labels: np.ndarray) -> Result:
    """Run ``run()`` (returning a history), then score ``predict()`` (labels) against
    ``labels``."""
    start = time.perf_counter()
    history = run()
    seconds = time.perf_counter() - start
    correct = (np.asarray(predict()) == labels).astype(np.float64)
    return Result(method, correct, seconds, history)


def predicted_labels(model: keras.Model, x) -> np.ndarray:
    """The class a softmax model predicts for each image."""
    return model.predict(x, verbose=0, batch_size=256).argmax(axis=1)


@dataclass
class Split:
    """A small labelled training set, a validation set, and the whole test set of a task."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]


def small_split(dataset, per_class: int, val_per_class: int = 100, seed: int = 0) -> Split:
    """``per_class`` training and ``val_per_class`` validation images per class, drawn from
    the training images without overlap; the test set is kept whole.

    A small labelled set is where transfer learning pays off; the validation images decide
    when training stops, so the test images choose nothing and only measure.

    Parameters
    ----------
    dataset
        A dataset with ``x_train``, ``y_train``, ``x_test``, ``y_test`` and ``class_names``.
    per_class
        Training images per class.
    val_per_class
        Validation images per class; every class needs ``per_class + val_per_class``
        training images.
    seed
        Random seed of the draw: the same seed gives the same split.

    Returns
    -------
    Split
        ``x_train``/``y_train``, ``x_val``/``y_val`` (each in the dataset's order),
        ``x_test``/``y_test`` (all test images) and ``class_names``.

    Examples
    --------
    >>> split = small_split(dataset, per_class=100, val_per_class=100)  # doctest: +SKIP

    Used in notebook 04.
    """
    per_class = arguments.count(per_class, "per_class")
    val_per_class = arguments.count(val_per_class, "val_per_class")
    labels, counts = np.unique(dataset.y_train, return_counts=True)
    if counts.min() < per_class + val_per_class:
        raise ValueError(
            f"class {labels[counts.argmin()]} has only {counts.min()} training images; "
            f"{per_class} + {val_per_class} were asked for"
        )
    pool = stratified_indices(dataset.y_train, per_class + val_per_class, seed)
    rng = np.random.default_rng(seed)
    train, val = [], []
    for label in labels:
        members = rng.permutation(pool[dataset.y_train[pool] == label])
        train.append(members[:per_class])
        val.append(members[per_class:])
    train, val = np.sort(np.concatenate(train)), np.sort(np.concatenate(val))
    return Split(
        dataset.x_train[train],
        dataset.y_train[train],
        dataset.x_train[val],
        dataset.y_train[val],
        dataset.x_test,
        dataset.y_test,
        dataset.class_names,
    )


@dataclass(frozen=True)
class Schedule:
    """Every method trains to convergence the same way: at most ``*_epochs`` epochs, stopped
    when the validation loss has not improved for ``patience`` epochs, best weights restored.

    No arm that starts from new weights (a new head, or the whole network from scratch) may
    stop before ``min_epochs``; fine-tuning continues a trained model and may stop at once.
    Batches hold ``batch_size`` images, fewer for a small training set, so that an epoch
    still takes about ``steps_per_epoch`` optimiser steps (:meth:`batch_for`): with 20 images
    and batches of 32, twenty epochs were twenty steps, too few for BatchNorm's statistics to
    settle, and the from-scratch network stayed at chance (0.50) on every seed. Adam's
    learning rate of 1e-3 then suits every size: 3e-3 did no better from scratch at 10 and 25
    images per class (measured on notebook 04's data, 3 seeds each).
    """

    head_epochs: int = 100
    frozen_epochs: int = 60
    fine_tune_epochs: int = 30
    scratch_epochs: int = 100
    patience: int = 5
    learning_rate: float = 1e-3
    fine_tune_rate: float = 1e-4
    min_epochs: int = 20
    batch_size: int = 32
    steps_per_epoch: int = 8

    def __post_init__(self):
        for name in (
            "head_epochs",
            "frozen_epochs",
            "fine_tune_epochs",
            "scratch_epochs",
            "batch_size",
            "steps_per_epoch",
        ):
            object.__setattr__(self, name, arguments.count(getattr(self, name), name))  # frozen
        for name in ("patience", "min_epochs"):
            object.__setattr__(self, name, arguments.count(getattr(self, name), name, low=0))
        for name in ("learning_rate", "fine_tune_rate"):
            arguments.number(getattr(self, name), name, 0, 1, low_open=True)

    def batch_for(self, n_train: int) -> int:
        """The batch size for ``n_train`` training images: ``batch_size``, or fewer so that an
        epoch takes ``steps_per_epoch`` steps, never under 8 images (nor over ``n_train``).

        >>> [Schedule().batch_for(n) for n in (20, 50, 100, 200, 400)]
        [8, 8, 12, 25, 32]
        """
        n_train = arguments.count(n_train, "n_train")
        smallest = min(8, self.batch_size)
        return min(n_train, max(smallest, min(self.batch_size, n_train // self.steps_per_epoch)))


def compare_methods(
    base: keras.Model,
    split: Split,
    cut_layer: str,
    fine_tune_from: str,
    schedule: Schedule = Schedule(),
    cache: FeatureCache | None = None,
    seed: int = 0,
) -> list[Result]:
    """Run the four methods on ``split``; return one :class:`Result` each. ``base`` is left
    unchanged: the trained methods work on copies."""
    cache = FeatureCache() if cache is None else cache
    n = len(split.class_names)
    keras.utils.set_random_seed(seed)
    results = [feature_extraction(base, split, cut_layer, schedule, cache)]

    frozen = frozen_base_model(base, cut_layer, n, augment=True, seed=seed)
    results.append(
        timed(
            "frozen base + augmentation",
            lambda: fit_split(
                frozen, split, schedule.frozen_epochs, schedule.learning_rate, schedule
            ),
            lambda: predicted_labels(frozen, split.x_test),
            split.y_test,
        )
    )
    unfreeze_from(frozen, fine_tune_from)
    results.append(
        timed(
            f"+ fine-tuning from {fine_tune_from}",
            lambda: fit_split(
                frozen,
                split,
                schedule.fine_tune_epochs,
                schedule.fine_tune_rate,
                schedule,
                continues=True,
            ),
            lambda: predicted_labels(frozen, split.x_test),
            split.y_test,
        )
    )
    results.append(from_scratch(base, split, cut_layer, schedule, seed))
    return results


def fit_split(
    model: keras.Model,
    split: Split,
    max_epochs: int,
    learning_rate: float,
    schedule: Schedule,
    continues: bool = False,
) -> dict:
    """:func:`fit` on a split's training images, stopped early on its validation images, in
    batches of ``schedule.batch_for`` the training set; at least ``schedule.min_epochs``
    epochs unless the model ``continues`` a trained one (fine-tuning)."""
    return fit(
        model,
        split.x_train,
        split.y_train,
        split.x_val,
        split.y_val,
        max_epochs,
        learning_rate,
        schedule.patience,
        schedule.batch_for(len(split.y_train)),
        0 if continues else schedule.min_epochs,
    )


def feature_extraction(
    base,
    split: Split,
    cut_layer: str,
    schedule: Schedule = Schedule(),
    cache: FeatureCache | None = None,
) -> Result:
    """Method 1: features computed once (timed), then a dense head trained on them."""
    cache = FeatureCache() if cache is None else cache
    head = None

    def run():
        nonlocal head
        features = [
            cache.get(base, cut_layer, x, progress=False) for x in (split.x_train, split.x_val)
        ]
        head = dense_head(features[0].shape[1], len(split.class_names))
        return fit(
            head,
            features[0],
            split.y_train,
            features[1],
            split.y_val,
            schedule.head_epochs,
            schedule.learning_rate,
            schedule.patience,
            schedule.batch_for(len(split.y_train)),
            schedule.min_epochs,
        )

    return timed(
        FEATURES,
        run,
        lambda: predicted_labels(head, cache.get(base, cut_layer, split.x_test, progress=False)),
        split.y_test,
    )


def pretrained_methods(
    base,
    split: Split,
    cut_layer: str,
    fine_tune_from: str,
    label: str,
    schedule: Schedule = Schedule(),
    cache: FeatureCache | None = None,
    seed: int = 0,
) -> list[Result]:
    """Feature extraction, then fine-tuning (a frozen base trained with its head, then the
    layers from ``fine_tune_from`` on unfrozen), on another ``base``, with the recipes of
    :func:`compare_methods` (its fine-tuning with augmentation too), so that two bases are
    compared method for method; each method's name starts with ``label``."""
    extracted = feature_extraction(base, split, cut_layer, schedule, cache)
    keras.utils.set_random_seed(seed)
    model = frozen_base_model(base, cut_layer, len(split.class_names), augment=True, seed=seed)

    def run():
        history = fit_split(model, split, schedule.frozen_epochs, schedule.learning_rate, schedule)
        unfreeze_from(model, fine_tune_from)
        tuned = fit_split(
            model,
            split,
            schedule.fine_tune_epochs,
            schedule.fine_tune_rate,
            schedule,
            continues=True,
        )
        return {key: history[key] + tuned[key] for key in history}

    tuned = timed(
        f"{label}: + fine-tuning from {fine_tune_from}",
        run,
        lambda: predicted_labels(model, split.x_test),
        split.y_test,
    )
    return [dataclasses.replace(extracted, method=f"{label}: {extracted.method}"), tuned]


def from_scratch(
    base, split: Split, cut_layer: str, schedule: Schedule = Schedule(), seed: int = 0
) -> Result:
    """Method 4: the same architecture, random weights, trained on the small set only, with
    the same augmentation as methods 2 and 3 (:func:`fresh_copy`)."""
    model = fresh_copy(base, cut_layer, len(split.class_names), seed)
    return timed(
        SCRATCH,
        lambda: fit_split(model, split, schedule.scratch_epochs, schedule.learning_rate, schedule),
        lambda: predicted_labels(model, split.x_test),
        split.y_test,
    )


def seed_runs(
    base,
    dataset,
    cut_layer: str,
    per_class: int,
    seeds=(0, 1, 2),
    schedule: Schedule = Schedule(),
    val_per_class: int = 100,
    cache: FeatureCache | None = None,
    progress=None,
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Test accuracies of feature extraction and of training from scratch with
    ``per_class`` labelled images per class, one run per seed.

    Seed ``s`` draws the training and validation images (:func:`small_split`) and
    initialises both arms, so the spread over seeds covers both which images happen to be
    labelled and where training starts: with 10 images per class one run alone is noise.

    Parameters
    ----------
    base
        The pretrained network (left unchanged).
    dataset
        A dataset with ``x_train``, ``y_train``, ``x_test``, ``y_test`` and ``class_names``.
    cut_layer
        The base's layer whose output is extracted, and where the from-scratch copy ends.
    per_class
        Labelled training images per class.
    seeds
        One run of each arm per seed (at least one).
    schedule
        How both arms train (:class:`Schedule`).
    val_per_class
        Validation images per class, which decide when training stops.
    cache
        A :class:`FeatureCache` shared with other calls (the test images go through the
        base once).
    progress
        A progress bar (``tqdm``) to advance by one after each run of an arm, or None.

    Returns
    -------
    tuple
        ``(feature extraction, from scratch)``: each a tuple of test accuracies, one per
        seed, in the order of ``seeds``.

    Examples
    --------
    >>> extracted, scratch = seed_runs(base, dataset, "features", 10)  # doctest: +SKIP

    Used in notebook 04 (through :func:`helpers.widgets.sample_size_explorer`).
    """
    per_class = arguments.count(per_class, "per_class")
    seeds = [arguments.count(seed, "seed", low=0) for seed in seeds]
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed, e.g. seeds=(0, 1, 2)")
    return runs_per_seed(
        base,
        lambda seed: small_split(dataset, per_class, val_per_class, seed),
        cut_layer,
        seeds,
        schedule,
        cache,
        progress,
    )


def runs_per_seed(
    base,
    split_for,
    cut_layer: str,
    seeds,
    schedule: Schedule = Schedule(),
    cache: FeatureCache | None = None,
    progress=None,
    scratch_base=None,
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The loop of :func:`seed_runs`, for any split: per seed, ``split_for(seed)``, then
    feature extraction on ``base`` and training from scratch (the architecture of
    ``scratch_base``, by default ``base``'s own, up to ``cut_layer``), each advancing
    ``progress`` by one. Returns ``(feature extraction, from scratch)`` test accuracies, one
    per seed."""
    cache = FeatureCache() if cache is None else cache
    scratch_base = base if scratch_base is None else scratch_base
    extracted, scratch = [], []
    for seed in seeds:
        split = split_for(seed)
        keras.utils.set_random_seed(seed)
        extracted.append(feature_extraction(base, split, cut_layer, schedule, cache).test_accuracy)
        if progress is not None:
            progress.update()
        scratch.append(from_scratch(scratch_base, split, cut_layer, schedule, seed).test_accuracy)
        if progress is not None:
            progress.update()
    return tuple(extracted), tuple(scratch)


def as_runs(accuracies) -> tuple[float, ...]:
    """One arm's accuracies at one size as a tuple of runs: a single number (a record of
    one run) becomes a one-run tuple."""
    values = np.atleast_1d(np.asarray(accuracies, dtype=float))
    if values.ndim != 1 or not len(values) or not np.all((values >= 0) & (values <= 1)):
        raise ValueError(
            f"give an arm's test accuracies at one size as numbers in [0, 1], got {accuracies!r}"
        )
    return tuple(float(v) for v in values)


def sample_size_table(by_size: dict):
    """Test accuracy against labelled images per class: for feature extraction and from
    scratch the mean over seeds and its range (min to max), and the gap between the means.

    Parameters
    ----------
    by_size
        ``{per_class: (feature extraction, from scratch)}``, each arm a test accuracy or a
        sequence of them, one per seed (:func:`seed_runs`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``per class`` (ascending); 8 columns: ``extraction mean``, ``extraction
        min``, ``extraction max``, ``scratch mean``, ``scratch min``, ``scratch max``,
        ``gap of means`` (extraction minus scratch) and ``seeds`` (runs per arm, the fewer of
        the two), rounded to 3 decimals.

    Examples
    --------
    >>> sample_size_table({10: ((0.8, 0.7, 0.75), (0.6, 0.5, 0.7))})  # doctest: +SKIP

    Used in notebook 04.
    """
    if not by_size:
        raise ValueError("by_size is empty: give {per_class: (extraction, scratch)} runs")
    rows = {}
    for size, pair in sorted(by_size.items()):
        if len(pair) != 2:
            raise ValueError(
                f"size {size}: give (feature extraction, from scratch) accuracies, got {pair!r}"
            )
        extracted, scratch = (np.array(as_runs(arm)) for arm in pair)
        rows[int(size)] = {
            "extraction mean": extracted.mean(),
            "extraction min": extracted.min(),
            "extraction max": extracted.max(),
            "scratch mean": scratch.mean(),
            "scratch min": scratch.min(),
            "scratch max": scratch.max(),
            "gap of means": extracted.mean() - scratch.mean(),
            "seeds": min(len(extracted), len(scratch)),
        }
    table = pd.DataFrame(rows).T.round(3)
    table["seeds"] = table["seeds"].astype(int)
    table.index.name = "per class"
    return table


def results_table(results: list[Result]):
    """The comparison as a DataFrame: test accuracy with its 95 % bootstrap interval, epochs
    trained (best weights kept) and training seconds per method.

    Parameters
    ----------
    results
        One :class:`Result` per method, e.g. from :func:`compare_methods`; rows keep this
        order.

    Returns
    -------
    pandas.DataFrame
        Indexed by method; columns ``accuracy``, ``accuracy low``, ``accuracy high``
        (:func:`helpers.stats.accuracy_table`), ``epochs`` and ``seconds``.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> results_table(results)  # doctest: +SKIP

    Used in notebook 04.
    """
    table = stats.accuracy_table({r.method: r.correct for r in results})
    table["epochs"] = [r.epochs for r in results]
    table["seconds"] = [round(r.seconds, 1) for r in results]
    return table


@dataclass
class Setting:
    """What notebook 04 works on in a profile (made by :func:`helpers.course.transfer`)."""

    base: keras.Model
    dataset: object
    cut_layer: str
    fine_tune_from: str
    earlier_cut: str
    per_class: int
    description: str
    shipped: str | None = None  # the shipped base whose measurements come with the course
    val_per_class: int = 100
    sizes: tuple[int, ...] = (10, 25, 50, 100, 200)  # the sample-size widget's choices
    seeds: int = 3  # runs per arm and size of the sample-size comparison
    schedule: Schedule = Schedule()
    # quick: builds an ImageNet-trained base for the same split, only when it is trained
    other_base: Callable[[], keras.Model] | None = None
    other_base_label: str = ""
    other_fine_tune_from: str = ""
    other_base_id: str = ""  # what the other base is, exactly (a record measured on it says)
