"""Notebook 05, a coarse classifier from a fine one without training: the fine classifier,
the coarse tasks (Fashion-MNIST's groupings; cats vs dogs from the ImageNet head in
``full``) and their images' outputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import coarse as scsm
from helpers import data
from helpers.course.imagenet import CATS, DOGS, imagenet_class_names
from helpers.course.nb04_transfer import pets
from helpers.infra import config
from helpers.models import weights, zoo

# Coarse groupings of the ten classes used in notebooks 05 and 06.
COARSE_GROUPS = {
    # The six-way hierarchy used in the literature.
    "six": {
        "Tops": ("T-shirt/top", "Pullover", "Shirt"),
        "Bottoms": ("Trouser",),
        "Dresses": ("Dress",),
        "Outers": ("Coat",),
        "Shoes": ("Sandal", "Sneaker", "Ankle boot"),
        "Accessories": ("Bag",),
    },
    # Three visually distinct families.
    "three": {
        "Clothing": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Shirt"),
        "Footwear": ("Sandal", "Sneaker", "Ankle boot"),
        "Bags": ("Bag",),
    },
    # Two-way: footwear vs upper-body garments (the classes in neither are left out).
    "two": {
        "Footwear": ("Sandal", "Sneaker", "Ankle boot"),
        "Tops": ("T-shirt/top", "Pullover", "Shirt", "Coat"),
    },
}


def fashion_tasks(class_names) -> dict[str, dict]:
    """The quick profile's coarse tasks: groups from :data:`COARSE_GROUPS` and the
    initialisation class of each group (the group's most typical member)."""
    inits = {"two": ("Sneaker", "T-shirt/top"), "three": ("T-shirt/top", "Sneaker", "Bag")}
    return {
        name: {
            "group_names": list(COARSE_GROUPS[name]),
            "groups": [[class_names.index(c) for c in g] for g in COARSE_GROUPS[name].values()],
            "init": [class_names.index(c) for c in inits[name]],
        }
        for name in inits
    }


@dataclass
class Coarse:
    """Notebook 05: the fine classifier's head, the coarse tasks and their images' outputs."""

    profile: str
    model: object
    class_names: tuple[str, ...]
    tasks: dict[str, dict]
    test: dict  # penultimate features, fine probabilities, fine labels
    validation: dict  # the same for images the fine model never trained on
    scsm_rows: list[int]  # rows of the SCSM to print
    shown_classes: list[int]  # columns of the similarity heatmap
    neighbour_class: str  # the class of the SCSM exercise
    description: str


def coarse(profile: str | None = None) -> Coarse:
    """``quick``: ``fashion_cnn`` and Fashion-MNIST's two- and three-group tasks. ``full``:
    MobileNetV2 (ImageNet) on cats vs dogs, coarse units initialised from classes 283 (Persian
    cat) and 248 (Eskimo dog, husky) with k = 3, as in Filus & Domańska's demonstration."""
    if config.get_profile(profile) == "quick":
        dataset = data.load_fashion_mnist("quick")
        model = zoo.load("fashion_cnn")
        unseen = zoo.unseen_training_images("fashion_cnn", dataset)
        return Coarse(
            "quick",
            model,
            data.FASHION_CLASSES,
            fashion_tasks(data.FASHION_CLASSES),
            scsm.split_outputs(model, dataset.x_test, dataset.y_test),
            scsm.split_outputs(model, dataset.x_train[unseen], dataset.y_train[unseen]),
            list(range(10)),
            list(range(10)),
            "Sneaker",
            f"fashion_cnn on {dataset.source}; {len(unseen)} validation images it never "
            "trained on choose k",
        )
    resolved = weights.resolve("MobileNetV2", include_top=True, profile="full")
    model = zoo.pretrained("MobileNetV2", resolved.path, include_top=True)
    photos = pets(224, 100, 100, "mobilenet_v2")
    as_fine = np.array([283, 248])  # a cat is scored in the cat group, a dog in the dog group
    init = [283, 248]
    names = imagenet_class_names()
    groups = {"group_names": ["cat", "dog"], "groups": [list(CATS), list(DOGS)], "init": init}
    tasks = {  # Filus & Domańska's k, and k chosen on the validation photos
        "cats vs dogs, k = 3": {**groups, "ks": [3]},
        "cats vs dogs, k chosen": {**groups, "ks": list(range(1, 21))},
    }
    return Coarse(
        "full",
        model,
        names,
        tasks,
        scsm.split_outputs(model, photos.x_test, as_fine[photos.y_test]),
        scsm.split_outputs(model, photos.x_train, as_fine[photos.y_train]),
        [0, 999, 283, 248],
        init + [281, 282, 284, 250, 249, 151],
        "Persian cat",
        f"MobileNetV2 ({resolved.describe()}); coarse units from classes 283 ({names[283]}) "
        f"and 248 ({names[248]}), k = 3; {photos.source}: {len(photos.y_train)} validation, "
        f"{len(photos.y_test)} test photos",
    )


# ---------------------------------------------------------------------------------------------
# 06: HD-CNN
