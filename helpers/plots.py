"""Every figure of the course, in one shared style. Functions take arrays, return a Figure."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnnotationBbox, OffsetImage
from matplotlib.patches import Rectangle

from helpers.infra import arguments
from helpers.refine import normalise

STYLE = {
    "figure.dpi": 90,
    "figure.facecolor": "white",
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "image.interpolation": "nearest",
}


def apply_style() -> None:
    """Apply the course's figure style (seaborn's clean theme plus a few sizes); in a Jupyter
    kernel, figures a cell returns or displays are shown as images."""
    sns.set_theme(style="white", context="notebook", rc=STYLE)
    # The inline backend registers its PNG display of figures when it is loaded, which pyplot
    # does only for its own figures, and the course draws none through pyplot. Loading it
    # outside a kernel, or under another backend, does nothing.
    import matplotlib_inline.backend_inline  # noqa: F401


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize, **subplots) -> tuple[Figure, object]:
    """A figure and its axes, outside pyplot's list of open figures: shown where it is
    returned or displayed, never by pyplot. (JupyterLab sends some widget messages to a kernel
    subshell; after each, matplotlib's inline hook shows and closes every figure pyplot holds,
    from that thread, so a widget's figure drawn through pyplot came out blank or half-drawn.)"""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **subplots)


def png(fig: Figure) -> bytes:
    """``fig`` as PNG bytes, cropped to its content as Jupyter shows a figure, but quickly
    compressed: what a widget shows at each change (zlib's level 1 instead of 6: half the
    encoding time, a 20 % larger file)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class Redrawable:
    """A drawing function that takes ``into=`` (:func:`pipeline_steps`, :func:`overlay_maps`)
    with its figure kept: each call updates the same figure in place, as a widget does."""

    def __init__(self, draw):
        self.draw = draw
        self.figure: Figure | None = None

    def __call__(self, *args, **kwargs) -> Figure:
        self.figure = self.draw(*args, into=self.figure, **kwargs)
        return self.figure


def _show_array(ax, image, **scale) -> None:
    """Give ``ax``'s first image new pixels (any size) and, without a fixed ``vmin``/``vmax``
    in ``scale``, rescale its colours to them, as a fresh ``imshow`` would."""
    shown = ax.images[0]
    shown.set_data(image)
    height, width = np.shape(image)[:2]
    shown.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    if scale:
        shown.set_clim(scale["vmin"], scale["vmax"])
    else:
        shown.autoscale()


def _hide_axis(ax) -> None:
    """No frame, ticks or labels; hidden from layout too (an axis merely turned off still
    works out its tick labels to place the title: 0.7 s of the 10-panel pipeline figure)."""
    ax.set_axis_off()
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)


def _as_2d_or_rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        return image[..., 0]
    return image


def image_grid(
    images: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    size: float = 1.2,
    suptitle: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """A grid of images (grey or RGB), each with an optional title; axes hidden."""
    images = list(images)
    if not images:
        raise ValueError("image_grid needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(titles)} titles for {len(images)} images")
    ncols = min(arguments.count(ncols, "ncols"), len(images))
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = new_figure(
        nrows,
        ncols,
        figsize=(size * ncols, size * nrows + (0.3 if suptitle else 0)),
        squeeze=False,
    )
    for ax in axes.ravel():
        _hide_axis(ax)
    for i, image in enumerate(images):
        ax = axes.ravel()[i]
        ax.imshow(_as_2d_or_rgb(image), cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(titles[i], fontsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def _channels_first(maps: np.ndarray, max_maps: int, shared: bool) -> np.ndarray:
    """The first ``max_maps`` channels of ``(H, W, C)`` maps as ``(count, H, W)``: each
    scaled to its own [0, 1] (a constant channel gives 0), or as they are when ``shared``."""
    if np.ndim(maps) != 3:
        raise ValueError(f"maps must be (H, W, channels), got shape {np.shape(maps)}")
    max_maps = arguments.count(max_maps, "max_maps")
    shown = np.moveaxis(np.asarray(maps, dtype=np.float64)[..., :max_maps], -1, 0)
    if shared:
        return shown
    low = shown.min(axis=(1, 2), keepdims=True)
    span = shown.max(axis=(1, 2), keepdims=True) - low
    return np.divide(shown - low, span, out=np.zeros_like(shown), where=span > 0)


def _draw_mosaic(ax, channels: np.ndarray, ncols: int, vmin: float, vmax: float):
    """``(count, H, W)`` channels tiled into one numbered image on ``ax`` (white gaps)."""
    count, height, width = channels.shape
    nrows = -(-count // ncols)
    gap = max(1, height // 8)
    mosaic = np.full((nrows * (height + gap) - gap, ncols * (width + gap) - gap), np.nan)
    for index, channel in enumerate(channels):
        top, left = (index // ncols) * (height + gap), (index % ncols) * (width + gap)
        mosaic[top : top + height, left : left + width] = channel
        ax.text(left, top, str(index), color="white", fontsize=7, va="top", ha="left")
    colours = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    shown = ax.imshow(mosaic, cmap=colours, vmin=vmin, vmax=vmax, interpolation="nearest")
    _hide_axis(ax)
    return shown


def feature_map_figure(
    maps: np.ndarray,
    image: np.ndarray | None = None,
    max_maps: int = 32,
    shared: bool = False,
    title: str | None = None,
    ncols: int = 8,
) -> Figure:
    """The input ``image`` (if given) beside the first ``max_maps`` channels of its feature
    maps ``(H, W, C)``, tiled and numbered, under one colour bar; the title says how many
    maps are shown ("32 of 64 maps").

    ``shared``: one scale for all maps shown (their activations as they are: a weak map
    looks weak); else each map is stretched from its minimum (0) to its maximum (1), which
    shows the pattern of a weak map but hides its strength.
    """
    channels = _channels_first(maps, max_maps, shared)
    count, total = len(channels), np.shape(maps)[-1]
    ncols = min(arguments.count(ncols, "ncols"), count)
    nrows = -(-count // ncols)
    side = 1.2 * nrows
    panels = 2 if image is None else 3
    ratios = ([min(side, 2.4)] if image is not None else []) + [1.2 * ncols, 0.12]
    fig, axes = new_figure(
        1,
        panels,
        figsize=(sum(ratios) + 0.8, side + 0.4),
        gridspec_kw={"width_ratios": ratios},
        squeeze=False,
    )
    axes = list(axes[0])
    if image is not None:
        picture = axes.pop(0)
        picture.imshow(_as_2d_or_rgb(image), cmap="gray")
        picture.set_title("input", fontsize=8)
        _hide_axis(picture)
    low, high = (float(channels.min()), float(channels.max())) if shared else (0.0, 1.0)
    shown = _draw_mosaic(axes[0], channels, ncols, low, high if high > low else low + 1.0)
    scale = "one scale for all" if shared else "each scaled to its own range"
    axes[0].set_title(f"{title + ': ' if title else ''}{count} of {total} maps, {scale}")
    bar = fig.colorbar(shown, cax=axes[1])
    bar.set_label(
        "activation" if shared else "each map: its minimum (0) to its maximum (1)", fontsize=7
    )
    bar.ax.tick_params(labelsize=6)
    fig.tight_layout()
    return fig


def topk_grid(images: np.ndarray, indices: np.ndarray, units, labels=None, class_names=None):
    """One row per unit: its top-K images, highest first; titles give the class."""
    indices = np.asarray(indices)
    units = [arguments.count(unit, "unit", 0, len(indices) - 1) for unit in units]
    if not units:
        raise ValueError("give at least one unit to show")
    rows = [indices[u] for u in units]
    flat = np.concatenate(rows)
    titles = None
    if labels is not None and class_names is not None:
        titles = [class_names[labels[i]][:10] for i in flat]
    fig = image_grid(images[flat], titles=titles, ncols=len(rows[0]), size=1.1)
    for row, unit in enumerate(units):
        fig.axes[row * len(rows[0])].text(
            -0.15,
            0.5,
            f"unit {unit}",
            transform=fig.axes[row * len(rows[0])].transAxes,
            rotation=90,
            va="center",
            ha="right",
            fontsize=8,
        )
    return fig


def overlay_maps(
    images: np.ndarray,
    maps: np.ndarray,
    titles=None,
    alpha: float = 0.55,
    cmap: str = "coolwarm",
    symmetric: bool = True,
    shared: bool = False,
    label: str | None = None,
    into: Figure | None = None,
) -> Figure:
    """Each image in grey with its map on top; two rows: the image, then image + map.

    ``shared``: one colour scale for the whole row, the maps' values as they are (a weak
    map looks weak), from -m to m with m the largest absolute value of all maps; else each
    map is divided by its own largest absolute value (a weak map looks as strong as any).
    ``symmetric`` centres the scale on 0 (red: the score drops when hidden), else it starts
    at 0. ``label``: what the colour bar measures (e.g. "drop in the class's logit").
    ``into``: a figure this function drew before for as many images, with titles too or
    without, updated in place, its layout kept (a widget's figure: twice as fast as a new
    one); for another number of images a new figure is drawn.
    """
    maps = arguments.finite(maps, "maps")
    n = arguments.same_length(images=images, maps=maps)
    top = (float(np.abs(maps).max()) or 1.0) if shared else 1.0
    scale = {"vmin": -top if symmetric else 0.0, "vmax": top}
    if not shared:
        label = f"{label or 'map'} / its largest |value|"
    label = label or "map value, one scale for all"
    kept = into is not None and len(into.axes) == 2 * n + 1
    if kept:
        fig, panels = into, np.array(into.axes[:-1]).reshape(2, n)
    else:
        fig, panels = new_figure(2, n, figsize=(1.6 * n + 0.6, 3.4), squeeze=False)
    for i in range(n):
        scaled = maps[i] if shared else maps[i] / (float(np.abs(maps[i]).max()) or 1.0)
        image = _as_2d_or_rgb(images[i])
        if kept:
            _show_array(panels[0, i], image)
            _show_array(panels[1, i], image)
            panels[1, i].images[1].set_data(scaled)
            panels[1, i].images[1].set_clim(**scale)
        else:
            panels[0, i].imshow(image, cmap="gray")
            panels[1, i].imshow(image, cmap="gray")
            panels[1, i].imshow(scaled, cmap=cmap, alpha=alpha, **scale)
            for ax in panels[:, i]:
                _hide_axis(ax)
        panels[0, i].set_title("" if titles is None else titles[i], fontsize=7)
    if kept:
        fig.axes[-1].set_ylabel(label, fontsize=7)
        return fig
    fig.tight_layout()
    bar = fig.colorbar(panels[1, -1].images[1], ax=panels[1, :].tolist(), fraction=0.04, pad=0.02)
    bar.set_label(label, fontsize=7)
    bar.ax.tick_params(labelsize=6)
    return fig


def embedding_scatter(
    points: np.ndarray,
    labels: np.ndarray,
    class_names,
    images=None,
    thumbnails: int = 0,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """2-D embedding coloured by class with a legend; optional image thumbnails on the map."""
    points = arguments.finite(points, "points")
    labels = arguments.labels(labels, len(class_names))
    arguments.same_length(points=points, labels=labels)
    fig, ax = new_figure(figsize=(6.5, 5.5))
    palette = matplotlib.colormaps["tab10" if len(class_names) <= 10 else "tab20"]
    for c, name in enumerate(class_names):
        chosen = labels == c
        ax.scatter(
            points[chosen, 0], points[chosen, 1], s=4, color=palette(c % palette.N), label=name
        )
    if images is not None and thumbnails:
        rng = np.random.default_rng(seed)
        for i in rng.choice(len(points), size=min(thumbnails, len(points)), replace=False):
            box = OffsetImage(_as_2d_or_rgb(images[i]), zoom=0.8, cmap="gray_r")
            ax.add_artist(AnnotationBbox(box, points[i], frameon=False))
    ax.legend(markerscale=3, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def filter_grid(kernel_images: np.ndarray, ncols: int = 8, title: str | None = None) -> Figure:
    """First-layer filters as images (from :func:`helpers.filters.kernel_images`)."""
    fig = image_grid(
        kernel_images,
        titles=[str(i) for i in range(len(kernel_images))],
        ncols=ncols,
        size=0.9,
        vmin=0.0,
        vmax=1.0,
    )
    if title:
        fig.suptitle(title)
    return fig


def filter_pairs(
    before: np.ndarray, after: np.ndarray, correlations, ncols: int = 8, title=None
) -> Figure:
    """Each filter at the start of training above the same filter trained, titled with its
    number and the correlation ``r`` of the two (images from
    :func:`helpers.filters.kernel_images`, correlations from
    :func:`helpers.filters.filter_correlations`)."""
    before, after = np.asarray(before), np.asarray(after)
    n = arguments.same_length(before=before, after=after, correlations=correlations)
    ncols = min(arguments.count(ncols, "ncols"), n)
    blocks = -(-n // ncols)
    fig, axes = new_figure(
        2 * blocks, ncols, figsize=(0.9 * ncols + 0.6, 1.9 * blocks + 0.3), squeeze=False
    )
    for ax in axes.ravel():
        _hide_axis(ax)
    for i in range(n):
        block, col = divmod(i, ncols)
        for row, image in ((2 * block, before[i]), (2 * block + 1, after[i])):
            axes[row, col].imshow(_as_2d_or_rgb(image), cmap="gray", vmin=0.0, vmax=1.0)
        axes[2 * block, col].set_title(str(i), fontsize=7)
        axes[2 * block + 1, col].set_title(f"r {correlations[i]:.2f}", fontsize=7)
    for block in range(blocks):
        for row, name in ((2 * block, "start"), (2 * block + 1, "trained")):
            axes[row, 0].text(
                -0.15,
                0.5,
                name,
                transform=axes[row, 0].transAxes,
                rotation=90,
                va="center",
                ha="right",
                fontsize=7,
            )
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _every_nth_name(names, most: int = 30) -> list[str]:
    """The names, with all but every n-th blanked when there are more than ``most``."""
    step = -(-len(names) // most)
    return [str(name) if i % step == 0 else "" for i, name in enumerate(names)]


def confusion_heatmap(
    matrix: np.ndarray, row_names, col_names=None, title: str | None = None, fmt: str = ".2f"
) -> Figure:
    """A (normalised) confusion matrix as an annotated heatmap; rows = true classes."""
    col_names = row_names if col_names is None else col_names
    matrix = arguments.finite(matrix, "matrix")
    if matrix.shape != (len(row_names), len(col_names)):
        raise ValueError(
            f"matrix {matrix.shape} needs one name per row and column, got "
            f"{len(row_names)} row and {len(col_names)} column names"
        )
    # at least 5 inches: a 3x3 matrix with long tick labels otherwise leaves its cells too
    # small for their numbers
    # at most 14 inches: CIFAR-100's 100 classes then show every fourth name
    side = min(max(0.45 * max(len(row_names), len(col_names)) + 2, 5.0), 14.0)
    fig, ax = new_figure(figsize=(side + 1, side))
    sns.heatmap(
        matrix,
        annot=len(row_names) <= 12,
        fmt=fmt,
        cmap="Blues",
        ax=ax,
        xticklabels=_every_nth_name(col_names),
        yticklabels=_every_nth_name(row_names),
        cbar=False,
        square=True,
    )
    _slanted_ticks(ax)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    return fig


def _slanted_ticks(ax) -> None:
    """Column names slanted (long class names side by side overlap), row names level."""
    ax.tick_params(axis="x", labelrotation=40)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
        label.set_rotation_mode("anchor")
    ax.tick_params(axis="y", labelrotation=0)


def similarity_heatmap(matrix: np.ndarray, names, title: str | None = None) -> Figure:
    """A class-by-class similarity matrix (e.g. cosines of weight columns, values in
    [-1, 1]) as an annotated heatmap on a diverging scale centred at 0, with a colour bar;
    both axes are classes (not true / predicted, as in :func:`confusion_heatmap`)."""
    matrix = arguments.finite(matrix, "matrix")
    if matrix.shape != (len(names), len(names)):
        raise ValueError(
            f"matrix {matrix.shape} must be square with one name per row and column, got "
            f"{len(names)} names"
        )
    side = min(max(0.45 * len(names) + 2, 5.0), 14.0)
    fig, ax = new_figure(figsize=(side + 1.6, side))
    sns.heatmap(
        matrix,
        annot=len(names) <= 12,
        fmt=".2f",
        cmap="RdBu_r",
        vmin=-1.0,
        vmax=1.0,
        ax=ax,
        xticklabels=_every_nth_name(names),
        yticklabels=_every_nth_name(names),
        cbar_kws={"label": "cosine similarity", "shrink": 0.8},
        square=True,
    )
    _slanted_ticks(ax)
    ax.set_xlabel("class")
    ax.set_ylabel("class")
    if title:
        ax.set_title(title)
    return fig


def curves(x, series: dict, xlabel: str, ylabel: str, title: str | None = None) -> Figure:
    """Several named y-series over the same x, with markers and a legend."""
    for name, ys in series.items():
        arguments.same_length(x=x, **{f"series {name!r}": ys})
    return _lines({name: (x, ys) for name, ys in series.items()}, xlabel, ylabel, title)


def range_curves(
    x, series: dict, xlabel: str, ylabel: str, title: str | None = None, log_x: bool = False
) -> Figure:
    """Named means over the same x, each with a shaded band from its low to its high
    (``series``: name -> (means, lows, highs)), e.g. the mean and range over seeds."""
    for name, band in series.items():
        if len(band) != 3:
            raise ValueError(f"series {name!r}: give (means, lows, highs), got {len(band)} parts")
        parts = zip(("means", "lows", "highs"), band, strict=True)
        arguments.same_length(x=x, **{f"{name!r} {part}": v for part, v in parts})
    fig, ax = new_figure(figsize=(5.5, 3.5))
    for name, (means, lows, highs) in series.items():
        (line,) = ax.plot(x, means, marker="o", label=f"{name} (mean)")
        ax.fill_between(x, lows, highs, color=line.get_color(), alpha=0.2, label=f"{name} range")
    if log_x:
        ax.set_xscale("log")
        ax.set_xticks(x, [str(v) for v in x])
        ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title, fontsize="medium")
    fig.tight_layout()
    return fig


def k_curves(comparisons: dict, title: str | None = None) -> Figure:
    """SCSM coarse accuracy on validation images against k, one line per coarse task over
    its own k (``comparisons``: task name -> :class:`helpers.coarse.Comparison`)."""
    return _lines(
        {name: (c.ks, c.validation_curve) for name, c in comparisons.items()},
        "k (classes averaged per coarse unit)",
        "accuracy on validation images (never trained on)",
        title,
    )


def _lines(lines: dict, xlabel: str, ylabel: str, title: str | None) -> Figure:
    """One marked line per ``name: (x, y)``, with a legend."""
    fig, ax = new_figure(figsize=(5.5, 3.5))
    for name, (x, ys) in lines.items():
        ax.plot(x, ys, marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def interval_plot(table, xlabel: str, ylabel: str, min_span: float = 0.05, title=None):
    """Means with 95 % interval bars from a table with columns ``m``, ``m low``, ``m high``
    (its first column) over an integer index; the y-axis spans at least ``min_span``, so a
    difference of a few images does not look like a cliff."""
    value = table.columns[0]
    x = np.asarray(table.index, dtype=int)
    y, low, high = (table[c].to_numpy() for c in (value, f"{value} low", f"{value} high"))
    fig, ax = new_figure(figsize=(5.5, 3.5))
    ax.errorbar(x, y, yerr=[y - low, high - y], marker="o", capsize=4)
    ax.set_xticks(x)
    centre, span = (low.min() + high.max()) / 2, max(min_span, high.max() - low.min())
    ax.set_ylim(centre - span * 0.6, centre + span * 0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"{ylabel} (95 % interval)")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def learning_curves(histories: dict, metric: str = "accuracy") -> Figure:
    """Training vs validation ``metric`` per epoch, one panel per method."""
    if not histories:
        raise ValueError("histories is empty: give {method: Keras history dict}")
    for name, history in histories.items():
        missing = [key for key in (metric, f"val_{metric}") if key not in history]
        if missing:
            raise ValueError(f"history of {name!r} has no {missing}; it has {list(history)}")
    fig, axes = new_figure(
        1, len(histories), figsize=(3.2 * len(histories), 2.8), squeeze=False, sharey=True
    )
    for ax, (name, history) in zip(axes[0], histories.items(), strict=True):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], label="training")
        ax.plot(epochs, history[f"val_{metric}"], label="validation")
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel(metric)
    axes[0, 0].legend()
    fig.tight_layout()
    return fig


def map_comparison(
    images: np.ndarray, maps: dict, masks=None, titles=None, centred: bool = False, label=None
) -> Figure:
    """Rows = images; columns = the image (mask outlined) then each map type over it, each
    scaled to its own range under one colour bar.

    ``centred``: instead, one diverging scale for every map, centred at 0 (red above, blue
    below, from -m to m with m the largest absolute value of all maps), for maps whose sign
    matters (occlusion: red, the score drops; blue, it rises); ``label`` names the unit."""
    n, kinds = len(images), list(maps)
    for kind in kinds:
        arguments.same_length(images=images, **{f"maps[{kind!r}]": maps[kind]})
    if centred:  # one scale for all maps, symmetric about 0
        largest = [float(np.abs(arguments.finite(maps[k], "maps")).max()) for k in kinds]
        top = max(largest, default=0.0) or 1.0
    fig, axes = new_figure(
        n, len(kinds) + 1, figsize=(1.7 * (len(kinds) + 1), 1.7 * n), squeeze=False
    )
    for i in range(n):
        axes[i, 0].imshow(_as_2d_or_rgb(images[i]), cmap="gray")
        if masks is not None:
            axes[i, 0].contour(masks[i], levels=[0.5], colors="lime", linewidths=0.8)
        if titles is not None:
            axes[i, 0].set_title(titles[i], fontsize=7)
        for j, kind in enumerate(kinds, start=1):
            axes[i, j].imshow(_as_2d_or_rgb(images[i]), cmap="gray")
            if centred:
                shown = axes[i, j].imshow(
                    maps[kind][i], cmap="coolwarm", alpha=0.55, vmin=-top, vmax=top
                )
            else:
                scaled = normalise(maps[kind][i])  # 0 at its minimum, 1 at its maximum
                shown = axes[i, j].imshow(scaled, cmap="jet", alpha=0.5, vmin=0, vmax=1)
            if i == 0:
                axes[i, j].set_title(kind, fontsize=8)
    for ax in axes.ravel():
        _hide_axis(ax)
    fig.tight_layout()
    if kinds:
        bar = fig.colorbar(shown, ax=axes[:, 1:].ravel().tolist(), fraction=0.03, pad=0.02)
        if centred:
            bar.set_label(label or "map value, one scale centred at 0", fontsize=7)
        else:
            bar.set_label("each map from its minimum (0) to its maximum (1)", fontsize=7)
        bar.ax.tick_params(labelsize=6)
    return fig


def pipeline_steps(steps, image: np.ndarray, into: Figure | None = None) -> Figure:
    """Every intermediate of :func:`helpers.refine.refine`, in order, on one figure.

    ``into``: a figure this function drew before, updated in place (a widget's figure:
    twice as fast as a new one)."""
    panels = [
        ("image", _as_2d_or_rgb(image), "gray"),
        ("low-res (resized)", steps.low_resized, "jet"),
        ("high-res, blurred", steps.blurred, "jet"),
        ("Sobel edges", steps.edges, "magma"),
        ("ROI", steps.roi, "gray"),
        (
            f"bounds {steps.bounds[0]:.2f}..{steps.bounds[1]:.2f}",
            (steps.edges >= steps.bounds[0]) & (steps.edges <= steps.bounds[1]),
            "gray",
        ),
        ("region grown", steps.segmented, "gray"),
        (  # says so when no hole is small enough: the panel then looks unchanged
            f"holes up to {steps.params.hole_area} px: "
            f"{int(steps.full_segment.sum() - steps.segmented.sum())} px filled",
            steps.full_segment,
            "gray",
        ),
        ("refined CAM", steps.merged, "jet"),
    ]
    crop = steps.cropped if steps.cropped is not None else _as_2d_or_rgb(image)
    panels.append(("cropped", _as_2d_or_rgb(crop), "gray"))
    top, left, bottom, right = steps.crop_box
    if into is not None and len(into.axes) == len(panels) + 1:  # updated in place
        for ax, (title, panel, cmap) in zip(into.axes, panels, strict=False):
            _show_array(ax, panel, **({"vmin": 0, "vmax": 1} if cmap == "jet" else {}))
            ax.set_title(title, fontsize=7)
        into.axes[1].collections[0].set_offsets(steps.focal_points[:, ::-1])
        into.axes[0].patches[0].set_bounds(left - 0.5, top - 0.5, right - left, bottom - top)
        return into
    fig, axes = new_figure(2, 5, figsize=(9.6, 4))
    for ax, (title, panel, cmap) in zip(axes.ravel(), panels, strict=True):
        shown = ax.imshow(panel, cmap=cmap, **({"vmin": 0, "vmax": 1} if cmap == "jet" else {}))
        ax.set_title(title, fontsize=7)
        if cmap == "jet":
            maps_shown = shown
    axes.ravel()[1].scatter(steps.focal_points[:, 1], steps.focal_points[:, 0], s=2, c="white")
    axes.ravel()[0].add_patch(
        Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, color="yellow")
    )
    for ax in axes.ravel():
        _hide_axis(ax)
    # fixed margins and a colour bar in its own axes: no layout pass moves the panels
    fig.subplots_adjust(left=0.01, right=0.9, bottom=0.01, top=0.93, wspace=0.08, hspace=0.18)
    bar = fig.colorbar(maps_shown, cax=fig.add_axes((0.92, 0.05, 0.015, 0.85)))
    bar.set_label("map value (the maps are 0..1)", fontsize=7)
    bar.ax.tick_params(labelsize=6)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 08: feature visualisation and sanity checks
# ---------------------------------------------------------------------------------------------


def for_display(images: np.ndarray, percentile: float = 1.0) -> np.ndarray:
    """Each image of a batch stretched to [0, 1] between its own ``percentile`` and
    ``100 - percentile`` (a feature visualisation without regularisers leaves [0, 1] far
    behind)."""
    images = np.asarray(images, np.float32)
    axes = tuple(range(1, images.ndim))
    low = np.percentile(images, percentile, axis=axes, keepdims=True)
    high = np.percentile(images, 100 - percentile, axis=axes, keepdims=True)
    return np.clip((images - low) / np.maximum(high - low, 1e-8), 0, 1)


def _row_label(ax, label: str) -> None:
    """A row's name, left of its first (hidden-axis) image."""
    ax.text(-0.06, 0.5, label, transform=ax.transAxes, ha="right", va="center", fontsize=7)


