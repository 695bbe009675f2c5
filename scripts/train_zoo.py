"""Train the course models and write them, with their manifest entries, to data/models/.

    python scripts/train_zoo.py                 # every shipped model, in dependency order
    python scripts/train_zoo.py fashion_cnn     # one job
    python scripts/train_zoo.py fashion_cnn --epochs 1 --max-train 512 --out /tmp/zoo

Jobs: the plain classifiers of helpers.models.zoo.RECIPES, ``cam`` (cam_half, then the decoder
ablation that picks cam_full, on cluttered Fashion-MNIST), ``cam_decoder`` (the decoder
ablation alone, on the cam_half in --out), ``hdcnn`` (HD-CNN fine components on top of
fashion_cnn), ``transfer`` (notebook 04's measurements on the shipped fashion_base8) and
``cam_curves`` (notebook 07's deletion and insertion areas on the shipped cam models).
The model jobs need the full Fashion-MNIST (``--data``, or network); the record jobs
(``transfer``, ``cam_curves``, ``tsne_maps``) measure what the quick profile reads, the shipped
subset, and need nothing else.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from helpers import cams, course, data, hdcnn, transfer
from helpers.course import cats_dogs, nb03_tsne, nb04_transfer, nb07_cams
from helpers.data import cluttered
from helpers.infra import config
from helpers.models import zoo


def classifier_job(name: str):
    def job(dataset, args):
        model, info = zoo.train(name, dataset, epochs=args.epochs, max_train_images=args.max_train)
        return [(model, info)]

    return job


# Decoder losses tried for cam_full (reconstruction weight, agreement weight). The reference
# trains on reconstruction alone; "agreement" ties the pooled high-res features to the
# bottleneck, whose loss is about 40x the reconstruction loss at weight 1.
DECODER_VARIANTS = {
    "reconstruction only (Tagaris et al.)": (1.0, 0.0),
    "agreement only": (0.0, 1.0),
    "reconstruction + 0.003 x agreement": (1.0, 0.003),
    "reconstruction + 0.03 x agreement": (1.0, 0.03),
    "reconstruction + 0.3 x agreement": (1.0, 0.3),
    "reconstruction + 1 x agreement": (1.0, 1.0),
}
# The validation score that picks the shipped decoder: the mean of IoU (where the map is) and
# boundary F (how well its outline follows the object's). Boundary F alone rewards a map that
# outlines every item, distractors included: reconstruction alone scored 0.229 on it with a
# pointing game of 0.134 (validation, one 2-epoch run).
DECODER_CHOICE = "IoU and boundary F"


def cluttered_splits(dataset, args):
    """Cluttered train / validation / test sets: items for validation come after the
    training items; test items from the test split (seeds 1, 2, 3)."""
    n_train = args.max_train or 16_000
    cut = len(dataset.x_train) - len(dataset.x_train) // 10
    train = cluttered.make_cluttered(dataset.x_train[:cut], dataset.y_train[:cut], n_train, seed=1)
    val = cluttered.make_cluttered(
        dataset.x_train[cut:], dataset.y_train[cut:], max(64, n_train // 8), seed=2
    )
    n_test = 5_000 if args.max_train is None else max(64, n_train // 8)  # smoke runs: small
    test = cluttered.make_cluttered(dataset.x_test, dataset.y_test, n_test, seed=3)
    common = {
        "training_data": f"cluttered Fashion-MNIST 64x64 made from {dataset.source}: "
        f"{len(train.images)} train (seed 1) / {len(val.images)} validation (seed 2)",
        "test_set": f"{n_test} cluttered test images (seed 3) from {dataset.source}",
        "seed": 0,
        "batch_size": 128,
    }
    return train, val, test, common


def cam_job(dataset, args):
    """cam_half (classifier with a 16-channel bottleneck), then its decoder (cam_decoder)."""
    train, val, test, common = cluttered_splits(dataset, args)
    epochs = args.epochs or 6
    start = time.perf_counter()
    half, history = cams.train_half(train, val, epochs=epochs)
    seconds = time.perf_counter() - start
    _, accuracy = half.evaluate(test.images, test.labels, verbose=0, batch_size=512)
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
    return [(half, half_info), decoder_ablation(half, train, val, test, common, args)]


def cam_decoder_job(dataset, args):
    """The decoder ablation on the cam_half already in ``--out``."""
    train, val, test, common = cluttered_splits(dataset, args)
    return [
        decoder_ablation(zoo.load("cam_half", models_dir=args.out), train, val, test, common, args)
    ]


LOW_RES_ROW = "low-res CAM (no decoder)"


def validation_quality(maps: np.ndarray, masks: np.ndarray) -> dict:
    """The ablation's scores of maps against masks, rounded, with DECODER_CHOICE."""
    from helpers import metrics

    quality = {name: v.mean() for name, v in metrics.localisation_scores(maps, masks).items()}
    quality[DECODER_CHOICE] = (quality["IoU"] + quality["boundary F"]) / 2
    return {name: round(float(value), 4) for name, value in quality.items()}


