"""Run the course headless: execute every notebook, write executed copies and an HTML site.

    python scripts/run_course.py [NOTEBOOK ...]   # a path, a name or a prefix: 03, 03_tsne

Notebooks run in parallel, one kernel per core (``COURSE_JOBS`` overrides the count). Prints
one line per notebook as it finishes (name, seconds, ok/failed); exits 1 if any failed.
Output in build/: <name>.ipynb and <name>.html per notebook, and index.html linking them.
"""

from __future__ import annotations

import html
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from helpers import config, site

BUILD = config.REPO_ROOT / "build"
CELL_TIMEOUT_S = 240


def execute(path: Path) -> tuple[nbformat.NotebookNode, float, str | None]:
    """Execute one notebook in its folder; return it, the seconds taken and any error."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:  # report and carry on with the next notebook
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc) else ''}"
    return notebook, time.perf_counter() - start, error


def write_site(rows: list[tuple[str, float, str | None]]) -> Path:
    items = "\n".join(
        f'<li><a href="{html.escape(name)}.html">{html.escape(name)}</a> '
        f"({seconds:.0f} s{', FAILED' if error else ''})</li>"
        for name, seconds, error in rows
    )
    index = BUILD / "index.html"
    config.write_atomically(
        index,
        "<!doctype html><html><head><meta charset='utf-8'><title>CNN course</title></head>"
        "<body><h1>What CNNs learn and how to reuse them</h1>"
        f"<p>Executed notebooks (profile {config.get_profile()}).</p><ol>{items}</ol>"
        "</body></html>\n",
    )
    return index


def select(arguments: list[str]) -> list[Path]:
    """The notebooks named by paths or name prefixes; all of them when none is named."""
    available = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
    if not arguments:
        return available
    chosen = []
    for argument in arguments:
        if Path(argument).is_file():
            chosen.append(Path(argument))
            continue
        matches = [path for path in available if path.stem.startswith(argument)]
        if len(matches) != 1:
            names = ", ".join(path.stem for path in available)
            problem = "matches no notebook" if not matches else "matches several notebooks"
            raise SystemExit(f"{argument!r} {problem}; give a path or one of: {names}")
        chosen += matches
    return chosen


def run_and_write(path: Path, page_settings: dict) -> tuple[str, float, str | None]:
    """Execute one notebook and write its executed copy and HTML page (nbconvert's
    ``HTMLExporter`` with ``page_settings``) to build/."""
    notebook, seconds, error = execute(path)
    config.write_atomically(BUILD / path.name, nbformat.writes(notebook) + "\n")
    config.write_atomically(
        BUILD / f"{path.stem}.html", HTMLExporter(**page_settings).from_notebook_node(notebook)[0]
    )
    return path.stem, seconds, error


def jobs() -> int:
    """How many notebooks run at once: $COURSE_JOBS, else one per core."""
    value = os.environ.get("COURSE_JOBS", "")
    if value and (not value.isdigit() or int(value) < 1):
        raise SystemExit(f"COURSE_JOBS must be a whole number of at least 1, got {value!r}")
    return int(value) if value else os.cpu_count() or 1


def main(argv: list[str]) -> int:
    paths = select(argv)
    BUILD.mkdir(exist_ok=True)
    page_settings = site.page_urls(BUILD)
    if not page_settings:
        print(
            "widget scripts not fetched (run `python -m helpers.site` once online): the pages "
            "draw their widgets only when a CDN can be reached"
        )
    start = time.perf_counter()
    finished = {}
    with ProcessPoolExecutor(max_workers=min(jobs(), len(paths))) as pool:
        for future in as_completed(
            [pool.submit(run_and_write, path, page_settings) for path in paths]
        ):
            name, seconds, error = future.result()
            finished[name] = (name, seconds, error)
            status = "ok" if error is None else f"FAILED ({error})"
            print(f"{name:<28} {seconds:6.1f} s  {status}", flush=True)
    rows = [finished[path.stem] for path in paths]
    print(
        f"all notebooks: {time.perf_counter() - start:.1f} s on {min(jobs(), len(paths))} workers"
    )
    index = write_site(rows)
    failed = sum(error is not None for _, _, error in rows)
    print(f"{len(rows) - failed} ok, {failed} failed; site: {index}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
