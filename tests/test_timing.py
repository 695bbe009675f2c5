"""Each notebook's time estimate is the stated rule applied to the notebook as it is now
(helpers.course.timing), so it stays honest as notebooks change."""

from __future__ import annotations

import nbformat
import pytest

from helpers.course import timing
from helpers.infra import config

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_stated_time_is_the_rule_s(path):
    stated, estimated = timing.stated_minutes(path), timing.workload(path).minutes
    assert stated == estimated, (
        f"{path.name} states {stated} minutes, the rule gives {estimated}: run "
        "`python scripts/update_time_estimates.py`"
    )


def test_the_rule_by_hand():
    # 600 words (3 min) + 25 s + 2 questions (10) + 1 coding exercise (6) + 1 widget (4):
    # 23.4 min -> 25
    assert timing.Workload(600, 2, 1, 1).minutes == 25
    assert timing.Workload(0, 0, 0, 0).minutes == 0  # 25 s rounds to 0 minutes
    assert timing.Workload(1000, 4, 4, 3).minutes == 60  # 5 + 0.4 + 20 + 24 + 12 = 61.4


def test_the_workload_counts_checks_but_not_solution_cells(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A title\n**Time**: 5 minutes. Ten words here, or so."),
        nbformat.v4.new_code_cell("answer = None\nexercises.check_num_classes(answer, names);"),
        nbformat.v4.new_code_cell("exercises.solution(exercises.check_num_classes, 10, names)"),
        nbformat.v4.new_code_cell("exercises.check_iou(iou);"),
        nbformat.v4.new_code_cell("widgets.refine_explorer(half, full, images)"),
    ]
    path = tmp_path / "99_test.ipynb"
    nbformat.write(notebook, path)
    assert timing.workload(path) == timing.Workload(
        words=10, questions=1, coding_exercises=1, widgets=1
    )
    assert timing.stated_minutes(path) == 5
