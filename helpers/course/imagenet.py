"""The real ImageNet network on real photos, in every profile (notebooks 00, 01, 02, 05, 07),
the 1,000 ImageNet class names, and the network checked on labelled validation photos (00)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from helpers import predictions, stats
from helpers.data import labelled_photos, photos
from helpers.infra import config
from helpers.infra.errors import DataNotFoundError
from helpers.models import efficientnet


@dataclass
class RealNetwork:
    """EfficientNet-Lite0 (ImageNet) and the photos it is shown, with its predictions."""

    model: object
    photos: object  # helpers.data.photos.Photos, images in [0, 1] at 224 px
    class_names: tuple[str, ...]
    probabilities: np.ndarray  # (photos, 1000)
    description: str

    @property
    def predicted(self) -> np.ndarray:
        """Each photo's most probable class."""
        return self.probabilities.argmax(axis=1)


_REAL_NETWORK: list[RealNetwork] = []  # built once per kernel
_STEPS = "{desc} ({n}/{total}, {elapsed})"  # a first load takes 3-4 s: say what is happening


def real_network() -> RealNetwork:
    """The real ImageNet network of notebooks 00, 01, 02, 05 and 07, in every profile: it
    needs nothing but the installed course (loaded once per kernel)."""
    if not _REAL_NETWORK:
        with tqdm(total=3, desc="EfficientNet-Lite0: loading", bar_format=_STEPS) as bar:
            model = efficientnet.load()
            bar.set_description("EfficientNet-Lite0: reading the photos")
            bar.update()
            shown = photos.course_photos()
            bar.set_description("EfficientNet-Lite0: classifying the photos")
            bar.update()
            probabilities = np.asarray(model(shown.images, training=False))  # no predict trace
            bar.set_description("EfficientNet-Lite0: ready")
            bar.update()
        own = len(shown) - len(photos.SHIPPED)
        yours = f" + {own} of yours from $COURSE_DATA/images" if own else ""
        description = (
            f"{efficientnet.describe()}; {len(photos.SHIPPED)} photos (scikit-image, "
            f"scikit-learn){yours} at {efficientnet.SIZE} px"
        )
        _REAL_NETWORK.append(
            RealNetwork(model, shown, imagenet_class_names(), probabilities, description)
        )
    return _REAL_NETWORK[0]


IMAGENET_CLASSES = config.DATA_DIR / "imagenet_classes.tsv"
CATS, DOGS = range(281, 286), range(151, 269)  # ImageNet's domestic cats and dog breeds


def imagenet_class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet class names in the order of Keras' applications (shipped)."""
    lines = IMAGENET_CLASSES.read_text().splitlines()
    return tuple(line.split("\t", 1)[1].split(",")[0] for line in lines)


@dataclass
class ValidationCheck:
    """The real network on the labelled ImageNet validation photos: ``table`` (top-1 and
    top-5 accuracy with exact 95 % intervals, and the published top-1), ``hits`` (0/1 per
    photo, per measure) and the photos it gets wrong at top-1 with their titles."""

    table: object
    hits: dict
    wrong_images: np.ndarray
    wrong_titles: list[str]
    published: float = efficientnet.TOP1_PUBLISHED  # Google's top-1 on all 50,000 photos


def validation_check(net: RealNetwork) -> ValidationCheck | None:
    """Notebook 00's check of the network on the 20 labelled ImageNet validation photos
    fetched at set-up, at 224 px as the course's other photos; None, after printing why and
    how to fetch them, when they are not here."""
    try:
        fetched = labelled_photos.imagenet_photos()
    except DataNotFoundError as error:
        print(f"Skipped: {error}")
        return None
    images = np.stack([photos.square(i, efficientnet.SIZE) for i in fetched.images]) / 255.0
    probabilities = np.asarray(net.model(images.astype(np.float32), training=False))
    hits = {f"top-{k}": predictions.top_k_hits(probabilities, fetched.labels, k) for k in (1, 5)}
    rows = {}
    for name, hit in hits.items():
        low, high = stats.exact_interval(int(hit.sum()), len(hit))
        rows[name] = {"right": f"{int(hit.sum())} of {len(hit)}", "accuracy": round(hit.mean(), 3),
                      "low": round(low, 3), "high": round(high, 3)}  # fmt: skip
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["published (50,000 photos)"] = [f"{efficientnet.TOP1_PUBLISHED:.3f}", "-"]
    wrong = np.flatnonzero(hits["top-1"] == 0)
    names = net.class_names
    titles = [
        f"{names[fetched.labels[i]]}\nread: {names[probabilities[i].argmax()]} "
        f"{probabilities[i].max():.2f}"
        for i in wrong
    ]
    return ValidationCheck(table, hits, images[wrong], titles)
