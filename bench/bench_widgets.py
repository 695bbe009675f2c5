"""Widget latency as a learner feels it: JupyterLab in headless Chromium runs each notebook
(quick profile), then every control of every widget is moved through the page three times
(back and forth). Per control: the median seconds from the change to the last visible update
of the widget's output, and the median seconds its Python callback took (from the kernel's
``COURSE_WIDGET_LOG``). A control whose output did not change is reported as such.

    python bench/bench_widgets.py [NOTEBOOK-PREFIX ...]     # or: make bench

Target (issue 14): median <= 0.3 s for every control, none above 1 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import labdriver as browser  # bench/ is on the path when a bench runs

from helpers.infra import config

REPEATS = 3
TARGET_S, LIMIT_S = 0.3, 1.0


def _median(values) -> float:
    values = [v for v in values if v == v]  # drop nan (no update)
    return statistics.median(values) if values else float("nan")


def bench_notebook(chromium, lab, notebook: Path, log: Path) -> list[tuple]:
    """Rows (notebook, widget, control, median latency, median callback, changed, problems)."""
    rows = []
    with browser.notebook_page(chromium, lab, notebook.name) as page:
        errors = browser.run_all(page)
        if errors:
            return [(notebook.stem, "-", "-", float("nan"), float("nan"), 0, "; ".join(errors))]
        for number, widget in enumerate(browser.widgets(page)):
            by_control: dict[str, list] = {}
            for change in browser.move_every_control(page, widget, REPEATS, log):
                by_control.setdefault(change.control, []).append(change)
            for control, changes in by_control.items():
                names = {c.callback["widget"] for c in changes if c.callback}
                problems = {c.problem() for c in changes if c.problem()}
                rows.append((
                    notebook.stem[:2],
                    f"{number} {'/'.join(sorted(names)) or '?'}",
                    control,
                    _median(c.seconds for c in changes),
                    _median(c.callback["seconds"] if c.callback else float("nan") for c in changes),
                    f"{sum(c.changed for c in changes)}/{len(changes)}",
                    "; ".join(sorted(problems)),
                ))  # fmt: skip
    return rows


def main(prefixes: list[str]) -> None:
    notebooks = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
    if prefixes:
        notebooks = [n for n in notebooks if any(n.stem.startswith(p) for p in prefixes)]
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "callbacks.jsonl"
        env = {"COURSE_PROFILE": "quick", "COURSE_WIDGET_LOG": str(log)}
        with browser.jupyterlab(config.REPO_ROOT / "notebooks", Path(folder), env) as lab:
            with browser.chromium() as chromium:
                rows = []
                for notebook in notebooks:
                    start = time.perf_counter()
                    rows += bench_notebook(chromium, lab, notebook, log)
                    seconds = time.perf_counter() - start
                    print(f"{notebook.stem}: run and measured in {seconds:.0f} s", flush=True)
    print(f"{'nb':<3} {'widget':<26} {'control':<28} {'median s':>8} {'callback s':>10} changed")
    for nb, widget, control, latency, callback, changed, problems in rows:
        flag = " over 1 s" if latency > LIMIT_S else " over 0.3 s" if latency > TARGET_S else ""
        print(
            f"{nb:<3} {widget[:26]:<26} {control[:28]:<28} {latency:>8.2f} {callback:>10.2f} "
            f"{changed}{flag}{'  ' + problems if problems else ''}"
        )
    latencies = [r[3] for r in rows if r[3] == r[3]]
    print(
        f"\n{len(rows)} controls; median of medians {statistics.median(latencies):.2f} s; "
        f"{sum(x <= TARGET_S for x in latencies)} at or under {TARGET_S} s, "
        f"{sum(x > LIMIT_S for x in latencies)} over {LIMIT_S} s; "
        f"{sum(bool(r[6]) for r in rows)} with a problem"
    )


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("bench_")])  # run_all passes its own
