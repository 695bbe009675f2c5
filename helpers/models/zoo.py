"""Course models: build, train, save, load (checksummed); pretrained Keras applications.

Shipped models live in ``data/models/`` with ``manifest.json`` (data, epochs, seed, test
accuracy, sha256). ``scripts/train_zoo.py`` writes them. In the ``full`` profile a model that is
not shipped is trained on first use and cached in :func:`helpers.infra.config.user_cache_dir`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers
from tqdm.auto import tqdm

from helpers import data
from helpers.data import Dataset, select_classes
from helpers.infra import config, sources
from helpers.infra.errors import ModelUnavailableError
from helpers.infra.sources import sha256_of
from helpers.models import weights as weight_files

MANIFEST = "manifest.json"


# ---------------------------------------------------------------------------------------------
# Architectures
# ---------------------------------------------------------------------------------------------


def build_small_cnn(num_classes: int = 10, input_shape=(28, 28, 1), name: str = "small_cnn"):
    """A small CNN with a GAP -> Dense softmax head (so CAMs and coarse extraction apply).

    ``conv1`` has 5x5 kernels worth looking at; ``features`` is the GAP output (the penultimate
    representation) and ``predictions`` the softmax Dense head.
    """
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
    entry = manifest_entry(name, config.MODELS_DIR)
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


def training_data_sha256(name: str, dataset: Dataset) -> str:
    """The sha256 of the images and labels the recipe ``name`` trains on in ``dataset``:
    recorded with a model trained on first use, so that other data retrains it."""
    spec = recipe(name)
    if spec.classes is not None:
        dataset = select_classes(dataset, spec.classes)
    return _arrays_sha256(dataset.x_train, dataset.y_train)


def _arrays_sha256(x: np.ndarray, y: np.ndarray) -> str:
    """The sha256 of the images' then the labels' values (C order), read in place: no copy
    of a training set that may be 600 MB (CIFAR as floats)."""
    digest = hashlib.sha256()
    for array in (x, y):
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def epoch_bar(name: str, epochs: int):
    """A Keras callback showing one progress bar over the epochs (tqdm: a widget in Jupyter,
    one line in a terminal) with the last accuracies, instead of a printed line per batch."""

    class EpochBar(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=epochs, desc=f"training {name}", unit="epoch")

        def on_epoch_end(self, epoch, logs=None):
            accuracies = {k: f"{v:.3f}" for k, v in (logs or {}).items() if "accuracy" in k}
            self.bar.set_postfix(accuracies)
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    return EpochBar()


def train(
    name: str,
    dataset: Dataset,
    epochs: int | None = None,
    max_train_images: int | None = None,
    validation_fraction: float = 0.1,
    verbose: int | str = 2,
):
    """Train a course model by its recipe; return ``(model, info)``.

    ``info`` holds what the manifest records: epochs, seed, data (and its sha256), validation
    and test accuracy (on ``dataset.x_test``), seconds. ``max_train_images`` trims the
    training set (for tests). ``verbose="bar"`` shows one progress bar over the epochs.
    """
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
        verbose=0 if verbose == "bar" else verbose,
        callbacks=[epoch_bar(name, epochs)] if verbose == "bar" else [],
    )
    seconds = time.perf_counter() - start
    _, test_accuracy = model.evaluate(dataset.x_test, dataset.y_test, verbose=0, batch_size=512)
    info = {
        "name": name,
        "description": spec.description,
        "training_data": f"{dataset.source}: {len(train_idx)} train / {len(val_idx)} validation",
        "training_data_sha256": _arrays_sha256(x, y),
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
    """The sha256 the shipped model manifest records for each of ``names``; a name it does
    not hold, or an entry without its checksum, is an error saying so."""
    entries = manifest_entries(config.MODELS_DIR)
    found = {e.get("name"): e for e in entries if e.get("name") in names}
    missing = [name for name in names if name not in found]
    if missing:
        raise ModelUnavailableError(
            f"The manifest {config.MODELS_DIR / MANIFEST} holds no entry for {missing}: "
            f"restore it with `git checkout -- {config.MODELS_DIR}`."
        )
    unchecked = [name for name, entry in found.items() if not entry.get("sha256")]
    if unchecked:
        raise ModelUnavailableError(
            f"The manifest entries of {unchecked} in {config.MODELS_DIR / MANIFEST} have no "
            f"sha256, so their files cannot be checked: restore the manifest with "
            f"`git checkout -- {config.MODELS_DIR / MANIFEST}`."
        )
    return {name: found[name]["sha256"] for name in names}


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
    sources.write_atomically(
        models_dir / MANIFEST, json.dumps({"models": entries}, indent=2) + "\n"
    )
    return path


def manifest_entry(name: str, models_dir: str | os.PathLike) -> dict | None:
    """The manifest entry of ``name`` in ``models_dir``, or None."""
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
    epochs: int | None = None,
):
    """Load a course model, verifying its sha256 against the manifest.

    Looks in ``models_dir`` (the shipped models), then in the user cache. In the ``full``
    profile a model found in neither is trained by its recipe (on ``dataset``, for ``epochs``,
    with one progress bar) and cached there; a cached model trained on other data than
    ``dataset`` is trained again, with a message. Shipped files are never overwritten.
    """
    entry = manifest_entry(name, Path(models_dir))
    if entry is not None:
        return _load_verified(entry, Path(models_dir))
    cache = config.user_cache_dir() / "models"
    entry = manifest_entry(name, cache)
    if entry is not None and (dataset is None or _trained_on(entry, name, dataset)):
        return _load_verified(entry, cache)
    if name not in RECIPES:
        close = difflib.get_close_matches(name, [*RECIPES, "cam_half", "cam_full"], n=1)
        suggestion = f" Did you mean {close[0]!r}?" if close else ""
        raise ModelUnavailableError(
            f"No course model is called {name!r}.{suggestion} Known models: "
            f"{sorted({*RECIPES, *(e['name'] for e in manifest_entries(models_dir))})}."
        )
    if config.get_profile(profile) != "full":
        raise ModelUnavailableError(
            f"Course model {name!r} is not in {models_dir} nor in {config.user_cache_dir()}. "
            f"Train it with `python -m helpers train {name}`, or use the full profile "
            "(COURSE_PROFILE=full), which trains it on first use."
        )
    if dataset is None:
        raise ValueError(f"Training {name!r} on first use needs its dataset: pass dataset=...")
    if entry is not None:
        print(
            f"The cached {name} was trained on {entry.get('training_data', 'other data')}, "
            f"not on {dataset.source}: training it again."
        )
    model, info = train(name, dataset, epochs=epochs, verbose="bar")
    save(model, info, cache)
    return model


def _trained_on(entry: dict, name: str, dataset: Dataset) -> bool:
    return entry.get("training_data_sha256") == training_data_sha256(name, dataset)


def recipe_dataset(name: str) -> Dataset:
    """The dataset a recipe trains on (full profile), capped by ``COURSE_FULL_LIMIT``."""
    loaders = {
        "fashion_mnist": lambda: data.load_fashion_mnist("full"),
        "cifar10": lambda: data.load_cifar(10, "full"),
        "cifar100": lambda: data.load_cifar(100, "full"),
    }
    return data.limited(loaders[recipe(name).dataset](), config.full_limit())


def recipe_epochs(name: str) -> int:
    """The recipe's epochs, or 1 under ``COURSE_FULL_LIMIT`` (smoke runs)."""
    return 1 if config.full_limit() else recipe(name).epochs


# ---------------------------------------------------------------------------------------------
# Pretrained ImageNet models (full profile)
# ---------------------------------------------------------------------------------------------


def pretrained(name: str, weights: str | os.PathLike | None = "imagenet", include_top=True, **kw):
    """A ``keras.applications`` model (MobileNetV2, VGG16, DenseNet121). ``"imagenet"``
    weights are resolved and checked by :func:`helpers.models.weights.resolve` (which raises naming
    the file, where it was looked for and the command that fetches it); Keras gets the path."""
    weight_files.weight_file(name, include_top)  # an unknown name lists the known ones
    if isinstance(weights, str) and weights == "imagenet":
        weights = weight_files.resolve(name, include_top).path
    builder = getattr(keras.applications, name)
    return builder(weights=None if weights is None else str(weights), include_top=include_top, **kw)