def low_res_row(half, val) -> dict:
    """The low-res CAM (upsampled) on the same validation images: what a decoder must beat."""
    low, _ = cams.cam(half, val.images)
    return {"variant": LOW_RES_ROW, **validation_quality(low, val.masks)}


def decoder_ablation(half, train, val, test, common, args):
    """Train one decoder per loss of DECODER_VARIANTS (same seed and epochs), score each
    one's high-res CAMs on the validation images next to the low-res CAM's, and return the
    best decoder by DECODER_CHOICE with the whole table in its manifest entry."""
    epochs = args.epochs or 2
    rows, models = [], {}
    for variant, (reconstruction, agreement) in DECODER_VARIANTS.items():
        start = time.perf_counter()
        full, _ = cams.train_full(
            half,
            train,
            val,
            epochs=epochs,
            verbose=2,
            reconstruction_weight=reconstruction,
            agreement_weight=agreement,
        )
        seconds = time.perf_counter() - start
        high, _ = cams.high_res_cam(full, half, val.images)
        reconstructed = full.predict(val.images, batch_size=512, verbose=0)["reconstruction"]
        rows.append(
            {
                "variant": variant,
                "reconstruction weight": reconstruction,
                "agreement weight": agreement,
                **validation_quality(high, val.masks),
                "reconstruction MSE": round(float(np.mean((reconstructed - val.images) ** 2)), 5),
                "train_seconds": round(seconds, 1),
            }
        )
        models[variant] = full
        print(json.dumps(rows[-1]), flush=True)
    best = max(rows, key=lambda row: row[DECODER_CHOICE])
    info = {
        "name": "cam_full",
        "description": "FullModel: cam_half frozen + decoder with skip connections trained on "
        f"'{best['variant']}', the best of {len(rows)} losses by the mean of validation IoU "
        "and boundary F (high-res CAMs at 64x64)",
        **common,
        "epochs": epochs,
        "reconstruction_weight": best["reconstruction weight"],
        "agreement_weight": best["agreement weight"],
        "ablation": {
            "chosen_by": f"validation {DECODER_CHOICE} (their mean)",
            "validation_images": len(val.images),
            "rows": [low_res_row(half, val), *rows],
        },
        "train_seconds": best["train_seconds"],
    }
    return models[best["variant"]], info


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
        course.SHARED_LAYER,
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
                    f"{course.SHARED_LAYER}, head restricted to classes {info['cluster']}, "
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


def transfer_job(dataset, args):
    """Notebook 04's measurements on the shipped fashion_base8 (quick profile), written to
    ``--out``/transfer_quick.json; no model."""
    setting = course.transfer("quick")
    split = transfer.small_split(setting.dataset, setting.per_class)
    start = time.perf_counter()
    measured = nb04_transfer.measure(setting, split, sizes=setting.sizes, schedule=setting.schedule)
    seconds = time.perf_counter() - start
    base = nb04_transfer.base_sha256(setting)
    path = nb04_transfer.save(
        measured, split, base, args.out / nb04_transfer.SHIPPED.name, setting.other_base_id
    )
    print(transfer.results_table(measured.methods + measured.other).to_string(), flush=True)
    print(transfer.sample_size_table(measured.sizes).to_string(), flush=True)
    print(f"saved {path} after {seconds:.0f} s of training", flush=True)
    return []


