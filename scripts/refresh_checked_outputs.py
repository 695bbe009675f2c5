"""Execute notebooks and store only the outputs of cells marked `# NBVAL_CHECK_OUTPUT`.

    python scripts/refresh_checked_outputs.py notebooks/05_coarse_extraction.ipynb [...]

Every other output is stripped (and execution counts cleared), as the course keeps them.
Run it after retraining a shipped model whose numbers a checked cell prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from run_course import execute  # scripts/ is on the path when a script runs

from helpers.infra import sources

MARK = "NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> int:
    # as `make course` runs it (a plain nbclient run waits out its cell timeout on a widget
    # cell, jupyter/nbclient#312)
    notebook, _, error = execute(path)
    if error:
        raise SystemExit(f"{path.name} failed, nothing written: {error}")
    notebook.metadata.pop("widgets", None)  # widget state holds rendered outputs too
    kept = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)  # timestamps: a diff at every refresh
        if MARK in cell.source:  # nbval compares only cells that carry an execution count
            kept += 1
        else:
            cell.outputs = []
            cell.execution_count = None
    sources.write_atomically(path, nbformat.writes(notebook) + "\n")
    return kept


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: kept the outputs of {refresh(Path(name))} checked cell(s)")
