"""Build offline stand-ins for everything the ``full`` profile downloads, so that every
notebook can run in ``full`` without the network (CI's ``full`` test, a classroom dry run):

    python scripts/make_stand_ins.py FOLDER      # then: COURSE_DATA=FOLDER COURSE_PROFILE=full

Into FOLDER it writes small random CIFAR-10 and CIFAR-100 python archives in the official
layout, ImageNet weight files of MobileNetV2 and VGG16 written from ``weights=None`` models
(Keras' legacy HDF5 layout, under the names Keras loads) with their sha256 in
``weights/stand-ins.json``, and a ``PetImages`` folder of small JPEGs with a zero-byte and a
truncated file, as the real Kaggle set has. Results on stand-ins are meaningless: they prove
that the code paths run, not what they teach.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import tarfile
from pathlib import Path

import numpy as np

from helpers import data
from helpers.infra import sources
from helpers.models import weights, zoo

WEIGHTS = (("MobileNetV2", True), ("VGG16", True), ("VGG16", False))


def cifar_archive(path: Path, num_classes: int, train: int, test: int, seed: int = 0) -> None:
    """A CIFAR python archive with ``train`` and ``test`` random images. Every class is in
    the test set and in the validation split the course models hold out of ``train`` (HD-CNN's
    clusters come from the confusion on it)."""
    release = data.CIFAR[num_classes]
    rng = np.random.default_rng(seed)
    recipe = "cifar10_cnn" if num_classes == 10 else "cifar100_cnn"
    _, held_out = zoo.validation_split(recipe, train)
    train_labels = rng.integers(0, num_classes, train)
    train_labels[held_out] = np.arange(len(held_out)) % num_classes
    test_labels = np.arange(test) % num_classes

    def batch(labels: np.ndarray) -> dict:
        return {
            b"data": rng.integers(0, 256, (len(labels), 3072), dtype=np.uint8),
            release.label_key: labels.tolist(),
        }

    parts = np.array_split(train_labels, len(release.train))
    members = {name: batch(part) for name, part in zip(release.train, parts, strict=True)}
    members[release.test] = batch(test_labels)
    names = ("airplane automobile bird cat deer dog frog horse ship truck".split()
             if num_classes == 10 else [f"class_{i}" for i in range(num_classes)])  # fmt: skip
    members[release.meta] = {release.names_key: [n.encode() for n in names]}
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            payload = pickle.dumps(content, protocol=2)
            info = tarfile.TarInfo(f"{release.folder}/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


def weight_files(folder: Path, which=WEIGHTS) -> None:
    """Random-weight files under the names Keras loads, listed in ``stand-ins.json``."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    folder.mkdir(parents=True, exist_ok=True)
    listed = folder / weights.STAND_INS
    digests = json.loads(listed.read_text()) if listed.is_file() else {}
    for model_name, include_top in which:
        spec = weights.weight_file(model_name, include_top)
        model = getattr(keras.applications, model_name)(weights=None, include_top=include_top)
        with h5py.File(folder / spec.file_name, "w") as handle:
            legacy_h5_format.save_weights_to_hdf5_group(handle, model)
        digests[spec.file_name] = sources.sha256_of(folder / spec.file_name)
        keras.backend.clear_session()
    listed.write_text(json.dumps(digests, indent=1) + "\n")


def pet_images(folder: Path, per_class: int, seed: int = 0) -> None:
    """``Cat/`` and ``Dog/`` with ``per_class`` small JPEGs each, plus a zero-byte and a
    truncated JPEG in ``Cat/`` (the loader must skip both with a warning)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    for label, name in enumerate(("Cat", "Dog")):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
            pixels[..., label] = 255 - pixels[..., label] // 4  # a faint colour per class
            Image.fromarray(pixels).save(folder / name / f"{i}.jpg", quality=85)
    (folder / "Cat" / "666.jpg").write_bytes(b"")
    whole = (folder / "Dog" / "0.jpg").read_bytes()
    (folder / "Cat" / "667.jpg").write_bytes(whole[: len(whole) // 2])


def build(folder: Path, images: int = 24) -> Path:
    """Every stand-in in ``folder``; ``images`` per PetImages class."""
    folder.mkdir(parents=True, exist_ok=True)
    cifar_archive(folder / data.CIFAR[10].archive, 10, train=500, test=200)
    cifar_archive(folder / data.CIFAR[100].archive, 100, train=1000, test=300)  # 100 held out
    weight_files(folder / "weights")
    pet_images(folder / "PetImages", images)
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the stand-ins ($COURSE_DATA)")
    parser.add_argument("--images", type=int, default=24, help="PetImages per class")
    arguments = parser.parse_args()
    print(f"stand-ins written to {build(arguments.folder, arguments.images)}")
