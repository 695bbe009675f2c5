"""Notebook 08, what a unit wants to see and whether a map can be trusted: feature
visualisation of the real network and of the Fashion-MNIST CNN, the sanity checks of the
saliency maps of notebook 07 (cascading randomisation of ``cam_half``, and ``cam_half_shuffled``
trained on shuffled labels), and what each method costs.

Everything slow is measured once by ``python scripts/make_trust_records.py records`` and
shipped as ``data/trust_quick.npz`` (float16), with a description of what it was measured
with (model checksums, images, settings) and its own sha256; the notebook checks it (and
measures the first :data:`CHECKED` images of the cascade again), and measures everything here,
with progress bars, when it does not fit (:func:`helpers.course.shipped.shipped_or_measured`).
The same in both profiles: the real network needs nothing but the installed course, and the
cluttered images with masks exist only as the course ships them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from helpers import cams, featurevis, metrics, occlusion, refine, sanity
from helpers.course import shipped
from helpers.course.classifier import classifier_setting
from helpers.course.nb07_cams import STEPS, course_test_set
from helpers.data import photos
from helpers.infra import config, sources
from helpers.models import efficientnet, zoo
from helpers.saliency import Score

SHIPPED = config.DATA_DIR / "trust_quick.npz"
RERUN = "python scripts/make_trust_records.py records"
SANITY_IMAGES = 50  # images of the sanity checks (the cluttered test set's first)
CURVE_IMAGES = 50  # deletion / insertion, as notebook 07
CHECKED = 3  # images of the cascade measured again by the notebook
TOLERANCE = 0.02  # on a similarity in [-1, 1]: above float noise, below a changed map's
SHUFFLED = "cam_half_shuffled"
CAM_MODELS = ("cam_half", "cam_full", SHUFFLED)

# The cascade: cam_half's layers from the output down, each conv with its BatchNorm.
TOP_DOWN = (
    ("predictions",),
    ("bottleneck",),
    ("enc4", "enc4_bn"),
    ("enc3", "enc3_bn"),
    ("enc2", "enc2_bn"),
    ("enc1", "enc1_bn"),
)
OCCLUSION = {"window": 8, "stride": 4, "logits": True}  # on 64 x 64: 15 x 15 windows
SCORE_CAM_LAYER = "bottleneck"  # 16 channels: 16 forward passes per image
METHODS = (
    "CAM",
    "Grad-CAM",
    "high-res CAM",
    "refined CAM",
    "occlusion",
    "Score-CAM",
    "edge detector",
)

# Feature visualisation of the real network at 128 px
FV_SIZE = 128
FV_STEPS = 96
FV_RATE = 0.05
FV_LAYERS = {
    "block 4 (40 channels)": efficientnet.BLOCK_28,
    "block 10 (112 channels)": efficientnet.BLOCK_14,
}
FV_CHANNELS = {
    efficientnet.BLOCK_28: (0, 6, 12, 18, 24, 30),
    efficientnet.BLOCK_14: (0, 20, 40, 60, 80, 100),
}
ABLATION_LAYER, ABLATION_CHANNELS = efficientnet.BLOCK_14, (0, 20)
ABLATION = {
    "all regularisers": featurevis.Regularisers(),
    "no jitter, rotation or scale": featurevis.without(
        featurevis.Regularisers(), "jitter", "rotate", "scale"
    ),
    "pixels (no Fourier, no decorrelation)": featurevis.without(
        featurevis.Regularisers(), "fourier", "decorrelate"
    ),
    "none": featurevis.NONE,
}
# ... and of the Fashion-MNIST CNN's units of 02 (its `features` layer), next to their top-K
FASHION_UNITS = (0, 1, 2, 3, 4, 5)
FASHION_REGULARISERS = featurevis.Regularisers(jitter=2, rotate=5.0, scale=0.05, decorrelate=False)
TOP_K = 8


@dataclass
class Trust:
    """Notebook 08's models and images."""

    profile: str
    half: keras.Model
    full: keras.Model
    shuffled: keras.Model
    test: object  # cluttered test set, masks and boxes
    images: np.ndarray  # the sanity checks' images
    targets: np.ndarray  # cam_half's predicted class of each
    description: str
    _fashion: list = field(default_factory=list)

    def fashion(self):
        """The Fashion-MNIST CNN of notebook 02 and its test images."""
        if not self._fashion:
            self._fashion.append(classifier_setting("quick"))
        return self._fashion[0]


