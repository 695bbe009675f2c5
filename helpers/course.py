"""What each notebook runs in each profile: one function per notebook returning its data,
models and parameters. This is the only module that decides between ``quick`` (Fashion-MNIST,
shipped models, offline) and ``full`` (the seeds' settings: CIFAR, ImageNet networks,
cats-vs-dogs photos); nothing in the package imports it.

``$COURSE_FULL_LIMIT`` caps images and epochs of the ``full`` settings for smoke runs (CI's
stand-ins); unset, ``full`` uses the seeds' sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers import config, data, zoo

# ---------------------------------------------------------------------------------------------
# Every notebook's first call
# ---------------------------------------------------------------------------------------------


@dataclass
class SetupReport:
    """What :func:`setup` found; notebooks keep it to pass the profile along."""

    profile: str
    seed: int
    versions: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        limit = config.full_limit() if self.profile == "full" else None
        cap = f" (COURSE_FULL_LIMIT={limit}: a smoke run, not the seeds' sizes)" if limit else ""
        return "\n".join(
            [
                f"profile      : {self.profile}{cap}",
                f"seed         : {self.seed}",
                "versions     : " + ", ".join(f"{k} {v}" for k, v in self.versions.items()),
            ]
        )


def setup(profile: str | None = None, seed: int = config.DEFAULT_SEED, verbose: bool = True):
    """First call of every notebook: fix seeds, apply the plot style, report the profile."""
    import keras
    import tensorflow as tf

    from helpers import plots

    chosen = config.get_profile(profile)
    tf.get_logger().setLevel("ERROR")  # no retracing chatter from many small models
    config.seed_everything(seed)
    plots.apply_style()
    report = SetupReport(chosen, seed, {"tensorflow": tf.__version__, "keras": keras.__version__})
    if verbose:
        print(report.summary())
    return report


def claim(profile: str, holds: Callable[[], bool], statement: str) -> None:
    """A result the notebook's text states. In ``quick`` (what the text describes) it must
    hold, or the cell fails. In ``full`` the text describes the quick profile: say whether
    the statement holds in this setting too."""
    if config.get_profile(profile) == "quick":
        if not holds():
            raise AssertionError(f"the text says: {statement}")
        return
    try:
        verdict = "holds here too" if holds() else "does NOT hold in this setting"
    except (KeyError, IndexError, ValueError):
        verdict = "does not apply to this setting"
    print(f"The text describes the quick profile: '{statement}' {verdict}.")


def _limit(default: int) -> int:
    """``default``, or ``COURSE_FULL_LIMIT`` when that is smaller."""
    limit = config.full_limit()
    return default if limit is None else min(default, limit)


# ---------------------------------------------------------------------------------------------
# Every profile: a real ImageNet network on real photos, offline
# ---------------------------------------------------------------------------------------------


@dataclass
class RealNetwork:
    """EfficientNet-Lite0 (ImageNet) and the photos it is shown, with its predictions."""

    model: object
    photos: object  # helpers.photos.Photos, images in [0, 1] at 224 px
    class_names: tuple[str, ...]
    probabilities: np.ndarray  # (photos, 1000)
    description: str

    @property
    def predicted(self) -> np.ndarray:
        """Each photo's most probable class."""
        return self.probabilities.argmax(axis=1)


_REAL_NETWORK: list[RealNetwork] = []  # built once per kernel


def real_network() -> RealNetwork:
    """The real ImageNet network of notebooks 00, 01, 02, 05 and 07, in every profile: it
    needs nothing but the installed course (loaded once per kernel)."""
    from helpers import efficientnet, photos

    if not _REAL_NETWORK:
        model = efficientnet.load()
        shown = photos.course_photos()
        probabilities = np.asarray(model(shown.images, training=False))  # no predict trace
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


# ---------------------------------------------------------------------------------------------
# 00-03: a dataset and the course classifier trained on it
# ---------------------------------------------------------------------------------------------


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


def _classifier(profile: str | None, with_model: bool = True) -> Classifier:
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
        n_images=_limit(10_000),
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


