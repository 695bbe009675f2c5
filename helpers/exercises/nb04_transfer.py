"""Exercises of notebook 04, transfer learning: its questions, its coding exercises (with
an independent reference each) and their worked solutions."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from helpers.exercises.harness import (
    STUB_HINT,
    Mistake,
    best_of,
    check_choice,
    check_equal,
    check_function,
    report,
)

# Questions


def check_best_method(answer, table) -> bool:
    """The method with the highest test accuracy in the comparison table (any on a tie)."""
    accepted = best_of(table["accuracy"])
    return check_choice(
        answer,
        accepted,
        f"{' / '.join(accepted)} scored highest on this split; the intervals say whether "
        "that is more than noise.",
        "the row with the largest 'accuracy'.",
    )


def check_better_cut(answer, accuracies: dict) -> bool:
    """The layer whose features gave the better feature-extraction accuracy (either on a
    tie)."""
    accepted = best_of(pd.Series(accuracies))
    return check_choice(
        answer,
        accepted,
        f"features of {' / '.join(accepted)} scored higher here.",
        "compare the two accuracies printed above.",
    )


def check_training_images(answer, split) -> bool:
    """How many labelled training images the split holds."""
    return check_equal(
        answer,
        len(split.y_train),
        f"{len(split.class_names)} classes x {len(split.y_train) // len(split.class_names)}.",
        "images per class x number of classes.",
    )


# Coding exercises: hidden inputs, an independent reference, the likely mistakes


def _tiny_base(seed: int):
    """A small pretrained-like base: conv -> BN -> pool -> conv -> GAP."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(6, 3, padding="same", activation="relu")(x)
    outputs = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, outputs, name="hidden_base")


def check_frozen_model(learner) -> bool:
    """``frozen_model(base, n_classes) -> keras.Model``: the base frozen, a new softmax Dense
    head with ``n_classes`` units on its output; training it leaves the base unchanged."""
    if learner is None:
        return check_function(None, (), ())
    praise = "the base is frozen and only the new head learns."
    for n_classes in (2, 5):
        base = _tiny_base(n_classes)
        before = [w.copy() for w in base.get_weights()]
        try:
            model = learner(base, n_classes)
        except NotImplementedError:
            return report(False, praise, STUB_HINT)
        except Exception as error:  # the learner's code
            return report(False, praise, f"your function raised {type(error).__name__}: {error}")
        if not isinstance(model, keras.Model):
            return report(False, praise, f"return a keras.Model, not {type(model).__name__}.")
        images = np.random.default_rng(n_classes).random((6, 8, 8, 1)).astype(np.float32)
        outputs = np.asarray(model(images, training=False))
        if outputs.shape != (6, n_classes):
            return report(
                False, praise, f"the head must have {n_classes} outputs; got shape {outputs.shape}."
            )
        if not np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4) or (outputs < 0).any():
            return report(False, praise, "the new head needs a softmax activation.")
        base_ids = {id(v) for v in base.weights}
        if any(id(v) in base_ids for v in model.trainable_weights):
            return report(False, praise, "freeze the base (base.trainable = False) first.")
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
        model.fit(images, np.arange(6) % n_classes, epochs=1, verbose=0)
        if not all(np.array_equal(b, a) for b, a in zip(before, base.get_weights(), strict=True)):
            return report(
                False,
                praise,
                "training changed the base: call it with training=False so BatchNorm keeps its "
                "statistics, and freeze it.",
            )
    return report(True, praise, "")


def _count_reference(spec):
    """Trainable numbers of a conv (k, c_in, c_out) / BN (c) / dense (n_in, n_out) stack."""
    total = 0
    for kind, *sizes in spec:
        if kind == "conv":
            k, c_in, c_out = sizes
            total += k * k * c_in * c_out + c_out
        elif kind == "bn":
            total += 2 * sizes[0]  # gamma and beta; the moving mean and variance are not trained
        else:
            n_in, n_out = sizes
            total += n_in * n_out + n_out
    return total


def _spec_model(spec, frozen_first: bool = False):
    first = spec[0]
    inputs = keras.Input((8, 8, first[2] if first[0] == "conv" else first[1]))
    x = inputs
    for i, (kind, *sizes) in enumerate(spec):
        if kind == "conv":
            layer = keras.layers.Conv2D(sizes[2], sizes[0], padding="same")
        elif kind == "bn":
            layer = keras.layers.BatchNormalization()
        else:
            x = keras.layers.GlobalAveragePooling2D()(x) if len(x.shape) == 4 else x
            layer = keras.layers.Dense(sizes[1])
        x = layer(x)
        layer.trainable = not (frozen_first and i == 0)
    return keras.Model(inputs, x)


SPECS = (
    (("conv", 3, 1, 4), ("bn", 4), ("dense", 4, 2)),
    (("conv", 5, 2, 3), ("conv", 3, 3, 6), ("bn", 6), ("dense", 6, 10)),
)


def check_count_trainable(learner) -> bool:
    """``count_trainable(model) -> int``: how many numbers training can change (frozen layers
    and BatchNorm's moving statistics excluded)."""
    settings = [(spec, frozen) for spec in SPECS for frozen in (False, True)]
    cases = [(_spec_model(spec, frozen),) for spec, frozen in settings]
    expected = [_count_reference(spec[int(frozen) :]) for spec, frozen in settings]
    mistakes = [
        Mistake(
            lambda m: sum(int(np.prod(w.shape)) for w in m.weights),
            "count only trainable weights: frozen layers and BatchNorm's moving mean and "
            "variance do not learn.",
        ),
        Mistake(
            lambda m: len(m.trainable_weights),
            "count numbers, not weight arrays: multiply out each array's shape.",
        ),
    ]
    return check_function(learner, cases, expected, mistakes, copy_inputs=False)


# Worked solutions: look here only after trying (`exercises.solutions.<name>??`)


def frozen_model(base, n_classes):
    """``base`` frozen (and run in inference mode) with a new softmax head."""
    base.trainable = False
    inputs = keras.Input(base.inputs[0].shape[1:])
    features = base(inputs, training=False)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(features)
    return keras.Model(inputs, outputs)


def count_trainable(model):
    """The number of trainable scalars of ``model``."""
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


QUESTIONS = (check_best_method, check_better_cut, check_training_images)
CODING = (check_frozen_model, check_count_trainable)
SOLUTIONS = (frozen_model, count_trainable)
