"""Run the course headless: execute every notebook, write executed copies and an HTML site.

    python scripts/run_course.py [NOTEBOOK ...]   # a path, a name or a prefix: 03, 03_tsne

Notebooks run in parallel, one kernel per core (``COURSE_JOBS`` overrides the count). Prints
one line per notebook as it finishes (name, seconds, ok/failed, its slowest cell); exits 1
if any failed.
Output in build/: <name>.ipynb per notebook, runs.json (seconds and error of each) and the
course site built from them, build/site/ (helpers.publish.book; `make site` builds it again).
"""

from __future__ import annotations

import os
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
from traitlets import Type

from helpers.infra import config, sources
from helpers.publish import book

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


def run_and_write(path: Path) -> dict:
    """Execute one notebook and write its executed copy to build/; return its name, seconds,
    slowest cell and error."""
    notebook, seconds, error = execute(path)
    sources.write_atomically(BUILD / path.name, nbformat.writes(notebook) + "\n")
    return {
        "name": path.stem,
        "seconds": seconds,
        "slowest": slowest_cell(notebook),
        "error": error,
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
    start = time.perf_counter()
    finished = {}
    with ProcessPoolExecutor(max_workers=min(jobs(), len(paths))) as pool:
        for future in as_completed(
            [pool.submit(run_and_write, path) for path in paths]
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
    failed = sum(row["error"] is not None for row in rows)
    print(f"{len(rows) - failed} ok, {failed} failed")
    book.record_runs(BUILD, rows)
    book.main([str(BUILD)])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
