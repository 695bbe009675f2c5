"""How long a notebook takes a learner, from a stated rule that a test recomputes, so that the
estimate on each notebook's first cell stays honest as the notebook changes:

    minutes = words / 200 + run time + 5 per question + 6 per coding exercise + 4 per widget

rounded to the nearest 5 minutes. Reading at 200 words a minute is the usual figure for
technical text; the run time is the course's limit of 25 s a notebook; the minutes per
question, coding exercise and widget were fitted to a learner's walkthrough of notebooks 02,
03 and 07 (45-55, 35-45 and 60-75 minutes), which the rule then gives within a minute.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import exercises
from helpers.infra import config

WORDS_PER_MINUTE = 200
RUN_SECONDS = 25
MINUTES_PER_QUESTION = 5
MINUTES_PER_CODING_EXERCISE = 6
MINUTES_PER_WIDGET = 4
RULE = (
    f"words / {WORDS_PER_MINUTE} a minute + the run time (at most {RUN_SECONDS} s) + "
    f"{MINUTES_PER_QUESTION} min a question + {MINUTES_PER_CODING_EXERCISE} min a coding "
    f"exercise + {MINUTES_PER_WIDGET} min a widget, to the nearest 5 minutes"
)
STATED = re.compile(r"\*\*Time\*\*: (\d+) minutes")
_CHECK = re.compile(r"^\s*exercises\.(check_\w+)\(", re.M)
# a widget factory a cell calls, by name: widgets.X_explorer( or a course module's
WIDGET_FACTORY = re.compile(r"\.(\w+_(?:explorer|browser))\(")


@dataclass(frozen=True)
class Workload:
    """What a learner does in one notebook."""

    words: int
    questions: int
    coding_exercises: int
    widgets: int

    @property
    def minutes(self) -> int:
        """The rule's estimate (:data:`RULE`)."""
        raw = (
            self.words / WORDS_PER_MINUTE
            + RUN_SECONDS / 60
            + self.questions * MINUTES_PER_QUESTION
            + self.coding_exercises * MINUTES_PER_CODING_EXERCISE
            + self.widgets * MINUTES_PER_WIDGET
        )
        return int(5 * round(raw / 5))


def _cells(path: Path) -> list[tuple[str, str]]:
    """Each cell's kind and source, read from the notebook's JSON (no Jupyter needed)."""
    cells = json.loads(Path(path).read_text())["cells"]
    return [(c["cell_type"], "".join(c["source"])) for c in cells]


def workload(path: Path) -> Workload:
    """Words of the notebook's text and its exercises and widgets (a solution cell, which
    re-runs a check on the answer, is not an exercise)."""
    cells = _cells(path)
    text = [source for kind, source in cells if kind == "markdown"]
    code = [source for kind, source in cells if kind == "code"]
    checks = [name for source in code for name in _CHECK.findall(source)]
    coding = sum(name in exercises.CODING for name in checks)
    return Workload(
        words=sum(len(re.findall(r"[\w'’-]+", source)) for source in text),
        questions=len(checks) - coding,
        coding_exercises=coding,
        widgets=sum(len(WIDGET_FACTORY.findall(source)) for source in code),
    )


def stated_minutes(path: Path) -> int | None:
    """The minutes the notebook's first cell states (``**Time**: N minutes``)."""
    found = STATED.search(_cells(path)[0][1])
    return None if found is None else int(found.group(1))


def time_table(folder: Path = config.REPO_ROOT / "notebooks"):
    """Every notebook's workload and estimated minutes (:data:`RULE`), and a total row: what
    the start page shows."""
    rows = {}
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        load = workload(path)
        rows[path.stem] = {
            "words": load.words,
            "questions": load.questions,
            "coding exercises": load.coding_exercises,
            "widgets": load.widgets,
            "minutes": load.minutes,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.loc["total"] = table.sum()
    return table