def start(profile: str | None = None) -> Classifier:
    """Notebook 00: the dataset of notebooks 01-03 (Fashion-MNIST; CIFAR-10 in ``full``)."""
    return _classifier(profile, with_model=False)


def filters(profile: str | None = None) -> Classifier:
    """Notebook 01: the course classifier's first-layer filters and feature maps."""
    return _classifier(profile)


def topk_occlusion(profile: str | None = None) -> Classifier:
    """Notebook 02: top-K images per unit (the seed: top-10 of 10,000 in ``full``) and
    occlusion (the seed: an 11 x 11 window, stride 2, zero fill, in ``full``)."""
    setting = _classifier(profile)
    n = min(setting.n_images, len(setting.dataset.y_test))
    setting.description += (
        f"; top-{setting.top_k} of {n} test images per unit; occlusion window "
        f"{setting.window} x {setting.window}, stride {setting.stride}, zero fill"
    )
    return setting


def tsne(profile: str | None = None) -> Classifier:
    """Notebook 03: t-SNE of the classifier's features of 2,000 test images."""
    setting = _classifier(profile)
    setting.n_images = min(2000, len(setting.dataset.y_test))
    return setting


def tsne_start_maps(setting: Classifier, features_by_layer: dict, images, live: bool = False):
    """Notebook 03's explorer's first maps and where they come from: ``quick``, the shipped
    record (or, when it does not fit, all computed here); ``full`` has no record, and the
    explorer computes each map when it first shows it."""
    from helpers import tsne_maps

    if setting.profile == "full":
        return {}, "computed by the explorer when it first shows each (no record in full)"
    return tsne_maps.course_maps(features_by_layer, images, live=live)


def reference_filters(profile: str | None = None):
    """Notebook 01 in ``full``: VGG16's first-layer colour filters ``(3, 3, 3, 64)`` and where
    its weights came from; None in ``quick``."""
    from helpers import weights

    if config.get_profile(profile) == "quick":
        return None
    resolved = weights.resolve("VGG16", include_top=False, profile="full")
    model = zoo.pretrained("VGG16", weights=resolved.path, include_top=False)
    return model.get_layer("block1_conv1").get_weights()[0], f"VGG16, {resolved.describe()}"


# ---------------------------------------------------------------------------------------------
# 04: transfer learning
# ---------------------------------------------------------------------------------------------

HELD_OUT = (2, 4)  # Pullover, Coat: never seen by fashion_base8
IMAGENET_PIXELS = 64  # Fashion-MNIST's 28 px resized for the ImageNet base: 2 x 2 last maps