def trust(profile: str | None = None) -> Trust:
    """Notebook 08 (the same in both profiles): the shipped ``cam_half``, ``cam_full`` and
    ``cam_half_shuffled`` on notebook 07's cluttered test images."""
    chosen = config.get_profile(profile)
    half, full, shuffled = (zoo.load(name) for name in CAM_MODELS)
    test = course_test_set()
    images = test.images[:SANITY_IMAGES]
    targets = np.asarray(half(images, training=False)).argmax(axis=1)
    entry = zoo.manifest_entry(SHUFFLED, config.MODELS_DIR) or {}
    return Trust(
        chosen,
        half,
        full,
        shuffled,
        test,
        images,
        targets,
        f"cam_half, cam_full and {SHUFFLED} (trained on shuffled labels: training accuracy "
        f"{entry.get('train_accuracy', '?')}, test accuracy {entry.get('test_accuracy', '?')}) "
        f"on the first {SANITY_IMAGES} of notebook 07's cluttered test images; "
        f"EfficientNet-Lite0 at {FV_SIZE} px for feature visualisation (the same in every "
        "profile)",
    )


# ---------------------------------------------------------------------------------------------
# The maps
# ---------------------------------------------------------------------------------------------


def explainer(half, full, images, targets, methods=METHODS) -> Callable[[], dict]:
    """``() -> {method: (N, H, W) maps}`` of ``images`` for ``targets`` with the models'
    weights at the time of the call."""

    def explain():
        maps = {}
        low = None
        for method in methods:
            if method == "CAM":
                maps[method] = cams.cam(half, images, targets).maps
            elif method == "Grad-CAM":
                maps[method] = cams.grad_cam(half, images, targets).maps
            elif method == "high-res CAM":
                maps[method] = cams.high_res_cam(full, half, images, targets).maps
            elif method == "refined CAM":
                low = cams.cam(half, images, targets, upsampled=False).maps
                high = cams.high_res_cam(full, half, images, targets).maps
                refined = refine.refine_batch_sources(low, high, refine.RefineParams(), ["segment"])
                maps[method] = refined["segment"]
            elif method == "occlusion":
                maps[method] = occlusion.occlusion_maps(
                    half, images, target=targets, **OCCLUSION
                ).maps
            elif method == "Score-CAM":
                maps[method] = cams.score_cam(half, images, targets, layer=SCORE_CAM_LAYER).maps
            elif method == "edge detector":
                maps[method] = sanity.edge_map(half, images, targets).maps
            else:
                raise ValueError(f"unknown method {method!r}: some of {METHODS}")
        return maps

    return explain


def passes_per_image(method: str, model: keras.Model, image_shape, layer: str | None) -> dict:
    """Forward and backward passes one map of ``method`` needs per image (the image's own
    prediction included; Score-CAM's blacked-out baseline, shared by every image, not)."""
    if method == "occlusion":
        window = OCCLUSION["window"] if image_shape[0] <= 64 else REAL_OCCLUSION["window"]
        stride = OCCLUSION["stride"] if image_shape[0] <= 64 else REAL_OCCLUSION["stride"]
        positions = len(occlusion.window_starts(image_shape[0], window, stride)) * len(
            occlusion.window_starts(image_shape[1], window, stride)
        )
        return {"forward": 1 + positions, "backward": 0}
    if method == "Score-CAM":
        channels = model.get_layer(layer).output.shape[-1]
        return {"forward": 1 + channels, "backward": 0}
    table = {
        "CAM": (1, 0),
        "Grad-CAM": (1, 1),
        "high-res CAM": (2, 0) if layer is None else (1, 1),  # decoder, or a finer Grad-CAM
        "refined CAM": (2, 0) if layer is None else (1, 1),
        "edge detector": (0, 0),
    }
    forward, backward = table[method]
    return {"forward": forward, "backward": backward}


def seconds_per_image(
    explain_one: Callable[[str], object], methods, n_images: int, cold=()
) -> dict:
    """Wall seconds per image of each method: one untimed call first (tracing, caches), then
    one timed call on ``n_images`` images; the methods in ``cold`` (too slow to run twice)
    are timed on their first call."""
    out = {}
    for method in methods:
        if method not in cold:
            explain_one(method)  # warm-up: compiling is not the method's cost
        start = time.perf_counter()
        explain_one(method)
        out[method] = (time.perf_counter() - start) / n_images
    return out


