"""Train the course models and write them, with their manifest entries, to data/models/.

    python scripts/train_zoo.py                 # every shipped model, in dependency order
    python scripts/train_zoo.py fashion_cnn     # one job
    python scripts/train_zoo.py fashion_cnn --epochs 1 --max-train 512 --out /tmp/zoo

Jobs: the plain classifiers of helpers.zoo.RECIPES, ``cam`` (cam_half + cam_full on cluttered
Fashion-MNIST) and ``hdcnn`` (HD-CNN fine components on top of fashion_cnn). Needs the full
Fashion-MNIST offline (e.g. `apt-get install dataset-fashion-mnist`) or network.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from helpers import cams, cluttered, config, data, hdcnn, zoo


def classifier_job(name: str):
    def job(dataset, args):
        model, info = zoo.train(name, dataset, epochs=args.epochs, max_train_images=args.max_train)
        return [(model, info)]

    return job


def cam_job(dataset, args):
    """cam_half (classifier with a 16-channel bottleneck) and cam_full (its decoder)."""
    n_train = args.max_train or 16_000
    cut = len(dataset.x_train) - len(dataset.x_train) // 10  # items for validation come after
    train = cluttered.make_cluttered(dataset.x_train[:cut], dataset.y_train[:cut], n_train, seed=1)
    val = cluttered.make_cluttered(
        dataset.x_train[cut:], dataset.y_train[cut:], max(64, n_train // 8), seed=2
    )
    test = cluttered.make_cluttered(dataset.x_test, dataset.y_test, 5_000, seed=3)
    epochs = args.epochs or 6
    start = time.perf_counter()
    half, history = cams.train_half(train, val, epochs=epochs)
    seconds = time.perf_counter() - start
    _, accuracy = half.evaluate(test.images, test.labels, verbose=0, batch_size=512)
    common = {
        "training_data": f"cluttered Fashion-MNIST 64x64 made from {dataset.source}: "
        f"{len(train.images)} train (seed 1) / {len(val.images)} validation (seed 2)",
        "test_set": f"5000 cluttered test images (seed 3) from {dataset.source}",
        "seed": 0,
        "batch_size": 128,
    }
    half_info = {
        "name": "cam_half",
        "description": "HalfModel: 4 conv blocks, 16-ch 1x1 "
        "bottleneck, GAP -> Dense softmax (low-res CAMs at 8x8)",
        **common,
        "epochs": epochs,
        "val_accuracy": round(history["val_accuracy"][-1], 4),
        "test_accuracy": round(float(accuracy), 4),
        "train_seconds": round(seconds, 1),
    }
    decoder_epochs = args.epochs or 3
    start = time.perf_counter()
    full, history = cams.train_full(half, train, val, epochs=decoder_epochs)
    seconds = time.perf_counter() - start
    losses = full.evaluate(
        test.images,
        {"reconstruction": test.images, "pooled": cams.bottleneck_features(half, test.images)},
        verbose=0,
        batch_size=512,
        return_dict=True,
    )
    full_info = {
        "name": "cam_full",
        "description": "FullModel: cam_half frozen + decoder with "
        "skip connections trained to reconstruct the input and to agree with the "
        "bottleneck when pooled (high-res CAMs at 64x64)",
        **common,
        "epochs": decoder_epochs,
        "test_accuracy": half_info["test_accuracy"],
        "test_losses": {k: round(float(v), 5) for k, v in losses.items()},
        "train_seconds": round(seconds, 1),
    }
    return [(half, half_info), (full, full_info)]


def hdcnn_job(dataset, args):
    """Fine components on top of the shipped fashion_cnn; clusters from its validation split."""
    block = zoo.load("fashion_cnn", models_dir=args.out)
    train_idx, val_idx = zoo.validation_split("fashion_cnn", len(dataset.x_train))
    if args.max_train:
        train_idx = train_idx[: args.max_train]
    start = time.perf_counter()
    model, confusion, infos = hdcnn.train_hdcnn(
        block,
        dataset.x_train[train_idx],
        dataset.y_train[train_idx],
        dataset.x_train[val_idx],
        dataset.y_train[val_idx],
        hdcnn.N_CLUSTERS,
        hdcnn.SHARED_LAYER,
        epochs=args.epochs or 10,
        verbose=2,
    )
    seconds = round(time.perf_counter() - start, 1)
    results = []
    for k, (component, info) in enumerate(zip(model.components, infos, strict=True)):
        results.append(
            (
                component,
                {
                    "name": f"hdcnn_fine_{k}",
                    "description": f"HD-CNN fine component {k}: fashion_cnn's layers after "
                    f"{hdcnn.SHARED_LAYER}, head restricted to classes {info['cluster']}, "
                    "fine-tuned "
                    "on them with early stopping on fashion_cnn's validation split",
                    **info,
                    "seed": 0,
                    "batch_size": 128,
                    "training_data": f"{info['train_images']} images of classes {info['cluster']}",
                    "confusion_on_validation": np.round(confusion, 4).tolist() if k == 0 else None,
                    "train_seconds_all_components": seconds,
                },
            )
        )
    return results


JOBS = {name: classifier_job(name) for name, spec in zoo.RECIPES.items() if spec.shipped}
JOBS |= {"cam": cam_job, "hdcnn": hdcnn_job}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"jobs to run (default: {list(JOBS)})")
    parser.add_argument("--epochs", type=int, help="override the epochs (for smoke runs)")
    parser.add_argument("--max-train", type=int, help="use only this many training images")
    parser.add_argument("--out", type=Path, default=config.MODELS_DIR, help="output folder")
    parser.add_argument("--data", type=Path, help="folder with the Fashion-MNIST *-ubyte.gz files")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in JOBS]
    if unknown:
        parser.error(f"unknown job(s) {unknown}; jobs: {list(JOBS)}")

    dataset = data.load_fashion_mnist("full", path=args.data)
    infos = []
    for name in args.names or list(JOBS):
        for model, info in JOBS[name](dataset, args):
            path = zoo.save(model, {k: v for k, v in info.items() if v is not None}, args.out)
            print(f"saved {path}: {json.dumps(info)[:400]}", flush=True)
            infos.append(info)
    return infos


if __name__ == "__main__":
    main()