def transfer(profile: str | None = None):
    """``quick``: ``fashion_base8`` (pretrained on 8 Fashion-MNIST classes) on the 2 held-out
    classes. ``full``: VGG16 (ImageNet, no top) on cats vs dogs from ``PetImages`` (Chollet
    5.3: 1,000 training, 500 validation and 500 test images per class)."""
    from helpers import transfer as tl

    if config.get_profile(profile) == "quick":
        from helpers import efficientnet

        dataset = data.select_classes(data.load_fashion_mnist("quick"), HELD_OUT)
        fine_tune_from = "block15_expand_conv"  # the last block and the head
        return tl.Setting(
            zoo.load("fashion_base8"),
            dataset,
            "features",
            "conv3",
            "pool2",
            200,
            "fashion_base8 (8 Fashion-MNIST classes) -> Pullover vs Coat; beside it "
            f"EfficientNet-Lite0 (ImageNet) on the same images at {IMAGENET_PIXELS} px",
            shipped="fashion_base8",
            other_base=lambda: efficientnet.adapted(dataset.x_train.shape[1:], IMAGENET_PIXELS),
            other_base_label="ImageNet base",
            other_fine_tune_from=fine_tune_from,
            other_base_id=f"EfficientNet-Lite0 {efficientnet.WEIGHTS_SHA256[:16]} at "
            f"{IMAGENET_PIXELS} px, fine-tuned from {fine_tune_from}",
        )
    from helpers import weights

    pixels = 64 if config.full_limit() else 150  # smoke runs: 5x fewer pixels to train on
    dataset = pets(pixels, 1500, 500, "vgg16")
    test_per_class = int(np.bincount(dataset.y_test).min())
    labelled = int(np.bincount(dataset.y_train).min())
    per_class = labelled * 2 // 3  # Chollet: 1,000 of 1,500 to train, the rest to validate
    val_per_class = labelled - per_class
    resolved = weights.resolve("VGG16", include_top=False, profile="full")
    shape = (pixels, pixels, 3)
    base = zoo.pretrained("VGG16", resolved.path, include_top=False, input_shape=shape)
    limited = config.full_limit() is not None
    return tl.Setting(
        base,
        dataset,
        "block5_pool",
        "block5_conv1",
        "block4_pool",
        per_class,
        f"VGG16 ({resolved.describe()}) -> cats vs dogs at {pixels} px, {per_class} training"
        f" / {val_per_class} validation / {test_per_class} test images per class",
        val_per_class=val_per_class,
        sizes=(per_class // 2, per_class) if limited else (100, 250, 500, per_class),
        schedule=tl.Schedule(1, 1, 1, 1) if limited else tl.Schedule(),
    )


def pets(size: int, train_per_class: int, test_per_class: int, preprocess: str) -> data.Dataset:
    """Cats vs dogs from :func:`helpers.data.pets_folder` at ``size`` pixels, preprocessed
    for a Keras application (``vgg16``, ``mobilenet_v2``): per class the first
    ``train_per_class`` readable images to train on, the next ``test_per_class`` to test on.
    Under ``COURSE_FULL_LIMIT`` at most that many images per class are read, split in the
    same proportion."""
    import keras

    from helpers.imagefolder import load_image_folder

    root = data.pets_folder("full")
    wanted = train_per_class + test_per_class
    folder = load_image_folder(root, image_size=(size, size), max_per_class=_limit(wanted))
    counts = np.bincount(folder.labels, minlength=len(folder.class_names))
    if config.full_limit() is not None:
        test_per_class = max(1, counts.min() * test_per_class // wanted)
        train_per_class = counts.min() - test_per_class
    elif counts.min() < wanted:
        raise data.DataNotFoundError(
            f"{root} has {counts.min()} readable images of {folder.class_names[counts.argmin()]}"
            f"; this setting needs {wanted} per class ({train_per_class} to train, "
            f"{test_per_class} to test)."
        )
    prepare = getattr(keras.applications, preprocess).preprocess_input
    x = prepare(folder.images.astype(np.float32))
    train = np.zeros(len(x), bool)
    test = np.zeros(len(x), bool)
    for label in range(len(folder.class_names)):
        members = np.flatnonzero(folder.labels == label)
        train[members[:train_per_class]] = True
        test[members[train_per_class : train_per_class + test_per_class]] = True
    return data.Dataset(
        x[train],
        folder.labels[train],
        x[test],
        folder.labels[test],
        folder.class_names,
        f"PetImages from {root} ({len(folder.skipped)} unreadable files skipped)",
    )


# ---------------------------------------------------------------------------------------------
# 05: a coarse classifier from a fine one
# ---------------------------------------------------------------------------------------------


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


IMAGENET_CLASSES = config.DATA_DIR / "imagenet_classes.tsv"
CATS, DOGS = range(281, 286), range(151, 269)  # ImageNet's domestic cats and dog breeds


def imagenet_class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet class names in the order of Keras' applications (shipped)."""
    lines = IMAGENET_CLASSES.read_text().splitlines()
    return tuple(line.split("\t", 1)[1].split(",")[0] for line in lines)


def coarse(profile: str | None = None) -> Coarse:
    """``quick``: ``fashion_cnn`` and Fashion-MNIST's two- and three-group tasks. ``full``:
    MobileNetV2 (ImageNet) on cats vs dogs, coarse units initialised from classes 283 (Persian
    cat) and 248 (Eskimo dog, husky) with k = 3, as in the seed."""
    from helpers import coarse as scsm
    from helpers import weights

    if config.get_profile(profile) == "quick":
        dataset = data.load_fashion_mnist("quick")
        model = zoo.load("fashion_cnn")
        unseen = zoo.unseen_training_images("fashion_cnn", dataset)
        return Coarse(
            "quick",
            model,
            data.FASHION_CLASSES,
            scsm.fashion_tasks(data.FASHION_CLASSES),
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
    tasks = {  # the seed's k, and k chosen on the validation photos
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
# ---------------------------------------------------------------------------------------------


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


def hdcnn(profile: str | None = None, clusters: str = "confusion") -> Hierarchy:
    """``quick``: ``fashion_cnn`` and the shipped fine components. ``full``: a CIFAR-100
    building block trained on first use and 9 fine components trained here, on clusters from
    the block's confusion or (``clusters="seed"``) the seed's 9-cluster mapping."""
    from helpers import hdcnn as hd

    if clusters not in ("confusion", "seed"):
        raise ValueError(f"clusters must be 'confusion' or 'seed', got {clusters!r}")
    if config.get_profile(profile) == "quick":
        if clusters != "confusion":
            raise ValueError("the seed's 9-cluster mapping is of CIFAR-100: use the full profile")
        dataset = data.load_fashion_mnist("quick")
        model, confusion = hd.shipped_hdcnn()
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
    saved = hd.saved_hdcnn(block, cache / f"hdcnn_{clusters}", trained_with)
    if saved is None:  # trained here once, then loaded from the cache
        train_idx, val_idx = zoo.validation_split("cifar100_cnn", len(dataset.x_train))
        chosen = hd.mapping_to_clusters(hd.CIFAR100_SEED_MAPPING) if clusters == "seed" else None
        model, confusion, infos = hd.train_hdcnn(
            block,
            dataset.x_train[train_idx],
            dataset.y_train[train_idx],
            dataset.x_train[val_idx],
            dataset.y_train[val_idx],
            9,
            hd.SHARED_LAYER,
            epochs=epochs,
            clusters=chosen,
            progress=True,
        )
        hd.save_hdcnn(model, confusion, infos, cache / f"hdcnn_{clusters}", trained_with)
    else:
        model, confusion = saved
    how = "the seed's 9-cluster mapping" if clusters == "seed" else "9 clusters from its confusion"
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
    from helpers import cam_curves

    if config.get_profile(profile) == "quick":
        half, full = zoo.load("cam_half"), zoo.load("cam_full")
        test = cam_curves.course_test_set()
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
    from helpers import weights
    from helpers.imagefolder import load_image_folder

    root = data.course_data_dir()
    own = None if root is None else root / "images"
    folder = own if own is not None and own.is_dir() else data.pets_folder("full")
    photos = load_image_folder(folder, image_size=(224, 224), max_per_class=_limit(8))
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
    import keras

    inputs = keras.Input((224, 224, 3), name="image")
    prepared = keras.layers.Lambda(preprocess, name="preprocess")(inputs)
    network = zoo.pretrained(name, weights_path, include_top=True, input_tensor=prepared)
    return keras.Model(inputs, network.output, name=network.name)  # one input, not a list


NOTEBOOKS = {
    "00": start,
    "01": filters,
    "02": topk_occlusion,
    "03": tsne,
    "04": transfer,
    "05": coarse,
    "06": hdcnn,
    "07": cams,
}


def prepare(numbers=tuple(NOTEBOOKS)) -> None:
    """Build the ``full`` setting of each notebook once, outside any notebook: everything it
    needs is downloaded (checked) and every model it trains on first use is trained and
    cached, so the notebooks then start at once (``python -m helpers.course prepare``)."""
    unknown = sorted(set(numbers) - set(NOTEBOOKS))
    if unknown:
        raise ValueError(f"unknown notebook(s) {unknown}: give some of {sorted(NOTEBOOKS)}")
    for number in numbers:
        print(f"{number}: {NOTEBOOKS[number]('full').description}", flush=True)


if __name__ == "__main__":  # python -m helpers.course prepare [00 01 ...]
    import sys

    if sys.argv[1:2] != ["prepare"]:
        sys.exit("usage: python -m helpers.course prepare [NOTEBOOK ...]   (e.g. 04 06)")
    prepare(sys.argv[2:] or tuple(NOTEBOOKS))

