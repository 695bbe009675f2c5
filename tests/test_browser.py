"""The course as a learner sees it: JupyterLab in headless Chromium (``bench/labdriver.py``).

For each notebook: run all cells, no error output, each ``# NBVAL_CHECK_OUTPUT`` cell prints
what the notebook stored (as nbval checks it, with ``tests/nbval_sanitize.cfg``; the root
``conftest.py`` then skips nbval's second run of the notebooks), every declared widget
rendered, and every control of every widget moved through the page; each move must change
the widget's output, show no error there, and redraw the figure (not only the text).
Screenshots of the page and of each widget go to build/screenshots/, also when a check
fails. A notebook of broken widgets proves the checks catch each way a widget can fail.

Skipped with a message when Chromium is missing: `sudo apt-get install chromium`.
"""

from __future__ import annotations

import configparser
import json
import re
import time
from pathlib import Path

import nbformat
import pytest

from bench import labdriver as browser
from helpers.course.timing import WIDGET_FACTORY
from helpers.infra import config

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = config.REPO_ROOT / "build" / "screenshots"
CHECKED = "# NBVAL_CHECK_OUTPUT"


CALLBACK_LOG = "callbacks.jsonl"  # each finished callback notes itself: a move waits for it

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
    """from helpers import plots, widgets

def figure(n):
    fig, ax = plots.new_figure(figsize=(2, 1.5))
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


def sanitized(text: str) -> str:
    """``text`` with nbval's replacements from tests/nbval_sanitize.cfg applied."""
    rules = configparser.ConfigParser(interpolation=None)
    rules.read(config.REPO_ROOT / "tests" / "nbval_sanitize.cfg")
    for section in rules.sections():
        text = re.sub(rules[section]["regex"], rules[section]["replace"], text, flags=re.M)
    return text


def printed(outputs: list[dict]) -> str:
    """What a cell's outputs show as text: streams and plain-text results, in order."""
    parts = []
    for output in outputs:
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        parts.append("".join(text) if isinstance(text, list) else text)
    return sanitized("".join(parts))


def checked_outputs_differing(notebook: Path, cells: list[dict]) -> list[str]:
    """The ``# NBVAL_CHECK_OUTPUT`` cells whose output (``cells``: as run) differs from the
    one stored in ``notebook``; each named by its first lines."""
    stored = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    return [
        "".join(kept["source"])[:80]
        for kept, run in zip(stored, cells, strict=True)
        if "".join(kept["source"]).startswith(CHECKED)
        and printed(kept["outputs"]) != printed(run["outputs"])
    ]


def figures_shown_as_text(cells: list[dict]) -> list[str]:
    """The cells (first line of each) that show a figure as its text ``<Figure size ...>``
    instead of an image: what a learner sees when the kernel has no image format for it."""
    return [
        "".join(cell["source"]).splitlines()[0][:80]
        for cell in cells
        if any(
            "".join(output.get("data", {}).get("text/plain", "")).startswith("<Figure size")
            and "image/png" not in output["data"]
            for output in cell["outputs"]
        )
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    notebooks = config.REPO_ROOT / "notebooks"
    root = tmp_path_factory.mktemp("lab")
    env = {"COURSE_PROFILE": "quick", "COURSE_WIDGET_LOG": str(root / CALLBACK_LOG)}
    with browser.jupyterlab(notebooks, root, env) as running:
        yield running


@pytest.fixture(scope="module")
def chromium():
    with browser.chromium() as launched:
        yield launched


def widget_problems(page, names: list[str], log: Path) -> tuple[list[str], int]:
    """Move every control of every widget; the problems found (notebook's widget named) and
    how many moves were made."""
    problems, moves = [], 0
    for name, widget in zip(names, browser.widgets(page), strict=True):
        for change in browser.move_every_control(page, widget, log=log, steps=3):
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
            cells = browser.code_cells(page)
            assert checked_outputs_differing(notebook, cells) == []
            assert figures_shown_as_text(cells) == []
            names = declared_widgets(notebook)
            assert len(browser.widgets(page)) == len(names)
            problems, moves = widget_problems(page, names, lab.root / CALLBACK_LOG)
            assert moves >= sum(len(browser.controls(w)) for w in browser.widgets(page))
            assert problems == [], f"{notebook.stem}: " + "; ".join(problems)
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
            [
                change.problem()
                for change in browser.move_every_control(
                    page, widget, log=lab.root / CALLBACK_LOG, steps=3
                )
            ]
            for widget in browser.widgets(page)
        ]
    assert found[0] == [None]
    assert found[1] == ["'n': the output did not change"]
    assert len(found[2]) == 1 and "the output shows an error: IndexError" in found[2][0]
    assert found[3] == ["'n': only the text changed, the figure stayed stale"]


@pytest.mark.timeout(120)
def test_a_failing_cell_is_reported_as_soon_as_the_kernel_reports_it(lab, chromium):
    path = lab.root / "notebooks" / "failing_cell.ipynb"
    sources = ["x = 1", "raise ValueError('stopped here')", "x"]  # the last one never runs
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path
    )
    with browser.notebook_page(chromium, lab, path.name) as page:
        started = time.monotonic()
        errors = browser.run_all(page, timeout_s=60)
        seconds = time.monotonic() - started
    assert errors == ["cell 1: ValueError: stopped here"]
    assert seconds < 30, f"run_all waited {seconds:.0f} s after the error"


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


def test_checked_outputs_are_compared_as_nbval_does(tmp_path):
    notebook = tmp_path / "n.ipynb"
    stored = [
        {"cell_type": "code", "source": [CHECKED + "\n", "print(1)"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["took 1.5 s\n"]}]},
        {"cell_type": "markdown", "source": ["text"]},
        {"cell_type": "code", "source": ["print(2)"], "outputs": []},
    ]  # fmt: skip
    notebook.write_text(json.dumps({"cells": stored}))
    run = [
        {"outputs": [{"output_type": "stream", "name": "stdout", "text": "took 2 s\n"}]},
        {"outputs": [{"output_type": "stream", "name": "stdout", "text": "anything\n"}]},
    ]
    assert checked_outputs_differing(notebook, run) == []  # timings sanitised, cell 2 unchecked
    run[0]["outputs"][0]["text"] = "took 2 s\nmore\n"
    assert checked_outputs_differing(notebook, run) == [CHECKED + "\nprint(1)"]


def test_a_figure_shown_as_text_is_found():
    image = {"text/plain": "<Figure size 864x360 with 11 Axes>", "image/png": "iVBOR"}
    cells = [
        {"source": ["plots.a()"], "outputs": [{"output_type": "execute_result", "data": image}]},
        {"source": "x = 1\nplots.b()", "outputs": [{"data": {"text/plain": image["text/plain"]}}]},
        {"source": "print(1)", "outputs": [{"output_type": "stream", "text": "1\n"}]},
    ]
    assert figures_shown_as_text(cells) == ["x = 1"]
