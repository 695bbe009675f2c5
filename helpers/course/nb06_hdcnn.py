"""Notebook 06, HD-CNN: the building block, its fine components (shipped in ``quick``, trained
and cached in ``full``) and the clusters they were trained on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import data
from helpers import hdcnn as hd
from helpers.hdcnn import HDCNN, trained_for
from helpers.infra import config
from helpers.models import zoo

SHARED_LAYER = "pool2"  # the course CNNs: conv1..pool2 shared, conv3..predictions per component

# Fine -> cluster mapping of CIFAR-100 in 9 clusters published with Yan et al.'s HD-CNN code
# (github.com/stephenyan1231/caffe-public, branch hdcnn), used in the full profile with
# clusters="authors".
CIFAR100_AUTHORS_MAPPING = (
    5, 2, 3, 6, 6, 0, 2, 2, 8, 1, 1, 3, 8, 8, 2, 6, 1, 8, 2, 6, 0, 3, 1, 7, 2, 0, 2, 6, 1, 6,
    6, 6, 6, 4, 6, 3, 6, 8, 6, 1, 1, 8, 6, 6, 2, 2, 3, 4, 8, 7, 6, 5, 4, 5, 5, 6, 4, 5, 8, 4,
    7, 1, 5, 6, 6, 6, 6, 6, 7, 1, 5, 7, 6, 2, 6, 6, 1, 2, 2, 2, 6, 8, 2, 5, 0, 8, 1, 0, 6, 8,
    8, 2, 5, 6, 0, 6, 4, 6, 3, 2,
)  # fmt: skip


@dataclass
class Hierarchy:
    """Notebook 06: the HD-CNN, its building block's validation confusion and the data."""

    profile: str
    dataset: data.Dataset
    model: object  # hdcnn.HDCNN
    confusion: np.ndarray
    single_name: str  # the building block, as the single classifier it is compared with
    description: str
    asked_class: int = 6  # the class of the "which cluster" exercise (quick: Shirt)

    def demo_slices(self) -> tuple[slice, slice]:
        """Training and validation images of the component-training demo: the first 4,500
        and the next 1,500 training images (three quarters and one quarter when fewer)."""
        n = len(self.dataset.x_train)
        cut = min(4500, 3 * n // 4)
        return slice(0, cut), slice(cut, min(cut + 1500, n))

    def demo_split(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``dataset.x_train`` of the component-training demo's images:
        training, the first 4,500 images the building block trained on; validation, the
        block's validation split, images it never trained on (``quick``: as the manifest
        records it, :func:`helpers.models.zoo.unseen_training_images`)."""
        n = len(self.dataset.x_train)
        if self.profile == "quick":
            unseen = zoo.unseen_training_images(self.single_name, self.dataset)
        else:
            unseen = np.sort(zoo.validation_split(self.single_name, n)[1])
        seen = np.setdiff1d(np.arange(n), unseen)
        return seen[:4500], unseen


def hdcnn(profile: str | None = None, clusters: str = "confusion") -> Hierarchy:
    """``quick``: ``fashion_cnn`` and the shipped fine components. ``full``: a CIFAR-100
    building block trained on first use and 9 fine components trained here, on clusters from
    the block's confusion or (``clusters="authors"``) the 9-cluster
    mapping published with Yan et al.'s code."""
    if clusters not in ("confusion", "authors"):
        raise ValueError(
            f"clusters must be 'confusion' or 'authors' (Yan et al.'s 9 clusters of "
            f"CIFAR-100), got {clusters!r}"
        )
    if config.get_profile(profile) == "quick":
        if clusters != "confusion":
            raise ValueError(
                "Yan et al.'s 9-cluster mapping (clusters='authors') is of CIFAR-100: use the "
                "full profile"
            )
        dataset = data.load_fashion_mnist("quick")
        model, confusion = shipped_hdcnn()
        described = f"fashion_cnn + 3 shipped fine components on {dataset.source}"
        return Hierarchy("quick", dataset, model, confusion, "fashion_cnn", described)
    dataset = zoo.recipe_dataset("cifar100_cnn")
    block = zoo.load(
        "cifar100_cnn", "full", dataset=dataset, epochs=zoo.recipe_epochs("cifar100_cnn")
    )
    epochs = 1 if config.full_limit() else 10
    cache = config.user_cache_dir() / "models"
    block_entry = zoo.manifest_entry("cifar100_cnn", cache)  # load checked it against dataset
    trained_with = {
        "building block sha256": block_entry["sha256"],
        "training data sha256": block_entry["training_data_sha256"],
        "clusters": clusters,
        "epochs": epochs,
    }
    saved = saved_hdcnn(block, cache / f"hdcnn_{clusters}", trained_with)
    if saved is None:  # trained here once, then loaded from the cache
        train_idx, val_idx = zoo.validation_split("cifar100_cnn", len(dataset.x_train))
        chosen = hd.mapping_to_clusters(CIFAR100_AUTHORS_MAPPING) if clusters == "authors" else None
        model, confusion, infos = hd.train_hdcnn(
            block,
            dataset.x_train[train_idx],
            dataset.y_train[train_idx],
            dataset.x_train[val_idx],
            dataset.y_train[val_idx],
            9,
            SHARED_LAYER,
            epochs=epochs,
            clusters=chosen,
            progress=True,
        )
        save_hdcnn(model, confusion, infos, cache / f"hdcnn_{clusters}", trained_with)
    else:
        model, confusion = saved
    how = "Yan et al.'s 9 clusters" if clusters == "authors" else "9 clusters from its confusion"
    return Hierarchy(
        "full",
        dataset,
        model,
        confusion,
        "cifar100_cnn",
        f"cifar100_cnn + 9 fine components ({how}) on {dataset.source}",
        asked_class=3,
    )


# ---------------------------------------------------------------------------------------------
# 07: class activation maps
# ---------------------------------------------------------------------------------------------


def saved_hdcnn(block, models_dir, trained_with: dict | None = None):
    """The HD-CNN on ``block`` whose fine components (``hdcnn_fine_*``, with their clusters
    and the validation confusion) are saved in ``models_dir``, and that confusion; None when
    none are saved there or, given ``trained_with``, they were trained with anything else."""
    entries = sorted(
        (e for e in zoo.manifest_entries(models_dir) if e["name"].startswith("hdcnn_fine_")),
        key=lambda e: int(e["name"].rsplit("_", 1)[1]),
    )
    if not entries or any(e.get("trained_with") != trained_with for e in entries):
        return None
    components = [
        trained_for(zoo.load(e["name"], models_dir=models_dir), e["cluster"]) for e in entries
    ]
    confusion = np.asarray(entries[0]["confusion_on_validation"])
    return HDCNN(block, components, [e["cluster"] for e in entries], SHARED_LAYER), confusion


def save_hdcnn(model: HDCNN, confusion, infos: list[dict], models_dir, trained_with: dict):
    """Save the fine components of ``model`` (the building block is saved on its own) so
    that :func:`saved_hdcnn` finds them; ``infos`` as :func:`train_hdcnn` returns them."""
    for k, (component, info) in enumerate(zip(model.components, infos, strict=True)):
        record = {"name": f"hdcnn_fine_{k}", **info, "trained_with": trained_with}
        record["confusion_on_validation"] = np.round(confusion, 4).tolist() if k == 0 else None
        zoo.save(component, record, models_dir)


def shipped_hdcnn():
    """The quick profile's HD-CNN (``fashion_cnn`` and the shipped fine components, clusters
    from the manifest) and the validation confusion its clusters were computed from."""
    shipped = saved_hdcnn(zoo.load("fashion_cnn"), config.MODELS_DIR)
    if shipped is None:
        raise zoo.ModelUnavailableError(
            "The HD-CNN components are not shipped in data/models: train them with "
            "`python scripts/train_zoo.py hdcnn`."
        )
    return shipped
