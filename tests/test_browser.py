"""The course as a learner sees it: JupyterLab in headless Chromium (``bench/labdriver.py``).

For each notebook: run all cells, no error output, every declared widget rendered, and every
control of every widget moved through the page; each move must change the widget's output,
show no error there, and redraw the figure (not only the text). Screenshots of the page and
of each widget go to build/screenshots/, also when a check fails. A notebook of broken
widgets proves the checks catch each way a widget can fail.

Skipped with a message when Chromium is missing: `sudo apt-get install chromium`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from bench import labdriver as browser
from helpers import config

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = config.REPO_ROOT / "build" / "screenshots"
WIDGET_FACTORY = re.compile(r"widgets\.(\w+_(?:explorer|browser))\(")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not browser.CHROMIUM.exists(),
        reason=f"no Chromium at {browser.CHROMIUM}: install it "
        "with `sudo apt-get install chromium` (or set COURSE_CHROMIUM) to run the "
        "browser tests",
    ),
]

BROKEN_WIDGETS = [  # one cell each; every slider starts at 3
    """import matplotlib.pyplot as plt
from helpers import widgets

def figure(n):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot(range(n + 1))
    return fig

def stale(n):  # prints the new value, redraws the old figure
    print(f"n = {n}")
    return figure(3)""",
    "widgets.linked(lambda n: n, figure, n=(1, 5))  # works",
    "widgets.linked(lambda n: 3, figure, n=(1, 5))  # ignores its control",
    "widgets.linked(lambda n: n if n == 3 else [][n], figure, n=(1, 5))  # raises on change",
    "widgets.linked(lambda n: n, stale, n=(1, 5))  # stops drawing",
]


def declared_widgets(path: Path) -> list[str]:
    """The interactive widget factories a notebook's cells call, in order."""
    cells = json.loads(path.read_text())["cells"]
    return [
        name
        for cell in cells
        if cell["cell_type"] == "code"
        for name in WIDGET_FACTORY.findall("".join(cell["source"]))
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    notebooks = config.REPO_ROOT / "notebooks"
    root = tmp_path_factory.mktemp("lab")
    with browser.jupyterlab(notebooks, root, {"COURSE_PROFILE": "quick"}) as running:
        yield running


@pytest.fixture(scope="module")
def chromium():
    with browser.chromium() as launched:
        yield launched


def widget_problems(page, names: list[str]) -> tuple[list[str], int]:
    """Move every control of every widget; the problems found (notebook's widget named) and
    how many moves were made."""
    problems, moves = [], 0
    for name, widget in zip(names, browser.widgets(page), strict=True):
        for change in browser.move_every_control(page, widget):
            moves += 1
            if change.problem():
                problems.append(f"{name}: {change.problem()}")
    return problems, moves


@pytest.mark.timeout(600)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(lab, chromium, notebook):
    with browser.notebook_page(chromium, lab, notebook.name) as page:
        try:
            assert browser.run_all(page) == []
            names = declared_widgets(notebook)
            assert len(browser.widgets(page)) == len(names)
            problems, moves = widget_problems(page, names)
            assert problems == [], f"{notebook.stem}: " + "; ".join(problems)
            assert moves >= sum(len(browser.controls(w)) for w in browser.widgets(page))
        finally:
            browser.screenshots(page, SCREENSHOTS, notebook.stem)


@pytest.mark.timeout(300)
def test_checks_catch_each_broken_widget(lab, chromium):
    path = lab.root / "notebooks" / "broken_widgets.ipynb"
    cells = [nbformat.v4.new_code_cell(source) for source in BROKEN_WIDGETS]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    with browser.notebook_page(chromium, lab, path.name) as page:
        assert browser.run_all(page) == []
        found = [
            [change.problem() for change in browser.move_every_control(page, widget)]
            for widget in browser.widgets(page)
        ]
    assert found[0] == [None]
    assert found[1] == ["'n': the output did not change"]
    assert len(found[2]) == 1 and "the output shows an error: IndexError" in found[2][0]
    assert found[3] == ["'n': only the text changed, the figure stayed stale"]


def test_declared_widgets_names_factories(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": ["widgets.tsne_explorer(a)\n", "x = 1"]},
                    {"cell_type": "markdown", "source": ["widgets.fake_explorer("]},
                    {"cell_type": "code", "source": ["w = widgets.dataset_browser(d)"]},
                ]
            }
        )
    )
    assert declared_widgets(path) == ["tsne_explorer", "dataset_browser"]
