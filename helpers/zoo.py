"""Course models: build, train, save, load (checksummed); pretrained Keras applications.

Shipped models live in ``data/models/`` with ``manifest.json`` (data, epochs, seed, test
accuracy, sha256). ``scripts/train_zoo.py`` writes them. In the ``full`` profile a model that is
not shipped is trained on first use and cached in :func:`helpers.config.user_cache_dir`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import config
from helpers.data import Dataset, select_classes, sha256_of

MANIFEST = "manifest.json"


class ModelUnavailableError(FileNotFoundError):
    """A course model or pretrained weight file is missing, corrupt or cannot be fetched."""


# ---------------------------------------------------------------------------------------------
# Architectures
# ---------------------------------------------------------------------------------------------


def build_small_cnn(num_classes: int = 10, input_shape=(28, 28, 1), name: str = "small_cnn"):
    """A small CNN with a GAP -> Dense softmax head (so CAMs and coarse extraction apply).

    ``conv1`` has 5x5 kernels worth looking at; ``features`` is the GAP output (the penultimate
    representation) and ``predictions`` the softmax Dense head.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(32, 5, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.BatchNormalization(name="bn2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)
    x = layers.Conv2D(128, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.BatchNormalization(name="bn3")(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


@dataclass(frozen=True)
class Recipe:
    """How a course model is built and trained, recorded in the manifest."""

    name: str
    build: Callable
    dataset: str
    epochs: int
    batch_size: int = 128
    learning_rate: float = 1e-3
    seed: int = config.DEFAULT_SEED
    description: str = ""
    shipped: bool = True  # trained by scripts/train_zoo.py into data/models/
    classes: tuple[int, ...] | None = None  # train on these classes only (relabelled 0..n-1)


RECIPES: dict[str, Recipe] = {
    "fashion_cnn": Recipe(
        name="fashion_cnn",
        build=build_small_cnn,
        dataset="fashion_mnist",
        epochs=12,
        description="3 conv blocks (5x5 first), GAP -> Dense softmax; all 60k training images",
    ),
    "fashion_base8": Recipe(
        name="fashion_base8",
        build=build_small_cnn,
        dataset="fashion_mnist",
        epochs=8,
        classes=(0, 1, 3, 5, 6, 7, 8, 9),
        description="the fashion_cnn architecture pretrained on 8 classes; Pullover and Coat "
        "held out for transfer learning (notebook 04)",
    ),
    "cifar100_cnn": Recipe(
        name="cifar100_cnn",
        build=build_small_cnn,
        dataset="cifar100",
        epochs=30,
        description="the fashion_cnn architecture on CIFAR-100 fine labels: HD-CNN building "
        "block of the full profile (trained on first use)",
        shipped=False,
    ),
    "cifar10_cnn": Recipe(
        name="cifar10_cnn",
        build=build_small_cnn,
        dataset="cifar10",
        epochs=20,
        description="the fashion_cnn architecture on CIFAR-10 (full profile, trained on first use)",
        shipped=False,
    ),
}


def recipe(name: str) -> Recipe:
    """The recipe of a course model; an unknown name lists the known ones."""
    if name not in RECIPES:
        raise KeyError(f"Unknown course model {name!r}; known models: {sorted(RECIPES)}")
    return RECIPES[name]


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def validation_split(name: str, n_images: int, validation_fraction: float = 0.1):
    """``(train indices, validation indices)`` a recipe uses for ``n_images`` training images:
    a seeded permutation, so later steps (HD-CNN clusters) can use the same held-out images."""
    order = np.random.default_rng(recipe(name).seed).permutation(n_images)
    n_val = max(1, int(n_images * validation_fraction))
    return order[n_val:], order[:n_val]


def split_record(name: str, n_images: int, validation_fraction: float = 0.1) -> dict:
    """What the manifest records so that :func:`validation_split` can be recomputed."""
    return {"n_images": n_images, "fraction": validation_fraction, "seed": recipe(name).seed}


def unseen_training_images(name: str, dataset: Dataset) -> np.ndarray:
    """Positions in ``dataset.x_train`` of images the course model ``name`` never trained on
    (its validation split, as recorded in the manifest): the images to choose settings on.

    Raises
    ------
    ValueError
        The manifest records no split for ``name``, the model was trained on a class
        selection, or ``dataset`` does not say where its images come from.
    """
    entry = next((e for e in manifest_entries() if e["name"] == name), None)
    record = None if entry is None else entry.get("validation_split")
    if record is None or recipe(name).classes is not None:
        raise ValueError(
            f"the manifest records no validation split of the full training set for {name!r}; "
            "only models trained on all classes of a full training set have one"
        )
    if dataset.train_index is None or dataset.train_index.max() >= record["n_images"]:
        raise ValueError(
            f"{dataset.source} does not say which of the {record['n_images']} training images "
            f"{name!r} was trained on its images are: load it with data.load_fashion_mnist()"
        )
    _, held_out = validation_split(name, record["n_images"], record["fraction"])
    return np.flatnonzero(np.isin(dataset.train_index, held_out))


def train(
    name: str,
    dataset: Dataset,
    epochs: int | None = None,
    max_train_images: int | None = None,
    validation_fraction: float = 0.1,
    verbose: int = 2,
):
    """Train a course model by its recipe; return ``(model, info)``.

    ``info`` holds what the manifest records: epochs, seed, data, validation and test accuracy
    (on ``dataset.x_test``), seconds. ``max_train_images`` trims the training set (for tests).
    """
    import keras

    spec = recipe(name)
    epochs = spec.epochs if epochs is None else epochs
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    config.seed_everything(spec.seed)
    if spec.classes is not None:
        dataset = select_classes(dataset, spec.classes)
    x, y = dataset.x_train, dataset.y_train
    if max_train_images is not None:
        x, y = x[:max_train_images], y[:max_train_images]
    train_idx, val_idx = validation_split(name, len(x), validation_fraction)
    model = spec.build(num_classes=len(dataset.class_names), input_shape=x.shape[1:], name=name)
    steps = epochs * int(np.ceil(len(train_idx) / spec.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(spec.learning_rate, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(
        x[train_idx],
        y[train_idx],
        validation_data=(x[val_idx], y[val_idx]),
        epochs=epochs,
        batch_size=spec.batch_size,
        verbose=verbose,
    )
    seconds = time.perf_counter() - start
    _, test_accuracy = model.evaluate(dataset.x_test, dataset.y_test, verbose=0, batch_size=512)
    info = {
        "name": name,
        "description": spec.description,
        "training_data": f"{dataset.source}: {len(train_idx)} train / {len(val_idx)} validation",
        "validation_split": split_record(name, len(x), validation_fraction),
        "test_set": f"{len(dataset.x_test)} test images of {dataset.source}",
        "epochs": epochs,
        "batch_size": spec.batch_size,
        "seed": spec.seed,
        "val_accuracy": round(float(history.history["val_accuracy"][-1]), 4),
        "test_accuracy": round(float(test_accuracy), 4),
        "train_seconds": round(seconds, 1),
        "keras_version": keras.__version__,
    }
    return model, info


# ---------------------------------------------------------------------------------------------
# Saving and loading
# ---------------------------------------------------------------------------------------------


def manifest_entries(models_dir: str | os.PathLike = config.MODELS_DIR) -> list[dict]:
    """The entries of ``manifest.json`` in ``models_dir`` (empty when there is none)."""
    path = Path(models_dir) / MANIFEST
    if not path.is_file():
        return []
    try:
        return json.loads(path.read_text())["models"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        shipped = Path(models_dir).resolve() == config.MODELS_DIR.resolve()
        fix = (
            f"restore it with `git checkout -- {path}`"
            if shipped
            else f"delete it and retrain the models of {models_dir}"
        )
        raise ModelUnavailableError(
            f"The model manifest {path} is damaged ({type(error).__name__}: {error}): {fix}, "
            "or retrain with `python scripts/train_zoo.py`."
        ) from error


def manifest_sha256(*names: str) -> dict[str, str]:
    """The sha256 the shipped model manifest records for each of ``names`` it holds."""
    return {e["name"]: e["sha256"] for e in manifest_entries() if e["name"] in names}


def save(model, info: dict, models_dir: str | os.PathLike = config.MODELS_DIR) -> Path:
    """Save ``model`` as ``<name>.keras`` and record it (with its sha256) in the manifest."""
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    path = models_dir / f"{info['name']}.keras"
    tmp = path.with_suffix(".keras.part.keras")
    model.save(tmp)
    os.replace(tmp, path)
    entry = {**info, "file": path.name, "sha256": sha256_of(path)}
    entries = [e for e in manifest_entries(models_dir) if e["name"] != info["name"]] + [entry]
    entries.sort(key=lambda e: e["name"])
    config.write_atomically(models_dir / MANIFEST, json.dumps({"models": entries}, indent=2) + "\n")
    return path


def _find_entry(name: str, models_dir: Path) -> dict | None:
    return next((e for e in manifest_entries(models_dir) if e["name"] == name), None)


def _restore_hint(path: Path, models_dir: Path, name: str) -> str:
    """How to get a good copy back: git for the shipped models, retraining for a cache."""
    if Path(models_dir).resolve() == config.MODELS_DIR.resolve():
        return (
            f"Restore it with `git checkout -- {path}` or retrain it with "
            f"`python scripts/train_zoo.py {name}`."
        )
    return (
        f"Delete it (and its entry in {Path(models_dir) / MANIFEST}): the full profile trains "
        f"it again on first use, or run `python scripts/train_zoo.py {name}`."
    )


def _load_verified(entry: dict, models_dir: Path):
    import keras

    path = models_dir / entry["file"]
    if not path.is_file():
        raise ModelUnavailableError(
            f"Model file {path} is listed in {models_dir / MANIFEST} but missing. "
            f"{_restore_hint(path, models_dir, entry['name'])}"
        )
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise ModelUnavailableError(
            f"Model file {path} is corrupt or was changed: its sha256 is {actual}, the manifest "
            f"records {entry['sha256']}. {_restore_hint(path, models_dir, entry['name'])}"
        )
    return keras.models.load_model(path, compile=False)  # course models serve inference


def load(
    name: str,
    profile: str | None = None,
    models_dir: str | os.PathLike = config.MODELS_DIR,
    dataset: Dataset | None = None,
):
    """Load a course model, verifying its sha256 against the manifest.

    Looks in ``models_dir`` (the shipped models), then in the user cache. In the ``full``
    profile a model found in neither is trained by its recipe (on ``dataset``) and cached there;
    shipped files are never overwritten.
    """
    for folder in (Path(models_dir), config.user_cache_dir() / "models"):
        entry = _find_entry(name, folder)
        if entry is not None:
            return _load_verified(entry, folder)
    if name not in RECIPES:
        import difflib

        close = difflib.get_close_matches(name, [*RECIPES, "cam_half", "cam_full"], n=1)
        suggestion = f" Did you mean {close[0]!r}?" if close else ""
        raise ModelUnavailableError(
            f"No course model is called {name!r}.{suggestion} Known models: "
            f"{sorted({*RECIPES, *(e['name'] for e in manifest_entries(models_dir))})}."
        )
    if config.get_profile(profile) != "full":
        raise ModelUnavailableError(
            f"Course model {name!r} is not in {models_dir} nor in {config.user_cache_dir()}. "
            f"Train it with `python scripts/train_zoo.py {name}`, or use the full profile "
            "(COURSE_PROFILE=full), which trains it on first use."
        )
    if dataset is None:
        raise ValueError(f"Training {name!r} on first use needs its dataset: pass dataset=...")
    model, info = train(name, dataset, verbose=1)
    save(model, info, config.user_cache_dir() / "models")
    return model


def course_classifier(profile: str | None = None):
    """The dataset and trained classifier of notebooks 01-03: ``(Dataset, keras.Model)``.

    ``quick``: Fashion-MNIST and the shipped ``fashion_cnn``. ``full``: CIFAR-10 and
    ``cifar10_cnn`` (trained on first use and cached).
    """
    from helpers import data

    if config.get_profile(profile) == "quick":
        return data.load_fashion_mnist("quick"), load("fashion_cnn", "quick")
    dataset = data.load_cifar(10)
    return dataset, load("cifar10_cnn", "full", dataset=dataset)


# ---------------------------------------------------------------------------------------------
# Pretrained ImageNet models (full profile)
# ---------------------------------------------------------------------------------------------

PRETRAINED_FILES = {
    # name -> (keras.applications attribute, weight file with top, without top)
    "MobileNetV2": (
        "MobileNetV2",
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
    ),
    "VGG16": (
        "VGG16",
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    ),
    "DenseNet121": (
        "DenseNet121",
        "densenet121_weights_tf_dim_ordering_tf_kernels.h5",
        "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
    ),
}


def keras_models_dir() -> Path:
    """Where Keras looks for (and caches) application weights."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def pretrained(name: str, weights: str | None = "imagenet", include_top: bool = True, **kwargs):
    """A ``keras.applications`` model (MobileNetV2, VGG16, DenseNet121).

    Offline, with the weight file not in Keras' cache, raises :class:`ModelUnavailableError`
    naming the file and where to put it.
    """
    import keras

    if name not in PRETRAINED_FILES:
        raise KeyError(f"Unknown pretrained model {name!r}; available: {sorted(PRETRAINED_FILES)}")
    attribute, top_file, notop_file = PRETRAINED_FILES[name]
    builder = getattr(keras.applications, attribute)
    try:
        return builder(weights=weights, include_top=include_top, **kwargs)
    except Exception as error:
        if weights != "imagenet":
            raise
        weight_file = top_file if include_top else notop_file
        raise ModelUnavailableError(
            f"The ImageNet weights of {name} ({weight_file}) are not in {keras_models_dir()} "
            f"and could not be downloaded ({type(error).__name__}: {error}). On a machine with "
            f'network run `python -c "import keras; keras.applications.{attribute}('
            f'include_top={include_top})"` and copy {keras_models_dir() / weight_file} to the '
            "same place on this machine."
        ) from error
