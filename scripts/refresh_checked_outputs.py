"""Execute notebooks and store only the outputs of cells marked `# NBVAL_CHECK_OUTPUT`.

    python scripts/refresh_checked_outputs.py notebooks/05_coarse_extraction.ipynb [...]

Every other output is stripped (and execution counts cleared), as the course keeps them.
Run it after retraining a shipped model whose numbers a checked cell prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.infra import sources

MARK = "NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    notebook.metadata.pop("widgets", None)  # widget state holds rendered outputs too
    kept = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
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
