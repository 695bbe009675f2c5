"""No result a cell computes for the learner is dropped: a figure, a table or a bare name is
displayed only when it is a cell's last statement, so one written anywhere else is lost
(and the text below it talks about nothing on the page)."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest

from helpers.infra import config

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
SHOWN = ("Figure", "DataFrame", "Styler")  # return annotations of what a cell would display


def _returns_something_shown(module: str, function: str) -> bool:
    """Whether ``helpers.<module>.<function>`` is annotated to return a figure or a table."""
    try:
        found = getattr(importlib.import_module(f"helpers.{module}"), function)
    except (ImportError, AttributeError):
        return False
    try:
        annotation = inspect.signature(found).return_annotation
    except (TypeError, ValueError):
        return False
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    returns = (inspect.getdoc(found) or "").partition("Returns\n-------")[2].split("\n\n")[0]
    return any(kind in f"{text} {returns}" for kind in SHOWN)


def dropped(source: str) -> list[str]:
    """The statements of a cell whose value would be shown if they came last, but do not."""
    code = "\n".join(  # a shell or magic line (the Colab cell) stands for nothing shown
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("!", "%"))
        else line
        for line in source.splitlines()
    )
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body else None
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Expr) or node is last:
            continue
        value = node.value
        shown = isinstance(value, ast.Name | ast.Subscript)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            owner = value.func.value
            if isinstance(owner, ast.Name):
                shown = owner.id == "plots" or _returns_something_shown(owner.id, value.func.attr)
        if shown:
            found.append(ast.get_source_segment(code, node).splitlines()[0][:80])
    return found


def test_the_rule_catches_a_figure_a_table_and_a_bare_name_above_the_last_line():
    cell = "plots.image_grid(x)\ntable\nstats.accuracy_table(c)\ny = 1\nprint(y)\nz"
    assert dropped(cell) == ["plots.image_grid(x)", "table", "stats.accuracy_table(c)"]
    inside = "if ok:\n    plots.image_grid(x)\n    display(t)"
    assert dropped(inside) == ["plots.image_grid(x)"]
    assert dropped("display(plots.image_grid(x))\nprint(1)") == []
    assert dropped("exercises.check_choice(a, b);") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_cell_drops_a_result(path: Path):
    cells = json.loads(path.read_text())["cells"]
    lost = {
        index: found
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code" and (found := dropped("".join(cell["source"])))
    }
    assert lost == {}, f"{path.name}: shown only as a cell's last line: {lost}"


def test_07s_photo_figure_is_caught_when_its_display_is_taken_away():
    cells = json.loads((config.REPO_ROOT / "notebooks" / "07_high_res_cams.ipynb").read_text())
    source = next(
        "".join(cell["source"])
        for cell in cells["cells"]
        if "display(plots.map_comparison(" in "".join(cell["source"])
    )
    assert dropped(source) == []
    lines = [
        line.replace("display(", "", 1)[:-1]
        if line.startswith("display(plots.map_comparison")
        else line
        for line in source.splitlines()
    ]
    assert dropped("\n".join(lines)) == [lines[2][:80]]