def cats_dogs_job(dataset, args):
    """Notebook 04's measurements on the cat and dog photos (the size choice, five methods,
    the sample-size curve), written to ``--out``/cats_dogs_quick.json; no model. Needs the
    photos (``python -m helpers fetch photos``)."""
    split = cats_dogs.photo_split()
    schedule = transfer.Schedule() if args.epochs is None else _smoke_schedule(args.epochs)
    per_class = cats_dogs.PER_CLASS if args.epochs is None else (10,)
    start = time.perf_counter()
    measured = cats_dogs.measure(split, schedule, per_class)
    seconds = time.perf_counter() - start
    path = cats_dogs.save(measured, split, args.out / cats_dogs.SHIPPED.name)
    print(measured.sizes_considered, flush=True)
    print(transfer.results_table(measured.methods).to_string(), flush=True)
    print(transfer.sample_size_table(measured.sizes).to_string(), flush=True)
    print(f"saved {path} after {seconds:.0f} s of training", flush=True)
    return []


def _smoke_schedule(epochs: int) -> transfer.Schedule:
    return transfer.Schedule(epochs, epochs, epochs, epochs, min_epochs=0)


JOBS = {name: classifier_job(name) for name, spec in zoo.RECIPES.items() if spec.shipped}
JOBS |= {"cam": cam_job, "cam_decoder": cam_decoder_job, "hdcnn": hdcnn_job}


def cam_curves_job(dataset, args):
    """Notebook 07's deletion and insertion areas (quick profile) on its 500 cluttered test
    images, written to ``--out``/cam_curves_quick.json; no model. Reads the course's own
    Fashion-MNIST copy, as the notebook does, not ``--data``."""
    test = nb07_cams.course_test_set()
    half, full = zoo.load("cam_half"), zoo.load("cam_full")
    maps, targets = cams.quality_maps(half, full, test)
    areas = nb07_cams.measure(half, maps, test.images, targets)
    sha = nb07_cams.model_sha256()
    path = nb07_cams.save(areas, sha, maps, test.images, targets, args.out / nb07_cams.SHIPPED.name)
    print(f"saved {path}: {len(maps)} map types", flush=True)
    return []


def tsne_maps_job(dataset, args):
    """Notebook 03's t-SNE maps (quick profile): both layers' features of its 2,000 test
    images at every perplexity, written to ``--out``/tsne_maps_quick.json; no model."""
    images, features = nb03_tsne.course_features()
    maps = nb03_tsne.compute(features)
    path = nb03_tsne.save(maps, images, list(features), path=args.out / nb03_tsne.SHIPPED.name)
    print(f"saved {path}: {len(maps)} maps", flush=True)
    return []


RECORD_JOBS = {
    "transfer": transfer_job,
    "cats_dogs": cats_dogs_job,
    "cam_curves": cam_curves_job,
    "tsne_maps": tsne_maps_job,
}
JOBS |= RECORD_JOBS
DEFAULT_JOBS = [name for name in JOBS if name != "cam_decoder"]  # "cam" runs the decoder


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"jobs to run (default: {DEFAULT_JOBS})")
    parser.add_argument("--epochs", type=int, help="override the epochs (for smoke runs)")
    parser.add_argument("--max-train", type=int, help="use only this many training images")
    parser.add_argument("--out", type=Path, default=config.MODELS_DIR, help="output folder")
    parser.add_argument("--data", type=Path, help="folder with the Fashion-MNIST *-ubyte.gz files")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in JOBS]
    if unknown:
        parser.error(f"unknown job(s) {unknown}; jobs: {list(JOBS)}")

    names = args.names or DEFAULT_JOBS
    # models train on the full Fashion-MNIST; records measure what the quick profile reads
    trains = any(name not in RECORD_JOBS for name in names)
    dataset = data.load_fashion_mnist("full", path=args.data) if trains else None
    infos = []
    for name in names:
        for model, info in JOBS[name](dataset, args):
            path = zoo.save(model, {k: v for k, v in info.items() if v is not None}, args.out)
            print(f"saved {path}: {json.dumps(info)[:400]}", flush=True)
            infos.append(info)
    return infos


if __name__ == "__main__":
    main()
