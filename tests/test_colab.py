"""Colab: every notebook has its badge and, as its first code cell, the cell that inside
Colab (only) installs the course and chooses the full profile. The cell's logic is run here
with Colab simulated (a ``google.colab`` module) and without it."""

from __future__ import annotations

import sys
import types

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from helpers.infra import config
from helpers.publish import colab

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))


class RecordingShell:
    """Stands in for IPython: records the shell commands and magics the cell runs."""

    def __init__(self):
        self.calls = []

    def system(self, command):
        self.calls.append(("!", command))

    def run_line_magic(self, name, line):
        self.calls.append((f"%{name}", line))


def no_profile_chosen(monkeypatch):
    """$COURSE_PROFILE unset, and unset again after the test even if the cell sets it."""
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.delenv("COURSE_PROFILE")


def run_first_cell(monkeypatch) -> RecordingShell:
    shell = RecordingShell()
    monkeypatch.setattr(sys, "path", list(sys.path))  # restored after the test
    code = TransformerManager().transform_cell(colab.FIRST_CELL)
    exec(compile(code, "first cell", "exec"), {"get_ipython": lambda: shell})
    return shell


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_notebook_has_its_badge_and_the_colab_cell_first(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    assert colab.badge(notebook.name) in cells[0].source
    first_code = next(cell for cell in cells if cell.cell_type == "code")
    assert first_code.source == colab.FIRST_CELL
    assert colab.badge(notebook.name) in (config.REPO_ROOT / "README.md").read_text()


def test_outside_colab_the_first_cell_does_nothing(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    no_profile_chosen(monkeypatch)
    before = list(sys.path)
    shell = run_first_cell(monkeypatch)
    assert shell.calls == [] and sys.path == before
    assert config.get_profile() == "quick"


def test_inside_colab_it_clones_installs_and_chooses_full(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    no_profile_chosen(monkeypatch)
    shell = run_first_cell(monkeypatch)
    clone, install = shell.calls
    assert clone == (
        "!",
        f"git clone --quiet --depth 1 --branch main https://github.com/{colab.REPOSITORY} "
        f"{colab.CLONE}",
    )
    assert install == ("%pip", f"install --quiet -e {colab.CLONE}")
    assert sys.path[0] == colab.CLONE and config.get_profile() == "full"


def test_a_profile_chosen_before_is_kept_in_colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    run_first_cell(monkeypatch)
    assert config.get_profile() == "quick"
