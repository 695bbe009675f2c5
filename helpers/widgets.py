"""Every interactive control of the course.

The pattern: a *numeric* function computes a result from the control values, a *plot*
function draws it; :func:`linked` wires them with ``ipywidgets.interactive``. The callback runs
synchronously when a control's value changes, and the result is kept in ``widget.result``, so
tests set a control's value and check the result changed, with no browser and no stubs.

With ``$COURSE_WIDGET_LOG`` set to a file, each callback appends one JSON line to it: the
widget's factory and the seconds it took (read by the widget latency bench).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import inspect
import json
import os
import time
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, display
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from helpers import activations as acts
from helpers import (
    cams,
    coarse,
    embedding,
    filters,
    hdcnn,
    metrics,
    occlusion,
    plots,
    refine,
    sanity,
    transfer,
)
from helpers.data import Dataset
from helpers.infra import arguments


def linked(compute: Callable, draw: Callable, remember: bool = True, **controls):
    """``controls`` -> ``compute(**values)`` -> ``draw(result)`` shown below the controls.

    ``draw`` returns a matplotlib Figure, any displayable object, or a tuple of them. A
    figure is shown as a PNG drawn once (:func:`helpers.plots.png`). A ``ValueError`` from
    ``compute`` or ``draw`` (a setting that makes no sense) is shown as a message and the
    result becomes None.

    ``remember``: what each setting showed is kept (the last :data:`REMEMBERED` settings), so
    that going back to a setting is instant; pass False when the output depends on more than
    the controls (e.g. on settings computed before). Sliders update when released.
    """

    for name, control in controls.items():  # ipywidgets' (min, max[, step]) abbreviations
        if isinstance(control, tuple) and len(control) in (2, 3) and control[1] < control[0]:
            raise ValueError(
                f"the control {name!r} has max {control[1]} below min {control[0]}: give "
                "(min, max) with min <= max"
            )
        if isinstance(control, widgets.Widget) and control.has_trait("continuous_update"):
            control.continuous_update = False
    shown_before: collections.OrderedDict = collections.OrderedDict()

    def update(**values):
        start = time.perf_counter()
        key = tuple(values.items())
        if remember and key in shown_before:
            shown_before.move_to_end(key)
            result, outputs = shown_before[key]
        else:
            try:
                result = compute(**values)
                shown = draw(result)
                outputs = [
                    Image(plots.png(item), format="png") if isinstance(item, Figure) else item
                    for item in (shown if isinstance(shown, tuple) else (shown,))
                ]
            except ValueError as error:  # a setting that makes no sense
                print(f"This setting does not work: {error}")
                return None
            if remember:
                shown_before[key] = result, outputs
                if len(shown_before) > REMEMBERED:
                    shown_before.popitem(last=False)
        display(*outputs)
        _log_callback(compute, time.perf_counter() - start)
        return result

    return widgets.interactive(update, **controls)


REMEMBERED = 64  # settings a widget keeps what it showed for (a figure is 50-150 kB)


def once_per_setting(compute: Callable, known: dict | None = None) -> Callable:
    """``compute`` run once per setting of its controls and kept, so that going back to a
    setting is instant; ``known``: results already made, keyed like the settings (the
    values of ``compute``'s parameters, in order). The kept results are ``.kept``."""
    names = list(inspect.signature(compute).parameters)
    kept = dict(known or {})

    @functools.wraps(compute)  # keeps the factory's name for the callback log
    def kept_compute(**values):
        key = tuple(values[name] for name in names)
        if key not in kept:
            kept[key] = compute(**values)
        return kept[key]

    kept_compute.kept = kept
    return kept_compute


def _target_options(class_names) -> list[tuple[str, int]]:
    """A class dropdown's options: the predicted class (-1), then every class."""
    return [("predicted class", -1), *class_options(class_names)]


def _log_callback(compute: Callable, seconds: float) -> None:
    """One JSON line to ``$COURSE_WIDGET_LOG``, if set: which widget, how long its callback."""
    path = os.environ.get("COURSE_WIDGET_LOG")
    if path:
        widget = compute.__qualname__.split(".")[0]
        with open(path, "a") as log:
            log.write(json.dumps({"widget": widget, "seconds": round(seconds, 4)}) + "\n")


def _at_least(items, count: int, what: str, factory: str) -> None:
    """A widget factory's inputs must give its controls a range: at least ``count`` items."""
    if len(items) < count:
        raise ValueError(f"{factory} needs at least {count} {what}, got {len(items)}")


def class_options(class_names) -> list[tuple[str, int]]:
    """Dropdown options ``(name, index)`` for a list of class names."""
    return [(name, i) for i, name in enumerate(class_names)]


def dataset_browser(
    dataset: Dataset, split: str = "test", per_page: int = 8
) -> widgets.interactive:
    """Browse a dataset: pick a class and a position; shows ``per_page`` images of that class."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    images = dataset.x_train if split == "train" else dataset.x_test
    labels = dataset.y_train if split == "train" else dataset.y_test
    _at_least(labels, 1, f"image in the dataset's {split} split", "dataset_browser")
    per_page = arguments.count(per_page, "per_page")
    smallest_class = int(np.bincount(labels, minlength=len(dataset.class_names)).min())

    def compute(label: int, start: int) -> dict:
        members = np.flatnonzero(labels == label)
        shown = members[start : start + per_page]
        return {"label": label, "indices": shown}

    def draw(result: dict):
        name = dataset.class_names[result["label"]]
        titles = [f"#{i}" for i in result["indices"]]
        return plots.image_grid(
            images[result["indices"]],
            titles=titles,
            ncols=per_page,
            suptitle=f"{name} ({split} split)",
        )

    return linked(
        compute,
        draw,
        label=widgets.Dropdown(options=class_options(dataset.class_names), description="class"),
        start=widgets.IntSlider(
            min=0, max=max(0, smallest_class - per_page), step=per_page, description="from"
        ),
    )


def feature_map_explorer(model, images: np.ndarray, layer_names, max_maps: int = 32):
    """Pick a conv layer, an image and a colour scale: the image beside the first
    ``max_maps`` of that layer's feature maps, under one colour bar (each map scaled to its
    own range, or one scale for all)."""
    _at_least(images, 1, "image", "feature_map_explorer")
    _at_least(list(layer_names), 1, "layer name", "feature_map_explorer")
    layer = widgets.Dropdown(options=list(layer_names), description="layer")
    # a second per draw: update when the handle is released, not at every step passed
    index = widgets.IntSlider(
        min=0, max=len(images) - 1, description="image", continuous_update=False
    )
    scale = widgets.Dropdown(
        options=[("each map its own", False), ("one for all maps", True)], description="scale"
    )

    def compute(layer: str, index: int, shared: bool) -> np.ndarray:
        return filters.feature_maps(model, images[index], layer)

    def draw(maps: np.ndarray):
        return plots.feature_map_figure(
            maps, images[index.value], max_maps, shared=scale.value, title=layer.value
        )

    return linked(compute, draw, layer=layer, index=index, shared=scale)


def topk_explorer(activations: np.ndarray, images, labels, class_names, k: int = 8):
    """Pick a unit: its ``k`` most exciting images."""
    _at_least(np.asarray(activations).T, 1, "unit", "topk_explorer")
    _at_least(images, 1, "image", "topk_explorer")
    ranked = acts.top_k(activations, k)

    def compute(unit: int) -> dict:
        return {"unit": unit, "indices": ranked[unit]}

    def draw(result: dict):
        return plots.topk_grid(images, ranked, [result["unit"]], labels, class_names)

    return linked(
        compute,
        draw,
        unit=widgets.IntSlider(min=0, max=activations.shape[1] - 1, description="unit"),
    )


def occlusion_explorer(
    model,
    images: np.ndarray,
    class_names,
    dataset_mean: float,
    windows: tuple[int, ...] | None = None,
    strides: tuple[int, ...] | None = None,
    known: dict | None = None,
    window: int | None = None,
    stride: int | None = None,
    logits: bool = False,
):
    """Window, stride, target and baseline (zero, the dataset's mean, or the blurred image)
    -> the occlusion maps overlaid on ``images``; each setting computed once and kept. The
    scale control shows all maps on one colour scale (default: a weak map looks weak) or
    each on its own.

    ``logits``: the maps measure the drop in the class's logit (its score before the
    softmax) instead of its probability, which saturates near 1.

    ``windows``, ``strides``: the choices offered (for large photos, where a small window
    would take minutes); by default sliders over every size up to half the image.
    ``window``, ``stride``: where the controls start (the notebook's setting); by default
    :func:`~helpers.occlusion.occlusion_maps`' own defaults.
    ``known``: maps already computed, ``{(window, stride, target, fill): maps}`` (target -1:
    the predicted class), shown without computing them again.
    A stride above the window is refused with a message (it would leave pixels never hidden).
    """
    _at_least(images, 1, "image", "occlusion_explorer")
    size = min(images.shape[1:3])
    fills = dict(zip(occlusion.BASELINES, (0.0, float(dataset_mean), "blur"), strict=True))

    def compute(window: int, stride: int, target: int, baseline: str) -> np.ndarray:
        return occlusion.occlusion_maps(
            model,
            images,
            window=window,
            stride=stride,
            baseline=fills[baseline],
            target=None if target < 0 else target,
            batch_size=32,
            progress=True,  # shown once it takes over a second
            logits=logits,
        ).maps

    compute = once_per_setting(compute, known)
    scale = widgets.Dropdown(
        options=[("one for all maps", True), ("each map its own", False)], description="scale"
    )

    def maps_shown(window: int, stride: int, target: int, baseline: str, shared: bool):
        return compute(window=window, stride=stride, target=target, baseline=baseline)

    label = f"drop in the class's {'logit' if logits else 'probability'}"
    overlay = plots.Redrawable(plots.overlay_maps)

    def draw(maps: np.ndarray):
        return overlay(images, maps, shared=scale.value, label=label)

    window = occlusion.DEFAULT_WINDOW if window is None else window
    stride = window if stride is None else stride  # occlusion_maps' default stride

    def choice(options, default: int, smallest: int, description: str):
        if options is None:
            return widgets.IntSlider(
                value=min(default, size // 2), min=smallest, max=size // 2, description=description
            )
        return widgets.Dropdown(options=list(options), description=description)

    return linked(
        maps_shown,
        draw,
        window=choice(windows, window, 2, "window"),
        stride=choice(strides, stride, 1, "stride"),
        target=widgets.Dropdown(options=_target_options(class_names), description="target"),
        baseline=widgets.Dropdown(options=occlusion.BASELINES, description="fill"),
        shared=scale,
    )


def tsne_explorer(
    features_by_layer: dict,
    labels,
    class_names,
    perplexities=(5, 15, 30, 50),
    seed: int = 0,
    precomputed: dict | None = None,
):
    """Layer and perplexity -> the t-SNE map; each setting is computed once and cached, with
    a progress bar while it is computed. ``precomputed``: ``{(layer, perplexity): map}``
    already made (notebook 03 ships them). ``explorer.map_for(layer, perplexity)`` gives one
    setting's map (from the cache, or computed once) whatever the controls show."""
    _at_least(list(features_by_layer), 1, "layer", "tsne_explorer")
    _at_least(list(perplexities), 1, "perplexity", "tsne_explorer")
    _at_least(np.asarray(labels).reshape(-1), 4, "points (labels)", "tsne_explorer")

    def compute(layer: str, perplexity: float) -> np.ndarray:
        return embedding.tsne(
            features_by_layer[layer], perplexity=perplexity, seed=seed, progress=True
        )

    compute = once_per_setting(compute, precomputed)

    def map_for(layer: str, perplexity: float) -> np.ndarray:
        if layer not in features_by_layer or perplexity not in perplexities:
            raise ValueError(
                f"the explorer offers layers {list(features_by_layer)} and perplexities "
                f"{list(perplexities)}, got layer {layer!r} and perplexity {perplexity!r}"
            )
        return compute(layer=layer, perplexity=perplexity)

    def draw(points: np.ndarray):
        return plots.embedding_scatter(points, labels, class_names)

    explorer = linked(
        compute,
        draw,
        layer=widgets.Dropdown(options=list(features_by_layer), description="layer"),
        perplexity=widgets.SelectionSlider(
            options=list(perplexities),
            value=perplexities[max(0, len(perplexities) - 2)],
            description="perplexity",
            continuous_update=False,  # an uncached perplexity runs t-SNE: on release only
        ),
    )
    explorer.cache = compute.kept
    explorer.map_for = map_for
    return explorer


def coarse_explorer(features, fine_labels, kernel, bias, groups: dict, class_names, k: int = 3):
    """One initialisation class per coarse group and ``k`` -> accuracy and confusion matrix.

    ``features`` are computed once; each change is one matrix product, no network run.
    """
    _at_least(list(groups), 2, "coarse groups", "coarse_explorer")
    _at_least(features, 1, "feature rows", "coarse_explorer")
    group_names = list(groups)
    members = [list(g) for g in groups.values()]

    def compute(k: int, **inits) -> dict:
        init = [inits[f"init_{j}"] for j in range(len(group_names))]
        accuracy, matrix, chosen = coarse.coarse_task(
            features, fine_labels, kernel, bias, members, init, k
        )
        return {"accuracy": accuracy, "matrix": matrix, "members": chosen}

    def draw(result: dict):
        units = [", ".join(class_names[c] for c in m) for m in result["members"]]
        return plots.confusion_heatmap(
            result["matrix"],
            group_names,
            [f"unit {j}\n{u[:28]}" for j, u in enumerate(units)],
            title=f"SCSM coarse head: accuracy {result['accuracy']:.3f}",
        )

    inits = {
        f"init_{j}": widgets.Dropdown(
            options=class_options(class_names), value=int(group[0]), description=name[:12]
        )
        for j, (name, group) in enumerate(zip(group_names, members, strict=True))
    }
    return linked(
        compute,
        draw,
        k=widgets.IntSlider(value=k, min=1, max=len(class_names), description="k"),
        **inits,
    )


def sample_size_explorer(
    base,
    dataset,
    cut_layer: str,
    sizes=(10, 25, 50, 100, 200),
    schedule=None,
    val_per_class: int = 100,
    seed: int = 0,
    features=None,
    known: dict | None = None,
    seeds: int = 3,
    runs=None,
):
    """Labelled images per class -> test accuracy of feature extraction vs from scratch:
    the mean over ``seeds`` runs of each arm, with their range (min to max) shaded.

    ``known`` results ``{size: (extraction, scratch)}`` (each a number or one accuracy per
    seed, as in notebook 04's shipped record) are shown at once: a size known with
    ``seeds`` runs never trains. Any other size trains its missing runs (seeds ``seed``,
    ``seed + 1``, ..., with :func:`helpers.transfer.seed_runs` and a progress bar) once and
    is then cached. Pass the ``features`` cache of a previous comparison to reuse its
    extracted features. ``runs(per_class, seeds, bar)``, when given, trains the missing runs
    instead (returning ``(extraction accuracies, scratch accuracies)``, one per seed), e.g.
    notebook 04's cats vs dogs with their fixed validation and test photos.
    """
    _at_least(list(sizes), 1, "size", "sample_size_explorer")
    seeds = arguments.count(seeds, "seeds")
    schedule = transfer.Schedule() if schedule is None else schedule
    cache = {
        int(size): tuple(transfer.as_runs(arm) for arm in pair)
        for size, pair in (known or {}).items()
    }
    features = transfer.FeatureCache() if features is None else features

    def compute(per_class: int) -> dict:
        done = cache.get(per_class, ((), ()))
        missing = range(seed + min(len(arm) for arm in done), seed + seeds)
        if len(missing):
            desc = f"training {per_class} per class, {len(missing)} seed(s) x 2 arms"
            with tqdm(total=2 * len(missing), desc=desc) as bar:
                extracted, scratch = (
                    runs(per_class, missing, bar) if runs is not None else transfer.seed_runs(
                        base, dataset, cut_layer, per_class, missing, schedule, val_per_class,
                        features, bar,
                    )
                )  # fmt: skip
            cache[per_class] = (done[0] + extracted, done[1] + scratch)
        return {"per_class": per_class, "results": dict(sorted(cache.items()))}

    def draw(result: dict):
        table = transfer.sample_size_table(result["results"])
        chosen = table.loc[result["per_class"]]
        arms = {"feature extraction": "extraction", "from scratch": "scratch"}
        figure = plots.range_curves(
            list(table.index),
            {
                name: tuple(table[f"{arm} {part}"] for part in ("mean", "min", "max"))
                for name, arm in arms.items()
            },
            "labelled training images per class",
            "test accuracy",
            title=f"{result['per_class']} per class, mean (min-max) of {int(chosen['seeds'])} "
            "run(s):\n"
            + ", ".join(
                f"{arm} {chosen[f'{arm} mean']:.3f} ({chosen[f'{arm} min']:.3f}-"
                f"{chosen[f'{arm} max']:.3f})"
                for arm in arms.values()
            ),
            log_x=True,
        )
        figure.axes[0].axvline(result["per_class"], color="grey", linestyle=":")
        return figure

    start = max(cache) if cache else sizes[0]
    explorer = linked(
        compute,
        draw,
        remember=False,  # the figure shows every size trained so far
        per_class=widgets.SelectionSlider(
            options=list(sizes),
            value=start,
            description="per class",
            continuous_update=False,  # a new size retrains: on release only
        ),
    )
    explorer.cache = cache
    return explorer


def cluster_explorer(confusion: np.ndarray, class_names, max_clusters: int | None = None):
    """Number of clusters -> the confusion matrix reordered by cluster, clusters in the title."""
    _at_least(list(class_names), 3, "classes (2 clusters and a choice)", "cluster_explorer")

    def compute(n_clusters: int) -> dict:
        clusters = hdcnn.confusion_clusters(confusion, n_clusters)
        matrix, order = hdcnn.reorder(confusion, clusters)
        return {"clusters": clusters, "matrix": matrix, "order": order}

    def draw(result: dict):
        names = [class_names[c] for c in result["order"]]
        groups = " | ".join(", ".join(class_names[c] for c in cl) for cl in result["clusters"])
        return plots.confusion_heatmap(result["matrix"], names, title=groups[:110], fmt=".2f")

    top = max_clusters or len(class_names) - 1
    return linked(
        compute,
        draw,
        n_clusters=widgets.IntSlider(value=min(3, top), min=2, max=top, description="clusters"),
    )


def top_m_explorer(model, outputs: dict, labels: np.ndarray):
    """top-m -> HD-CNN accuracy and fine components evaluated per image (``outputs`` from
    ``model.outputs(images)``, so each change is only an average)."""
    _at_least(np.asarray(labels).reshape(-1), 1, "labelled image (labels)", "top_m_explorer")
    arguments.same_length(labels=labels, **{'outputs["b"]': outputs["b"]})

    def compute(top_m: int) -> dict:
        accuracy = float(np.mean(model.combine(outputs, top_m).argmax(1) == labels))
        return {"top_m": top_m, "accuracy": accuracy}

    def draw(result: dict):
        return widgets.HTML(
            f"top-{result['top_m']}: accuracy <b>{result['accuracy']:.4f}</b>, "
            f"{result['top_m']} fine component(s) run per image"
        )

    return linked(
        compute,
        draw,
        top_m=widgets.IntSlider(
            value=len(model.clusters), min=1, max=len(model.clusters), description="top-m"
        ),
    )


def controls_for(settings_type) -> dict:
    """One control per declared field of a settings dataclass (:mod:`helpers.infra.parameters`),
    in field order, starting at the field's default: a slider for a range, a dropdown for
    options."""
    controls = {}
    wide = {"style": {"description_width": "initial"}}
    for field in dataclasses.fields(settings_type):
        spec = field.metadata
        if "options" in spec:
            controls[field.name] = widgets.Dropdown(
                options=spec["options"], value=field.default, description=spec["label"], **wide
            )
            continue
        slider = widgets.IntSlider if spec["whole"] else widgets.FloatSlider
        controls[field.name] = slider(
            value=field.default,
            min=spec["low"],
            max=spec["shown_up_to"],
            step=spec["step"],
            description=spec["label"],
            **wide,
        )
    return controls


def refine_explorer(half, full, images: np.ndarray, masks=None):
    """Image and every refinement parameter -> the step-by-step pipeline figure; with the
    images' ``masks``, also the current image's scores of the low-res, high-res and refined
    maps (pointing game hit or miss, IoU, boundary F, energy in mask)."""
    _at_least(images, 1, "image", "refine_explorer")
    if masks is not None:
        arguments.same_length(images=images, masks=masks)
    low, targets = cams.cam(half, images, upsampled=False)
    high, _ = cams.high_res_cam(full, half, images, targets)
    low_up = cams.upsample(low, images.shape[1:3])

    def compute(index: int, **params) -> dict:
        steps = refine.refine(
            low[index], high[index], image=images[index], params=refine.RefineParams(**params)
        )
        return {"steps": steps, "index": index}

    pipeline = plots.Redrawable(plots.pipeline_steps)

    def draw(result: dict):
        index, steps = result["index"], result["steps"]
        figure = pipeline(steps, images[index])
        if masks is None:
            return figure
        maps = {"low-res": low_up[index], "high-res": high[index], "refined": steps.merged}
        return metrics.single_image_scores(maps, masks[index]), figure

    controls = {
        "index": widgets.IntSlider(min=0, max=len(images) - 1, description="image"),
        **controls_for(refine.RefineParams),
    }

    def only_active(_=None):
        """A control that the current mode ignores is disabled, so it never looks broken."""
        controls["maxima_areas"].disabled = controls["focal_scope"].value != "local"
        controls["alpha"].disabled = controls["merge"].value != "blend"
        controls["crop_percentage"].disabled = controls["crop_mode"].value != "percentage"
        controls["crop_threshold"].disabled = controls["crop_mode"].value != "threshold"

    controls["focal_scope"].observe(only_active, "value")
    controls["merge"].observe(only_active, "value")
    controls["crop_mode"].observe(only_active, "value")
    only_active()
    return linked(compute, draw, **controls)


def cam_explorer(half, full, images: np.ndarray, class_names, grad_cam_model=None):
    """Image and class -> low-res, high-res, refined CAM and Grad-CAM (of ``grad_cam_model``,
    by default ``half``) for that class."""
    _at_least(images, 1, "image", "cam_explorer")

    def compute(index: int, target: int) -> dict:
        chosen = None if target < 0 else target
        maps, targets = cams.map_types(
            half, full, images[index : index + 1], target=chosen, grad_cam_model=grad_cam_model
        )
        return {"index": index, "maps": maps, "target": int(targets[0])}

    def draw(result: dict):
        return plots.map_comparison(
            images[result["index"] : result["index"] + 1],
            result["maps"],
            titles=[class_names[result["target"]]],
        )

    return linked(
        compute,
        draw,
        index=widgets.IntSlider(min=0, max=len(images) - 1, description="image"),
        target=widgets.Dropdown(options=_target_options(class_names), description="class"),
    )


def photo_cam_explorer(model, photos, class_names, layers: dict, cam_layer_name: str = "CAM"):
    """Photo, class and layer -> the network's CAM and the Grad-CAM of the chosen layer for
    that class, over the photo; each setting computed once and kept (going back is instant).

    ``layers``: ``{label: layer name}`` of the layers whose Grad-CAM can be shown (e.g. blocks
    at 14 x 14 and 28 x 28). ``photos``: :class:`helpers.data.photos.Photos`.
    """
    _at_least(photos.names, 1, "photo", "photo_cam_explorer")
    _at_least(list(layers), 1, "layer", "photo_cam_explorer")

    compiled = set()  # the layers whose Grad-CAM ran: the first run compiles it (1-2 s)

    def compute(index: int, target: int, layer: str) -> dict:
        image = photos.images[index : index + 1]
        low, targets = cams.cam(model, image, None if target < 0 else target)
        first = layer not in compiled
        with tqdm(total=1, desc=f"Grad-CAM at {layer}: compiled on first use", disable=not first):
            fine = cams.grad_cam(model, image, targets, layer=layers[layer]).maps
        compiled.add(layer)
        return {
            "index": index,
            "target": int(targets[0]),
            "maps": {cam_layer_name: low, f"Grad-CAM, {layer}": fine},
        }

    compute = once_per_setting(compute)

    def draw(result: dict):
        index = result["index"]
        return plots.map_comparison(
            photos.images[index : index + 1],
            result["maps"],
            titles=[f"{photos.names[index]}: {class_names[result['target']]}"],
        )

    return linked(
        compute,
        draw,
        index=widgets.Dropdown(
            options=[(name, i) for i, name in enumerate(photos.names)], description="photo"
        ),
        target=widgets.Dropdown(options=_target_options(class_names), description="class"),
        layer=widgets.Dropdown(options=list(layers), description="layer"),
    )


def feature_explorer(shown: dict, histories: dict | None = None):
    """Notebook 08: pick one precomputed feature visualisation (``shown``: label -> image);
    the image, and with ``histories`` (label -> ``(steps + 1,)`` scores) the score it reached
    at each step. Every option is computed before: each answer is drawn once and kept."""
    _at_least(shown, 1, "images", "feature_explorer")
    labels = list(shown)

    def compute(visualisation):
        return visualisation

    def draw(label):
        history = None if histories is None else histories.get(label)
        return plots.feature_with_history(shown[label], label, history)

    return linked(
        compute,
        draw,
        visualisation=widgets.Dropdown(options=labels, value=labels[0], description="unit"),
    )


def sanity_explorer(stages, similarities: dict, examples: dict, image: np.ndarray):
    """Notebook 08: one method's cascade: its similarity to the trained network's map at
    each stage (mean and 95 % interval over the images; ``similarities``: kind -> method ->
    ``(stages, N)``) and its maps of ``image`` (``examples``: method -> ``(stages, H, W)``)."""
    methods, kinds = list(examples), list(similarities)
    _at_least(methods, 1, "methods", "sanity_explorer")
    bands = {
        (kind, method): sanity.curve_intervals(similarities[kind][method])
        for kind in kinds
        for method in methods
    }

    def compute(method, similarity):
        return method, similarity

    def draw(choice):
        method, kind = choice
        curve = plots.similarity_curves(stages, {method: bands[kind, method]}, kind)
        maps = plots.cascade_maps(image, stages, {method: examples[method]})
        return curve, maps

    return linked(
        compute,
        draw,
        method=widgets.Dropdown(options=methods, value=methods[0], description="method"),
        similarity=widgets.Dropdown(options=kinds, value=kinds[0], description="similarity"),
    )