def cam_costs(setting: Trust, quality: dict, n_images: int = 10) -> pd.DataFrame:
    """Notebook 08's cost table of ``cam_half`` (64 x 64 cluttered images): passes per
    image, wall seconds per image measured here on ``n_images`` images, and the quality
    scores ``quality`` (method -> {metric: value})."""
    images, targets = setting.images[:n_images], setting.targets[:n_images]

    def one(method):
        return explainer(setting.half, setting.full, images, targets, [method])()

    seconds = seconds_per_image(one, METHODS, n_images)
    rows = {}
    for method in METHODS:
        passes = passes_per_image(
            method,
            setting.half,
            images.shape[1:],
            SCORE_CAM_LAYER if method == "Score-CAM" else None,
        )
        rows[method] = {
            "forward passes": passes["forward"],
            "backward passes": passes["backward"],
            "ms per image": 1000 * seconds[method],
            **quality.get(method, {}),
        }
    return pd.DataFrame(rows).T


# ---------------------------------------------------------------------------------------------
# Measurements shipped with the course
# ---------------------------------------------------------------------------------------------


def measure_sanity(setting: Trust, progress: bool = True) -> dict:
    """The cascade and the data randomisation test: similarities per method, and the maps
    of the first image at every stage (for the figure)."""
    explain = explainer(setting.half, setting.full, setting.images, setting.targets)
    cascade = sanity.cascading_randomisation(
        explain,
        [setting.half, setting.full],
        TOP_DOWN,
        progress=(lambda items: tqdm(items, desc="cascading randomisation")) if progress else None,
    )
    trained = {method: maps[0] for method, maps in cascade.maps.items()}
    shuffled = explainer(setting.shuffled, setting.full, setting.images, setting.targets)()
    return {
        "stages": cascade.stages,
        "cascade": {kind: cascade.similarity(kind) for kind in sanity.SIMILARITIES},
        "cascade example": {m: maps[:, 0] for m, maps in cascade.maps.items()},
        "data": {
            kind: {m: sanity.similarity(trained[m], shuffled[m], kind) for m in METHODS}
            for kind in sanity.SIMILARITIES
        },
        "data example": {m: np.stack([trained[m][0], shuffled[m][0]]) for m in METHODS},
    }


def measure_quality(setting: Trust, progress: bool = True) -> dict:
    """Pointing game and IoU on the 500 test images, deletion and insertion areas on the
    first :data:`CURVE_IMAGES`, per method (method -> metric -> per-image scores)."""
    test = setting.test
    targets = np.asarray(setting.half(test.images, training=False)).argmax(axis=1)
    maps = explainer(setting.half, setting.full, test.images, targets)()
    score = Score(setting.half)
    out = {}
    for method in tqdm(METHODS, desc="quality of each method", disable=not progress):
        out[method] = {
            "pointing game": metrics.pointing_game(maps[method], test.masks).astype(float),
            "IoU": metrics.mask_iou(maps[method], test.masks),
            **metrics.curve_areas(
                score,
                test.images[:CURVE_IMAGES],
                maps[method][:CURVE_IMAGES],
                targets[:CURVE_IMAGES],
                STEPS,
            ),
        }
    return out


def network_at(size: int = FV_SIZE) -> keras.Model:
    """EfficientNet-Lite0 with its ImageNet weights for ``size``-pixel RGB images."""
    trained = efficientnet.load()
    model = efficientnet.build(size=size)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(trained.get_layer(layer.name).get_weights())
    return model


def visualise_real(model, layer: str, channels, regularisers=None, progress=False):
    """Feature visualisations of ``channels`` of the real network's ``layer``."""
    return featurevis.visualise(
        Score(model, layer),
        list(channels),
        steps=FV_STEPS,
        learning_rate=FV_RATE,
        regularisers=featurevis.Regularisers() if regularisers is None else regularisers,
        progress=progress,
    )


def visualise_fashion(
    model, units=FASHION_UNITS, regularisers=FASHION_REGULARISERS, progress=False
):
    """Feature visualisations of the Fashion-MNIST CNN's ``features`` units (notebook 02's)."""
    return featurevis.visualise(
        Score(model, "features"),
        list(units),
        steps=FV_STEPS,
        learning_rate=FV_RATE,
        regularisers=regularisers,
        progress=progress,
    )