def feature_rows(rows: dict, size: float = 1.3, titles: dict | None = None) -> Figure:
    """One row of images per entry of ``rows`` (label -> ``(n, H, W, C)`` images), each
    image stretched to its own range; ``titles``: label -> one title per image."""
    if not rows:
        raise ValueError("feature_rows needs at least one row")
    ncols = max(len(images) for images in rows.values())
    fig, axes = new_figure(
        len(rows), ncols, figsize=(size * ncols + 2.2, size * len(rows) + 0.2), squeeze=False
    )
    for r, (label, images) in enumerate(rows.items()):
        for c in range(ncols):
            ax = axes[r, c]
            _hide_axis(ax)
            if c < len(images):
                ax.imshow(_as_2d_or_rgb(for_display(images[c : c + 1])[0]), cmap="gray")
                if titles and label in titles:
                    ax.set_title(titles[label][c], fontsize=7)
        _row_label(axes[r, 0], label)
    fig.tight_layout()
    return fig


def feature_with_history(image: np.ndarray, title: str, history=None) -> Figure:
    """One feature visualisation, stretched to its own range, and with ``history`` (the
    unit's score at each ascent step) the curve of the score beside it."""
    panels = 1 if history is None else 2
    fig, axes = new_figure(1, panels, figsize=(3.2 * panels, 3.0), squeeze=False)
    ax = axes[0, 0]
    ax.imshow(_as_2d_or_rgb(for_display(np.asarray(image)[None])[0]), cmap="gray")
    ax.set_title(title, fontsize=8)
    ax.axis("off")
    if history is not None:
        axes[0, 1].plot(history)
        axes[0, 1].set_xlabel("step")
        axes[0, 1].set_ylabel("score of the unit")
        axes[0, 1].grid(alpha=0.3)
    fig.tight_layout()
    return fig


