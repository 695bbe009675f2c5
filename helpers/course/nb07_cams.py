"""Notebook 07, class activation maps: the setting, the decoder ablation of the shipped
``cam_full``, and the deletion and insertion areas, measured here or read from the record
shipped with the course.

Scoring seven map types x 50 images x 30 partly deleted or inserted images through the
HalfModel takes about 7 s on 2 CPU cores, a third of the notebook, so
``scripts/train_zoo.py cam_curves`` measures them once for the ``quick`` profile and writes
``data/models/cam_curves_quick.json`` (checked by :mod:`helpers.course.shipped`: the models'
sha256, the images, their target classes and the map types it was measured with). The notebook
measures the first :data:`CHECKED` images again and compares: a record that no longer fits
the maps (say, after a change to the refinement) is not used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from helpers import data, metrics
from helpers.course import shipped
from helpers.course.base import capped
from helpers.course.imagenet import imagenet_class_names
from helpers.data import cluttered
from helpers.data.imagefolder import load_image_folder
from helpers.infra import config, sources
from helpers.models import weights, zoo
from helpers.saliency import Score

SHIPPED = config.MODELS_DIR / "cam_curves_quick.json"
RERUN = "python scripts/train_zoo.py cam_curves"
CURVE_IMAGES = 50
STEPS = 16
CHECKED = 5
TOLERANCE = 0.01  # on an area in [0, 1]: far above float noise, far below a changed map's
CAM_MODELS = ("cam_half", "cam_full")


MATTERS = 0.02  # notebook 07: two points on a [0, 1] score; closer is called "too small to matter"


@dataclass
class Cams:
    """Notebook 07: the CAM network and what gives its high-res maps, the images, and their
    ground truth where there is one."""

    profile: str
    half: object  # the CAM network: GAP -> Dense
    full: object  # the decoder model (quick), or the finer layer whose Grad-CAM stands in
    grad_cam_model: object  # the network Grad-CAM explains
    cam_layer: str  # half's last conv layer (the CAM's features)
    images: np.ndarray  # in [0, 1]
    class_names: tuple[str, ...]
    test: object | None  # cluttered test set with masks and boxes (quick only)
    description: str
    matters: float = MATTERS  # the smallest difference of a [0, 1] score that matters

    @property
    def models(self):
        return self.half, self.full

    def has_ground_truth(self, what: str) -> bool:
        """Whether ``what`` (needing object masks) can be shown; says why not when not."""
        if self.test is None:
            print(
                f"{what}: needs object masks, which only the quick profile's cluttered "
                "images have; run this notebook with PROFILE = 'quick' to see it."
            )
        return self.test is not None


def cams(profile: str | None = None) -> Cams:
    """``quick``: the shipped HalfModel and decoder on cluttered Fashion-MNIST (with masks).
    ``full``: MobileNetV2 (ImageNet; GAP -> Dense) with the Grad-CAM of its 28 x 28
    ``block_5_add`` as the high-res map, Grad-CAM on VGG16, on 224-pixel photos from
    ``$COURSE_DATA/images/<class>/`` or the PetImages folder."""
    if config.get_profile(profile) == "quick":
        half, full = zoo.load("cam_half"), zoo.load("cam_full")
        test = course_test_set()
        accuracy = float((half.predict(test.images, verbose=0).argmax(1) == test.labels).mean())
        return Cams(
            "quick",
            half,
            full,
            half,
            "bottleneck",
            test.images,
            data.FASHION_CLASSES,
            test,
            f"cam_half + cam_full on {len(test.images)} cluttered test images "
            f"(HalfModel accuracy on them {accuracy:.4f})",
        )

    root = sources.course_data_dir()
    own = None if root is None else root / "images"
    folder = own if own is not None and own.is_dir() else data.pets_folder("full")
    photos = load_image_folder(folder, image_size=(224, 224), max_per_class=capped(8))
    mobilenet = weights.resolve("MobileNetV2", include_top=True, profile="full")
    vgg16 = weights.resolve("VGG16", include_top=True, profile="full")
    half = _on_unit_images("MobileNetV2", mobilenet.path, lambda x: x * 2.0 - 1.0)
    caffe = np.array([103.939, 116.779, 123.68], np.float32)  # VGG16's BGR means, 0..255
    grad_model = _on_unit_images("VGG16", vgg16.path, lambda x: x[..., ::-1] * 255.0 - caffe)
    return Cams(
        "full",
        half,
        "block_5_add",
        grad_model,
        "out_relu",
        photos.images.astype(np.float32) / 255.0,
        imagenet_class_names(),
        None,
        f"MobileNetV2 ({mobilenet.describe()}) CAMs, its block_5_add Grad-CAM as the high-res "
        f"map, Grad-CAM on VGG16 ({vgg16.describe()}); {len(photos.images)} photos from "
        f"{folder} at 224 px",
    )


def _on_unit_images(name: str, weights_path: Path, preprocess: Callable):
    """An ImageNet application that takes images in [0, 1]: its preprocessing is its first
    layer, so every map and gradient is of the image a learner sees."""
    inputs = keras.Input((224, 224, 3), name="image")
    prepared = keras.layers.Lambda(preprocess, name="preprocess")(inputs)
    network = zoo.pretrained(name, weights_path, include_top=True, input_tensor=prepared)
    return keras.Model(inputs, network.output, name=network.name)  # one input, not a list


def decoder_ablation(models_dir=None):
    """The decoder losses tried for the shipped ``cam_full`` (``scripts/train_zoo.py``), one
    row each with its validation scores; the column ``shipped`` marks the one chosen."""
    entry = zoo.manifest_entry("cam_full", config.MODELS_DIR if models_dir is None else models_dir)
    if entry is None or "ablation" not in entry:
        raise zoo.ModelUnavailableError(
            "no decoder ablation is recorded for cam_full: run "
            "`python scripts/train_zoo.py cam_decoder` to train and compare the decoders"
        )
    table = pd.DataFrame(entry["ablation"]["rows"]).set_index("variant")
    table["shipped"] = [
        (row["reconstruction weight"], row["agreement weight"])
        == (entry["reconstruction_weight"], entry["agreement_weight"])
        for _, row in table.iterrows()
    ]
    return table


@dataclass
class Curves:
    """Per map type, the deletion and insertion areas of the first images; ``source`` says
    where and when they were measured."""

    areas: dict[str, dict[str, np.ndarray]]
    source: str

    def join(self, per_image: dict) -> dict:
        """``per_image`` (:func:`helpers.metrics.per_image_scores`) with the areas added."""
        return {name: scores | self.areas[name] for name, scores in per_image.items()}


def course_test_set():
    """Notebook 07's test set: 500 cluttered 64x64 images (seed 3) from the course's own
    Fashion-MNIST test images."""
    course = data.load_fashion_mnist("quick")
    return cluttered.make_cluttered(course.x_test, course.y_test, 500, canvas=64, seed=3)


def measure(
    half, maps: dict, images, targets, n: int = CURVE_IMAGES, progress: bool = False
) -> dict:
    """The deletion and insertion areas of each map type on the first ``n`` images."""
    score = Score(half)
    return {
        name: metrics.curve_areas(score, images[:n], maps[name][:n], targets[:n], STEPS)
        for name in tqdm(maps, desc="deletion/insertion curves", disable=not progress)
    }


def _measured_with(model_sha256: dict, maps: dict, images, targets) -> dict:
    first = np.asarray(images, np.float32)[:CURVE_IMAGES]
    return {
        "models": model_sha256,
        "images": f"{len(first)} images, sha256 {shipped.array_sha256(first)}",
        "targets": [int(t) for t in np.asarray(targets)[:CURVE_IMAGES]],
        "map types": sorted(maps),
        "steps": STEPS,
    }


def save(areas: dict, model_sha256: dict, maps: dict, images, targets, path=SHIPPED) -> Path:
    """Write ``areas`` (from :func:`measure`) as a record of what they were measured with."""
    content = {
        "areas": {
            name: {label: np.round(v, 6).tolist() for label, v in by_label.items()}
            for name, by_label in areas.items()
        }
    }
    measured_with = _measured_with(model_sha256, maps, images, targets)
    return shipped.save(path, measured_with, content, RERUN)


def load(model_sha256: dict, maps: dict, images, targets, path=SHIPPED) -> Curves:
    """The record at ``path``, checked (:func:`helpers.shipped.load`)."""
    measured_with = _measured_with(model_sha256, maps, images, targets)
    payload = shipped.load(path, measured_with, RERUN)
    areas = {
        name: {label: np.asarray(v) for label, v in by_label.items()}
        for name, by_label in payload["areas"].items()
    }
    return Curves(areas, f"measured {payload['measured']}")


def largest_difference(recorded: Curves, measured: dict) -> float:
    """The largest absolute difference between recorded and ``measured`` areas, over the
    images ``measured`` holds."""
    return max(
        float(np.abs(recorded.areas[name][label][: len(v)] - v).max())
        for name, by_label in measured.items()
        for label, v in by_label.items()
    )


def model_sha256() -> dict:
    """The sha256 the model manifest records for cam_half and cam_full."""
    return zoo.manifest_sha256(*CAM_MODELS)


def course_curves(half, maps: dict, images, targets, live: bool = False, path=SHIPPED) -> Curves:
    """What notebook 07 shows: the shipped record when it fits these models, images, targets
    and maps, its first :data:`CHECKED` images measured again to prove it; otherwise (or with
    ``live=True``) everything measured here, about 7 s, with the reason in ``source``
    (:func:`helpers.shipped.shipped_or_measured`)."""

    def read():
        recorded = load(model_sha256(), maps, images, targets, path)
        difference = largest_difference(recorded, measure(half, maps, images, targets, CHECKED))
        if difference > TOLERANCE:
            raise shipped.RecordUnusable(
                f"{path} differs from the first {CHECKED} images measured here by "
                f"{difference:.3f}: measure again with `{RERUN}`",
                f"its first {CHECKED} images measured here differ by {difference:.3f} "
                f"(more than {TOLERANCE})",
            )
        return recorded.areas, (
            f"{recorded.source}; the first {CHECKED} images measured again here agree within "
            f"{difference:.4f}"
        )

    areas, source = shipped.shipped_or_measured(
        read,
        lambda: measure(half, maps, images, targets, progress=True),
        Path(path).name,
        live,
    )
    return Curves(areas, source)