def measure_features(fashion_model, progress: bool = True) -> dict:
    """Every feature visualisation notebook 08 shows, with the seconds each took."""
    model = network_at()
    out, seconds = {}, {}
    jobs = [(f"real {layer}", layer, FV_CHANNELS[layer], None) for layer in FV_LAYERS.values()]
    jobs += [
        (f"ablation {name}", ABLATION_LAYER, ABLATION_CHANNELS, reg)
        for name, reg in ABLATION.items()
    ]
    for key, layer, channels, reg in tqdm(jobs, desc="feature visualisation", disable=not progress):
        if key == "ablation all regularisers":
            first = out[f"real {layer}"]
            picked = [FV_CHANNELS[layer].index(c) for c in channels]
            out[key] = (first[0][picked], first[1][:, picked])
            continue
        start = time.perf_counter()
        vis = visualise_real(model, layer, channels, reg)
        seconds[key] = (time.perf_counter() - start) / len(channels)
        out[key] = (vis.images, vis.history)
    start = time.perf_counter()
    vis = visualise_fashion(fashion_model)
    seconds["fashion"] = (time.perf_counter() - start) / len(FASHION_UNITS)
    out["fashion"] = (vis.images, vis.history)
    return {"images": out, "seconds": seconds}


REAL_OCCLUSION = {"window": 48, "stride": 24, "logits": True}  # notebook 02's photo setting


def real_costs(progress: bool = True) -> pd.DataFrame:
    """The real network's cost table, measured on the first course photo (its predicted
    class): passes per image and wall seconds (after one untimed call)."""
    model = efficientnet.load()
    photo = np.asarray(_photos()[:1], np.float32)
    targets = np.asarray(model(photo, training=False)).argmax(axis=1)

    def one(method):
        if method == "CAM":
            return cams.cam(model, photo, targets)
        if method == "Grad-CAM":
            return cams.grad_cam(model, photo, targets)
        if method == "high-res CAM":
            return cams.high_res_cam(efficientnet.BLOCK_28, model, photo, targets)
        if method == "refined CAM":
            low = cams.cam(model, photo, targets, upsampled=False).maps
            high = cams.high_res_cam(efficientnet.BLOCK_28, model, photo, targets).maps
            return refine.refine_batch_sources(low, high, refine.RefineParams(), ["segment"])
        if method == "occlusion":
            return occlusion.occlusion_maps(
                model, photo, target=targets, batch_size=32, **REAL_OCCLUSION
            )
        if method == "Score-CAM":
            return cams.score_cam(model, photo, targets, layer="head_relu", batch_size=64)
        return sanity.edge_map(model, photo, targets)

    seconds = seconds_per_image(
        one, tqdm(METHODS, desc="timing", disable=not progress), 1, cold=("Score-CAM",)
    )
    rows = {}
    for method in METHODS:
        layer = {"Score-CAM": "head_relu", "high-res CAM": efficientnet.BLOCK_28}.get(method)
        layer = efficientnet.BLOCK_28 if method == "refined CAM" else layer
        passes = passes_per_image(method, model, photo.shape[1:], layer)
        rows[method] = {
            "forward passes": passes["forward"],
            "backward passes": passes["backward"],
            "ms per image": 1000 * seconds[method],
        }
    return pd.DataFrame(rows).T


def _photos():
    return photos.course_photos().images


# ---------------------------------------------------------------------------------------------
# The record: data/trust_quick.npz
# ---------------------------------------------------------------------------------------------

SEPARATOR = "::"


def _flatten(tree: dict, prefix: str = "") -> dict[str, np.ndarray]:
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{SEPARATOR}{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat |= _flatten(value, name)
        elif isinstance(value, tuple):
            flat |= _flatten({str(i): v for i, v in enumerate(value)}, name)
        else:
            flat[name] = np.asarray(value)
    return flat


def _unflatten(flat: dict) -> dict:
    tree: dict = {}
    for name, value in flat.items():
        *path, last = name.split(SEPARATOR)
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return tree


def _content_sha256(flat: dict) -> str:
    digest = hashlib.sha256()
    for name in sorted(flat):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(flat[name]).tobytes())
    return digest.hexdigest()


def measured_with(setting: Trust) -> dict:
    """What the record must have been measured with to be used here."""
    return {
        "models": zoo.manifest_sha256(*CAM_MODELS, "fashion_cnn"),
        "real network": efficientnet.WEIGHTS_SHA256,
        "images": f"{len(setting.images)} images, sha256 {shipped.array_sha256(setting.images)}",
        "targets": [int(t) for t in setting.targets],
        "test images": shipped.array_sha256(setting.test.images),
        "sanity": repr((TOP_DOWN, OCCLUSION, SCORE_CAM_LAYER, METHODS, refine.RefineParams())),
        "quality": repr((CURVE_IMAGES, STEPS)),
        "features": repr(
            (
                FV_SIZE,
                FV_STEPS,
                FV_RATE,
                FV_CHANNELS,
                ABLATION_CHANNELS,
                ABLATION,
                FASHION_UNITS,
                FASHION_REGULARISERS,
            )
        ),
    }


