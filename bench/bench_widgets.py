"""Widget latency as a learner feels it: JupyterLab in headless Chromium runs each notebook
(quick profile), then every control of every widget is moved through the page three times
(forward to a setting not seen yet, back, forward again). Per control: the median and the
maximum seconds from the change to the last visible update of the widget's output, the
first visit's seconds (a setting never shown before: computed and drawn), whether a first
visit over 1 s showed a progress bar, and the first visit's seconds in the Python callback
(from the kernel's ``COURSE_WIDGET_LOG``). A control whose output did not change is reported.

    python bench/bench_widgets.py [NOTEBOOK-PREFIX ...]     # or: make bench

Targets (issue 30): median <= 0.3 s for every control; no change over 1 s once a setting
has been seen; a first visit over 1 s shows progress.
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
NAN = float("nan")


def _median(values) -> float:
    values = [v for v in values if v == v]  # drop nan (no update)
    return statistics.median(values) if values else float("nan")


def bench_notebook(chromium, lab, notebook: Path, log: Path) -> list[dict]:
    """One row per control: notebook, widget, control, seconds of each change (the first a
    first visit), the first visit's callback seconds, how many changed, progress shown,
    problems."""
    rows = []
    with browser.notebook_page(chromium, lab, notebook.name) as page:
        errors = browser.run_all(page)
        if errors:
            return [{"nb": notebook.stem[:2], "widget": "-", "control": "-", "seconds": [],
                     "callback": NAN, "changed": "0/0", "progress": False,
                     "problems": "; ".join(errors)}]  # fmt: skip
        for number, widget in enumerate(browser.widgets(page)):
            by_control: dict[str, list] = {}
            for change in browser.move_every_control(page, widget, REPEATS, log):
                by_control.setdefault(change.control, []).append(change)
            for control, changes in by_control.items():
                names = {c.callback["widget"] for c in changes if c.callback}
                rows.append({
                    "nb": notebook.stem[:2],
                    "widget": f"{number} {'/'.join(sorted(names)) or '?'}",
                    "control": control,
                    "seconds": [c.seconds for c in changes],
                    "callback": changes[0].callback["seconds"] if changes[0].callback else NAN,
                    "changed": f"{sum(c.changed for c in changes)}/{len(changes)}",
                    "progress": changes[0].progress,
                    "problems": "; ".join(sorted({c.problem() for c in changes if c.problem()})),
                })  # fmt: skip
    return rows


def _flags(row: dict) -> str:
    """What misses a target, in words."""
    seconds = [s for s in row["seconds"] if s == s]
    flags = []
    if seconds and _median(seconds) > TARGET_S:
        flags.append(f"median over {TARGET_S} s")
    if any(s > LIMIT_S for s in seconds[1:]):
        flags.append(f"a seen setting over {LIMIT_S} s")
    if seconds and seconds[0] > LIMIT_S and not row["progress"]:
        flags.append(f"first visit over {LIMIT_S} s without progress")
    return ", ".join(flags)


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
    print(
        f"{'nb':<3} {'widget':<24} {'control':<26} {'median s':>8} {'max s':>6} {'first s':>7} "
        f"{'1st callback s':>14} changed  misses"
    )
    for row in rows:
        seconds = [s for s in row["seconds"] if s == s]
        first = row["seconds"][0] if row["seconds"] else NAN
        progress = " (progress shown)" if row["progress"] else ""
        print(
            f"{row['nb']:<3} {row['widget'][:24]:<24} {row['control'][:26]:<26} "
            f"{_median(seconds):>8.2f} {max(seconds, default=NAN):>6.2f} {first:>7.2f} "
            f"{row['callback']:>14.2f} {row['changed']:<8} {_flags(row)}{progress}"
            f"{'  ' + row['problems'] if row['problems'] else ''}"
        )
    medians = [_median(row["seconds"]) for row in rows if row["seconds"]]
    print(
        f"\n{len(rows)} controls; median of medians {statistics.median(medians):.2f} s; "
        f"{sum(m <= TARGET_S for m in medians)} with a median at or under {TARGET_S} s; "
        f"{sum(bool(_flags(row)) for row in rows)} missing a target; "
        f"{sum(bool(row['problems']) for row in rows)} with a problem"
    )


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("bench_")])  # run_all passes its own
