"""Notebook 08's model and record: ``cam_half_shuffled`` and ``data/trust_quick.npz``.

    python scripts/make_trust_records.py shuffled   # cam_half trained on shuffled labels
    python scripts/make_trust_records.py records    # measure everything 08 shows (float16)
    python scripts/make_trust_records.py            # both, in that order

``shuffled`` trains the HalfModel of notebook 07 (helpers.cams.build_half_model) on cluttered
images made from the course's shipped Fashion-MNIST subset (so it runs offline), with their
labels shuffled once (seed 0): the data randomisation test of Adebayo et al. (2018). It is
written to data/models/ with its manifest entry (training time, accuracy on its own shuffled
labels and on notebook 07's test images). ``records`` measures, on the shipped data only,
the sanity checks, the quality scores of every method, the feature visualisations and the
real network's cost table (helpers.course.nb08_trust.measure).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from helpers import cams, data
from helpers.course import nb08_trust
from helpers.data import cluttered
from helpers.infra import config
from helpers.models import zoo

SHUFFLED_TRAIN = 1500  # cluttered training images: 14 s an epoch for 3,000 on 2 cores
SHUFFLED_EPOCHS = 20


def shuffled_job(args) -> None:
    course = data.load_fashion_mnist("quick")
    n = args.max_train or SHUFFLED_TRAIN
    cut = len(course.x_train) - len(course.x_train) // 10
    train = cluttered.make_cluttered(course.x_train[:cut], course.y_train[:cut], n, seed=1)
    val = cluttered.make_cluttered(course.x_train[cut:], course.y_train[cut:], 500, seed=2)
    shuffled = np.random.default_rng(0).permutation(train.labels)
    epochs = args.epochs or SHUFFLED_EPOCHS
    start = time.perf_counter()
    model, history = cams.train_half(
        SimpleNamespace(images=train.images, labels=shuffled),
        SimpleNamespace(images=val.images, labels=val.labels),
        epochs=epochs,
        batch_size=64,
    )
    seconds = time.perf_counter() - start
    model._name = nb08_trust.SHUFFLED
    memorised = float((model.predict(train.images, verbose=0).argmax(1) == shuffled).mean())
    test = nb08_trust.course_test_set()
    accuracy = float((model.predict(test.images, verbose=0).argmax(1) == test.labels).mean())
    info = {
        "name": nb08_trust.SHUFFLED,
        "description": "cam_half's architecture trained on shuffled labels (data "
        "randomisation test, Adebayo et al. 2018): it can only memorise",
        "training_data": f"{n} cluttered 64x64 images (seed 1) from the course's Fashion-MNIST "
        "subset (data/fashion_mnist_subset.npz), labels permuted with seed 0",
        "seed": 0,
        "batch_size": 64,
        "epochs": epochs,
        "train_accuracy": round(memorised, 4),
        "test_accuracy": round(accuracy, 4),
        "train_seconds": round(seconds, 1),
    }
    path = zoo.save(model, info, args.out)
    print(f"saved {path}: {info}", flush=True)


def records_job(args) -> None:
    setting = nb08_trust.trust("quick")
    start = time.perf_counter()
    records = nb08_trust.measure(setting)
    path = nb08_trust.save(records, setting, args.record)
    print(f"saved {path} in {time.perf_counter() - start:.0f} s", flush=True)
    print("feature visualisation, seconds per image:", records["features"]["seconds"])


JOBS = {"shuffled": shuffled_job, "records": records_job}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"jobs (default: {list(JOBS)})")
    parser.add_argument("--epochs", type=int, help="override the epochs (smoke runs)")
    parser.add_argument("--max-train", type=int, help="use only this many training images")
    parser.add_argument("--out", type=Path, default=config.MODELS_DIR, help="models folder")
    parser.add_argument("--record", type=Path, default=nb08_trust.SHIPPED, help="record file")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in JOBS]
    if unknown:
        parser.error(f"unknown job(s) {unknown}; jobs: {list(JOBS)}")
    for name in args.names or list(JOBS):
        JOBS[name](args)


if __name__ == "__main__":
    main()