def save(records: dict, setting: Trust, path: Path = SHIPPED) -> Path:
    """Write ``records`` (from :func:`measure`) as float16 arrays, with what they were
    measured with, when, and the record's own sha256."""
    flat = {
        name: value.astype(np.float16) if value.dtype.kind == "f" else value
        for name, value in _flatten(records).items()
    }
    flat["measured_with"] = np.asarray(json.dumps(measured_with(setting), sort_keys=True))
    flat["measured"] = np.asarray(
        f"{time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU cores, by `{RERUN}`"
    )
    flat["sha256"] = np.asarray(_content_sha256(flat))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **flat)
    sources.write_atomically(Path(path), buffer.getvalue())
    return Path(path)


def load(setting: Trust, path: Path = SHIPPED) -> tuple[dict, str]:
    """The record at ``path``, checked: whole, unedited and measured with what this run
    uses; raises :class:`~helpers.course.shipped.RecordUnusable` saying why not."""
    path = Path(path)
    fix = f"Restore it with `git checkout -- {path}` or measure again with `{RERUN}`."
    try:
        with np.load(path, allow_pickle=False) as stored:
            flat = {name: stored[name] for name in stored.files}
    except FileNotFoundError:
        raise shipped.RecordUnusable(f"The record {path} is missing. {fix}", "missing") from None
    except (OSError, ValueError, EOFError) as error:
        raise shipped.RecordUnusable(
            f"The record {path} is damaged ({error}). {fix}", "damaged"
        ) from None
    recorded_sha = str(flat.pop("sha256", ""))
    if recorded_sha != _content_sha256(flat):
        raise shipped.RecordUnusable(
            f"The record {path} was changed or damaged (its sha256 does not match). {fix}",
            "changed by hand or damaged",
        )
    recorded = json.loads(str(flat.pop("measured_with")))
    wanted = measured_with(setting)
    differing = sorted(k for k in set(recorded) | set(wanted) if recorded.get(k) != wanted.get(k))
    if differing:
        raise shipped.RecordUnusable(
            f"The record {path} was made with different {', '.join(differing)}; measure again "
            f"with `{RERUN}`.",
            f"it was made with different {', '.join(differing)}",
        )
    measured = str(flat.pop("measured"))
    tree = _unflatten(
        {k: v.astype(np.float32) if v.dtype == np.float16 else v for k, v in flat.items()}
    )
    tree["sanity"]["stages"] = [str(s) for s in tree["sanity"]["stages"]]
    return tree, f"measured {measured}"


def measure(setting: Trust, progress: bool = True) -> dict:
    """Everything the record holds, measured here (several minutes on 2 CPU cores)."""
    return {
        "sanity": measure_sanity(setting, progress),
        "quality": measure_quality(setting, progress),
        "features": measure_features(setting.fashion().model, progress),
        "real costs": {
            method: row.to_numpy(float) for method, row in real_costs(progress).iterrows()
        },
    }


def _first_images_again(setting: Trust, recorded: dict) -> float:
    """The largest difference between the record's cascade similarities (first stages, first
    :data:`CHECKED` images, CAM and Score-CAM) and the same measured here."""
    methods = ("CAM", "Score-CAM")
    explain = explainer(
        setting.half, setting.full, setting.images[:CHECKED], setting.targets[:CHECKED], methods
    )
    again = sanity.cascading_randomisation(explain, [setting.half, setting.full], TOP_DOWN[:2])
    here = again.similarity("Spearman")
    shipped_values = recorded["sanity"]["cascade"]["Spearman"]
    return max(
        float(np.abs(np.asarray(shipped_values[m])[:3, :CHECKED] - here[m]).max()) for m in methods
    )


def course_records(setting: Trust, live: bool = False, path: Path = SHIPPED) -> tuple[dict, str]:
    """What notebook 08 shows: the shipped record when it fits, its first :data:`CHECKED`
    images of the cascade measured again to prove it; otherwise (or with ``live=True``)
    everything measured here, with progress bars and the reason in the returned source."""

    def read():
        records, source = load(setting, path)
        difference = _first_images_again(setting, records)
        if difference > TOLERANCE:
            raise shipped.RecordUnusable(
                f"{path} differs from the first {CHECKED} images measured here by "
                f"{difference:.3f}: measure again with `{RERUN}`",
                f"its first {CHECKED} images measured here differ by {difference:.3f}",
            )
        return records, (
            f"{source}; the first {CHECKED} images of the cascade measured again here agree "
            f"within {difference:.4f}"
        )

    return shipped.shipped_or_measured(read, lambda: measure(setting), Path(path).name, live)
