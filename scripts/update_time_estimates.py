"""Write each notebook's time estimate (``**Time**: N minutes`` in its first cell) from the
rule in :mod:`helpers.course.timing`; ``tests/test_timing.py`` fails until this has run after
a notebook's text, exercises or widgets change.

    python scripts/update_time_estimates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from helpers.course import timing
from helpers.infra import config, sources


def update(path: Path) -> bool:
    """Set the notebook's stated minutes to the rule's; True when it changed."""
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    minutes = timing.workload(path).minutes
    new = timing.STATED.sub(f"**Time**: {minutes} minutes", first.source, count=1)
    if new == first.source:
        return False
    first.source = new
    sources.write_atomically(path, nbformat.writes(notebook) + "\n")
    return True


def main() -> int:
    for path in sorted((config.REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if timing.stated_minutes(path) is None:
            print(f"{path.name}: its first cell states no '**Time**: N minutes'", file=sys.stderr)
            return 1
        if update(path):
            print(f"{path.name}: {timing.stated_minutes(path)} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
