"""Notebook 07's deletion and insertion areas, measured here or read from the record shipped
with the course.

Scoring seven map types x 50 images x 30 partly deleted or inserted images through the
HalfModel takes about 7 s on 2 CPU cores, a third of the notebook, so
``scripts/train_zoo.py cam_curves`` measures them once for the ``quick`` profile and writes
``data/models/cam_curves_quick.json`` (checked by :mod:`helpers.records`: the models' sha256,
the images, their target classes and the map types it was measured with). The notebook
measures the first :data:`CHECKED` images again and compares: a record that no longer fits
the maps (say, after a change to the refinement) is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from helpers import config, metrics, occlusion, records

SHIPPED = config.MODELS_DIR / "cam_curves_quick.json"
RERUN = "python scripts/train_zoo.py cam_curves"
CURVE_IMAGES = 50
STEPS = 16
CHECKED = 5
TOLERANCE = 0.01  # on an area in [0, 1]: far above float noise, far below a changed map's
CAM_MODELS = ("cam_half", "cam_full")


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
    from helpers import cluttered, data

    course = data.load_fashion_mnist("quick")
    return cluttered.make_cluttered(course.x_test, course.y_test, 500, canvas=64, seed=3)


def measure(
    half, maps: dict, images, targets, n: int = CURVE_IMAGES, progress: bool = False
) -> dict:
    """The deletion and insertion areas of each map type on the first ``n`` images."""
    score = occlusion.make_scorer(half)
    return {
        name: metrics.curve_areas(score, images[:n], maps[name][:n], targets[:n], STEPS)
        for name in tqdm(maps, desc="deletion/insertion curves", disable=not progress)
    }


def _measured_with(model_sha256: dict, maps: dict, images, targets) -> dict:
    first = np.asarray(images, np.float32)[:CURVE_IMAGES]
    return {
        "models": model_sha256,
        "images": f"{len(first)} images, sha256 {records.array_sha256(first)}",
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
    return records.save(path, measured_with, content, RERUN)


def load(model_sha256: dict, maps: dict, images, targets, path=SHIPPED) -> Curves:
    """The record at ``path``, checked (:func:`helpers.records.load`)."""
    measured_with = _measured_with(model_sha256, maps, images, targets)
    payload = records.load(path, measured_with, RERUN)
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
    from helpers import zoo

    return zoo.manifest_sha256(*CAM_MODELS)


def course_curves(half, maps: dict, images, targets, live: bool = False, path=SHIPPED) -> Curves:
    """What notebook 07 shows: the shipped record when it fits these models, images, targets
    and maps, its first :data:`CHECKED` images measured again to prove it; otherwise (or with
    ``live=True``) everything measured here, about 7 s, with the reason in ``source``
    (:func:`helpers.records.shipped_or_measured`)."""

    def read():
        recorded = load(model_sha256(), maps, images, targets, path)
        difference = largest_difference(recorded, measure(half, maps, images, targets, CHECKED))
        if difference > TOLERANCE:
            raise records.RecordUnusable(
                f"{path} differs from the first {CHECKED} images measured here by "
                f"{difference:.3f}: measure again with `{RERUN}`",
                f"its first {CHECKED} images measured here differ by {difference:.3f} "
                f"(more than {TOLERANCE})",
            )
        return recorded.areas, (
            f"{recorded.source}; the first {CHECKED} images measured again here agree within "
            f"{difference:.4f}"
        )

    areas, source = records.shipped_or_measured(
        read,
        lambda: measure(half, maps, images, targets, progress=True),
        Path(path).name,
        live,
    )
    return Curves(areas, source)
