"""The real ImageNet network on real photos, in every profile (notebooks 00, 01, 02, 05, 07),
and the 1,000 ImageNet class names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from helpers.data import photos
from helpers.infra import config
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
