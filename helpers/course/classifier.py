"""Notebooks 00-03: a dataset and the course classifier trained on it (Fashion-MNIST and
``fashion_cnn`` in ``quick``; CIFAR-10 and ``cifar10_cnn`` in ``full``)."""

from __future__ import annotations

from dataclasses import dataclass

from helpers import data
from helpers.course.base import capped
from helpers.infra import config
from helpers.models import zoo


@dataclass
class Classifier:
    """Notebooks 00-03: the dataset, its classifier and the techniques' parameters."""

    profile: str
    dataset: data.Dataset
    model: object | None
    description: str
    n_images: int = 2000  # test images for top-K, occlusion and t-SNE
    top_k: int = 8
    window: int = 6  # occlusion window and stride (pixels)
    stride: int = 2


def classifier_setting(profile: str | None, with_model: bool = True) -> Classifier:
    chosen = config.get_profile(profile)
    if chosen == "quick":
        dataset = data.load_fashion_mnist("quick")
        model = zoo.load("fashion_cnn", "quick") if with_model else None
        return Classifier(chosen, dataset, model, _model_line("fashion_cnn", dataset, model))
    dataset = zoo.recipe_dataset("cifar10_cnn")
    model = None
    if with_model:
        model = zoo.load(
            "cifar10_cnn", "full", dataset=dataset, epochs=zoo.recipe_epochs("cifar10_cnn")
        )
    return Classifier(
        chosen,
        dataset,
        model,
        _model_line("cifar10_cnn", dataset, model),
        n_images=capped(10_000),
        top_k=10,
        window=11,
        stride=2,
    )


def _model_line(name: str, dataset: data.Dataset, model) -> str:
    if model is None:
        return (
            f"{dataset.source}: {len(dataset.y_train)} training, {len(dataset.y_test)} test images"
        )
    return f"{name} on {dataset.source}"
