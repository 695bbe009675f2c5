"""Run the course headless: execute every notebook, write executed copies and an HTML site.

    python scripts/run_course.py [NOTEBOOK ...]   # a path, a name or a prefix: 03, 03_tsne

Notebooks run in parallel, one kernel per core (``COURSE_JOBS`` overrides the count). Prints
one line per notebook as it finishes (name, seconds, ok/failed, its slowest cell); exits 1
if any failed.
Output in build/: <name>.ipynb and <name>.html per notebook, and index.html linking them.
"""

from __future__ import annotations

import base64
import html
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets import Type

from helpers.infra import config, sources
from helpers.publish import site

BUILD = config.REPO_ROOT / "build"
CELL_TIMEOUT_S = 240  # quick profile; full trains models on first use (minutes on a GPU,
# most of an hour on a CPU), so there a cell runs as long as it needs


class PromptShellChannel(AsyncZMQSocketChannel):
    """Waits for a reply in polls of at most a second. One long poll of the asyncio socket
    can miss a reply that arrives while widget messages are handled and wake only at its
    timeout (jupyter/nbclient#312): a widget cell then took the whole 240 s cell timeout."""

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await super().get_msg(timeout=min(1.0, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class PromptKernelClient(AsyncKernelClient):
    shell_channel_class = Type(PromptShellChannel)


def execute(path: Path) -> tuple[nbformat.NotebookNode, float, str | None]:
    """Execute one notebook in its folder; return it, the seconds taken and any error."""
    notebook = nbformat.read(path, as_version=4)
    kernel = AsyncKernelManager(kernel_name="python3")
    kernel.client_factory = PromptKernelClient
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=CELL_TIMEOUT_S if config.get_profile() == "quick" else None,
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


def slowest_cell(notebook: nbformat.NotebookNode) -> tuple[int, float] | None:
    """(index, seconds) of the cell that ran longest, from the timing nbclient records."""
    from datetime import datetime

    timed = []
    for index, cell in enumerate(notebook.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            began, ended = (
                datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
                for key in ("iopub.execute_input", "shell.execute_reply")
            )
            timed.append((index, (ended - began).total_seconds()))
    return max(timed, key=lambda pair: pair[1], default=None)


def summary(notebook: nbformat.NotebookNode) -> dict:
    """Title, learning objectives and time estimate from a notebook's first cell."""
    text = notebook.cells[0].source if notebook.cells else ""
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    objectives = []
    if "**Learning objectives**" in text:
        for line in text.split("**Learning objectives**", 1)[1].strip().splitlines():
            if not line.startswith("* "):
                break
            objectives.append(line[2:].strip())
    time_estimate = re.search(r"\*\*Time\*\*:\s*([^.]+)", text)
    return {
        "title": title,
        "objectives": objectives,
        "time": time_estimate.group(1).strip() if time_estimate else "",
    }


def first_figure(notebook: nbformat.NotebookNode) -> bytes | None:
    """The PNG bytes of the first figure a notebook's outputs show, if any."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                return base64.b64decode(png)
    return None


def write_site(rows: list[dict]) -> Path:
    """build/index.html: per notebook its title, objectives, time estimate, run time and a
    thumbnail of its first figure (``rows``: what :func:`run_and_write` returned)."""
    items = []
    for row in rows:
        name = html.escape(row["name"])
        thumbnail = (
            f'<img src="thumbnails/{name}.png" alt="first figure of {name}" width="240">'
            if row["thumbnail"]
            else ""
        )
        objectives = "".join(f"<li>{html.escape(o)}</li>" for o in row["objectives"])
        status = "FAILED" if row["error"] else f"ran in {row['seconds']:.0f} s"
        items.append(
            f'<li><h2><a href="{name}.html">{html.escape(row["title"] or row["name"])}</a></h2>'
            f"{thumbnail}<p>{html.escape(row['time'])} to work through; {status}.</p>"
            f"<ul>{objectives}</ul></li>"
        )
    index = BUILD / "index.html"
    sources.write_atomically(
        index,
        "<!doctype html><html><head><meta charset='utf-8'><title>CNN course</title></head>"
        "<body><h1>What CNNs learn and how to reuse them</h1>"
        f"<p>Executed notebooks (profile {config.get_profile()}).</p><ol>{''.join(items)}</ol>"
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


def run_and_write(path: Path, page_settings: dict) -> dict:
    """Execute one notebook and write its executed copy, HTML page (nbconvert's
    ``HTMLExporter`` with ``page_settings``) and first figure to build/; return what the
    index shows of it."""
    notebook, seconds, error = execute(path)
    sources.write_atomically(BUILD / path.name, nbformat.writes(notebook) + "\n")
    sources.write_atomically(
        BUILD / f"{path.stem}.html", HTMLExporter(**page_settings).from_notebook_node(notebook)[0]
    )
    figure = first_figure(notebook)
    if figure is not None:
        (BUILD / "thumbnails").mkdir(exist_ok=True)
        sources.write_atomically(BUILD / "thumbnails" / f"{path.stem}.png", figure)
    return {
        "name": path.stem,
        "seconds": seconds,
        "slowest": slowest_cell(notebook),
        "error": error,
        "thumbnail": figure is not None,
        **summary(notebook),
    }


def jobs() -> int:
    """How many notebooks run at once: $COURSE_JOBS, else one per core."""
    value = os.environ.get("COURSE_JOBS", "")
    if value and (not value.isdigit() or int(value) < 1):
        raise SystemExit(f"COURSE_JOBS must be a whole number of at least 1, got {value!r}")
    return int(value) if value else os.cpu_count() or 1


def main(argv: list[str]) -> int:
    paths = select(argv)
    config.share_cores(min(jobs(), len(paths)))
    BUILD.mkdir(exist_ok=True)
    page_settings = site.page_urls(BUILD)
    if not page_settings:
        print(
            "widget scripts not fetched (run `python -m helpers fetch site-assets` once online): "
            "the pages draw their widgets only when a CDN can be reached"
        )
    start = time.perf_counter()
    finished = {}
    with ProcessPoolExecutor(max_workers=min(jobs(), len(paths))) as pool:
        for future in as_completed(
            [pool.submit(run_and_write, path, page_settings) for path in paths]
        ):
            row = future.result()
            finished[row["name"]] = row
            status = "ok" if row["error"] is None else f"FAILED ({row['error']})"
            slowest = (
                ""
                if row["slowest"] is None
                else "  slowest: cell {} {:.1f} s".format(*row["slowest"])
            )
            print(f"{row['name']:<28} {row['seconds']:6.1f} s  {status}{slowest}", flush=True)
    rows = [finished[path.stem] for path in paths]
    print(
        f"all notebooks: {time.perf_counter() - start:.1f} s on {min(jobs(), len(paths))} workers"
    )
    index = write_site(rows)
    failed = sum(row["error"] is not None for row in rows)
    print(f"{len(rows) - failed} ok, {failed} failed; site: {index}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