def similarity_curves(stages, intervals: dict, ylabel: str, title: str | None = None) -> Figure:
    """One line per method over the cascade's stages, with its 95 % interval shaded
    (``intervals``: method -> ``(stages, 3)`` mean, low, high)."""
    fig, ax = new_figure(figsize=(7.5, 3.6))
    x = np.arange(len(stages))
    for method, band in intervals.items():
        band = np.asarray(band)
        dashed = "--" if method == "edge detector" else "-"
        (line,) = ax.plot(x, band[:, 0], dashed, marker="o", ms=3, label=method)
        ax.fill_between(x, band[:, 1], band[:, 2], color=line.get_color(), alpha=0.2)
    ax.set_xticks(x, ["trained", *(f"+ {s}" for s in stages[1:])], rotation=30, ha="right")
    ax.set_xlabel("layers randomised, from the output down")
    ax.set_ylabel(ylabel)
    ax.axhline(0, color="grey", lw=0.5)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
    if title:
        ax.set_title(title, fontsize="medium")
    fig.tight_layout()
    return fig


def cascade_maps(image: np.ndarray, stages, maps: dict, size: float = 1.05) -> Figure:
    """The image, then one row per method of its maps at every stage of the cascade
    (``maps``: method -> ``(stages, H, W)``), each map on its own scale."""
    fig, axes = new_figure(
        len(maps),
        len(stages) + 1,
        figsize=(size * (len(stages) + 1) + 1, size * len(maps)),
        squeeze=False,
    )
    for r, (method, stack) in enumerate(maps.items()):
        _hide_axis(axes[r, 0])
        if r == 0:
            axes[r, 0].imshow(_as_2d_or_rgb(image), cmap="gray")
            axes[r, 0].set_title("image", fontsize=7)
        for c, stage in enumerate(stages):
            ax = axes[r, c + 1]
            _hide_axis(ax)
            ax.imshow(stack[c], cmap="magma")
            if r == 0:
                ax.set_title("trained" if c == 0 else f"+ {stage}", fontsize=7)
        _row_label(axes[r, 0], method)
    fig.tight_layout()
    return fig
