"""Every interactive control of the course.

The pattern: a *numeric* function computes a result from the control values, a *plot*
function draws it; :func:`linked` wires them with ``ipywidgets.interactive``. The callback runs
synchronously when a control's value changes, and the result is kept in ``widget.result``, so
tests set a control's value and check the result changed, with no browser and no stubs.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import plots
from helpers.data import Dataset


def linked(compute: Callable, draw: Callable, **controls) -> widgets.interactive:
    """``controls`` -> ``compute(**values)`` -> ``draw(result)`` shown below the controls.

    ``draw`` returns a matplotlib Figure (shown, then closed) or any displayable object.
    """

    def update(**values):
        result = compute(**values)
        shown = draw(result)
        display(shown)
        if isinstance(shown, plt.Figure):
            plt.close(shown)
        return result

    return widgets.interactive(update, **controls)


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
    smallest_class = int(np.bincount(labels).min())

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
