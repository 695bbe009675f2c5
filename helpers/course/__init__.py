"""The course's per-notebook choices, the top layer: what each notebook runs in each profile
(``quick``: Fashion-MNIST, shipped models, offline; ``full``: the papers' settings, CIFAR,
ImageNet networks, cats-vs-dogs photos), the constants only a notebook needs, and the records
shipped with the course. Nothing else in ``helpers`` imports it.

* :mod:`~helpers.course.base`: every notebook's first call and its guarded claims;
* :mod:`~helpers.course.imagenet`: the real ImageNet network on real photos (every profile);
* :mod:`~helpers.course.classifier`: the dataset and classifier of notebooks 00-03;
* ``nb00_start`` ... ``nb08_trust``: one module per notebook;
* :mod:`~helpers.course.shipped`: the one policy for records shipped with the course.

Notebooks call the names below, e.g. ``course.setup(PROFILE)``, ``course.cams(profile)``.

``$COURSE_FULL_LIMIT`` caps images and epochs of the ``full`` settings for smoke runs (CI's
stand-ins); unset, ``full`` uses the papers' sizes.
"""

from helpers.course import cats_dogs
from helpers.course.base import claim, setup
from helpers.course.cats_dogs import coarse_on_photos, comparison_on_photos, real_topk
from helpers.course.imagenet import (
    RealNetwork,
    imagenet_class_names,
    real_network,
    validation_check,
)
from helpers.course.nb00_start import start
from helpers.course.nb01_filters import filters, reference_filters, training_start
from helpers.course.nb02_topk_occlusion import topk_occlusion
from helpers.course.nb03_tsne import PERPLEXITIES, tsne, tsne_start_maps
from helpers.course.nb04_transfer import HELD_OUT, IMAGENET_PIXELS, course_comparison, transfer
from helpers.course.nb05_coarse import COARSE_GROUPS, coarse
from helpers.course.nb06_hdcnn import SHARED_LAYER, hdcnn
from helpers.course.nb07_cams import MATTERS, cams, course_curves, decoder_ablation
from helpers.course.nb08_trust import course_records as trust_records
from helpers.course.nb08_trust import trust
from helpers.course.timing import RULE as TIME_RULE
from helpers.course.timing import time_table

NOTEBOOKS = {
    "00": start,
    "01": filters,
    "02": topk_occlusion,
    "03": tsne,
    "04": transfer,
    "05": coarse,
    "06": hdcnn,
    "07": cams,
    "08": trust,
}


def prepare(numbers=tuple(NOTEBOOKS)) -> None:
    """Build the ``full`` setting of each notebook once, outside any notebook: everything it
    needs is downloaded (checked) and every model it trains on first use is trained and
    cached, so the notebooks then start at once (``python -m helpers prepare``)."""
    unknown = sorted(set(numbers) - set(NOTEBOOKS))
    if unknown:
        raise ValueError(f"unknown notebook(s) {unknown}: give some of {sorted(NOTEBOOKS)}")
    for number in numbers:
        print(f"{number}: {NOTEBOOKS[number]('full').description}", flush=True)


__all__ = [
    "COARSE_GROUPS",
    "HELD_OUT",
    "IMAGENET_PIXELS",
    "MATTERS",
    "NOTEBOOKS",
    "PERPLEXITIES",
    "SHARED_LAYER",
    "TIME_RULE",
    "RealNetwork",
    "cams",
    "claim",
    "coarse",
    "cats_dogs",
    "coarse_on_photos",
    "comparison_on_photos",
    "course_comparison",
    "course_curves",
    "decoder_ablation",
    "filters",
    "hdcnn",
    "imagenet_class_names",
    "prepare",
    "real_network",
    "real_topk",
    "reference_filters",
    "setup",
    "start",
    "time_table",
    "topk_occlusion",
    "training_start",
    "transfer",
    "tsne",
    "tsne_start_maps",
    "trust",
    "trust_records",
    "validation_check",
]
