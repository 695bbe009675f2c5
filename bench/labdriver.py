"""The course as a learner sees it: JupyterLab in headless Chromium, driven by Playwright.

Start a server on a copy of the notebooks, open one, run every cell, then move each control
of each widget through the page (another dropdown entry, an arrow key on a slider's handle)
and time how long its output takes to show the update. Used by the browser tests and by the
widget latency bench (``bench/bench_widgets.py``).

Needs the ``dev`` extra (Playwright) and Debian's Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
LAB_SETTINGS = {
    # every cell in the page (no virtual scrolling), no news pop-up over the notebook
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
}
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CONTROLS = ".widget-dropdown select, .widget-slider .noUi-handle"
KERNEL_DIALOG = ".jp-Dialog .jp-mod-accept"  # "Select Kernel": its proposed kernel
KERNEL_IDLE = """() => {
    const session = window.jupyterapp.shell.currentWidget.sessionContext.session;
    return Boolean(session && session.kernel && session.kernel.status === 'idle');
}"""
# Run All is over: every code cell ran, or one shows an error (Run All stops there: the cells
# below it never run, so waiting for them would only wait for the time-out), and the kernel
# is idle
RUN_ALL_DONE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.cells;
    let pending = false;
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        if (cell.outputs.toJSON().some(o => o.output_type === 'error')) {
            pending = false;
            break;
        }
        if (!cell.executionCount) pending = true;
    }
    return !pending && panel.sessionContext.session.kernel.status === 'idle';
}"""
CODE_CELLS = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    const code = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type === 'code')
            code.push({source: cell.sharedModel.getSource(), outputs: cell.outputs.toJSON()});
    }
    return code;
}"""
ERROR_OUTPUTS = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    const errors = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (const output of cell.outputs.toJSON())
            if (output.output_type === 'error')
                errors.push(`cell ${i}: ${output.ename}: ${output.evalue}`);
    }
    return errors;
}"""
# What the learner sees in a widget's output, and when it last changed (a MutationObserver)
# and whether a progress bar showed there since the last call
WATCH = """el => {
    if (!el.__watched) {
        el.__watched = true;
        el.__lastChange = performance.now();
        new MutationObserver(() => {
            el.__lastChange = performance.now();
            if (el.querySelector('.widget-hprogress')) el.__sawProgress = true;
        }).observe(el, {subtree: true, childList: true, characterData: true, attributes: true});
    }
    el.__sawProgress = false;
}"""
SHOWN = """el => ({
    images: [...el.querySelectorAll('img')].map(i => i.src).join('|'),
    text: el.innerText,
    error: [...el.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(e => e.innerText).join('\\n'),
})"""
# How many times the kernel has turned idle (each message from a control ends with one), and
# when its status last changed
IDLE_COUNT = """() => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    if (window.__idleKernel !== kernel) {
        window.__idleKernel = kernel;
        window.__idles = 0;
        window.__status = kernel.status;
        window.__statusChange = performance.now();
        kernel.statusChanged.connect((_, status) => {
            window.__status = status;
            window.__statusChange = performance.now();
            if (status === 'idle') window.__idles++;
        });
    }
    return window.__idles;
}"""
# The kernel turned idle since the ``n``-th time, and stayed so for ``ms``
SETTLED = """([n, ms]) => window.__idles > n && window.__status === 'idle'
    && performance.now() - window.__statusChange > ms"""
# Settled: the kernel idle, and neither it nor the output changed for ``ms``
QUIET = """([el, ms]) => window.__status === 'idle'
    && performance.now() - Math.max(el.__lastChange, window.__statusChange) > ms"""
QUIET_MS = 150  # the output's messages reach the page before the kernel's idle status
DISABLED = """el => el.tagName === 'SELECT' ? el.disabled
    : el.closest('.noUi-target').hasAttribute('disabled')"""


@dataclass
class Change:
    """One control moved once, and what the widget's output did."""

    control: str  # the control's label
    changed: bool  # the output's images or text changed
    figure: str  # "new", "same" (stale), "blank", "gone", or "none" (no figure before)
    error: str  # error text (a traceback) in the widget's output, '' if none
    text: str  # the output's last line of text after the change
    seconds: float  # from the change to the last update of the output; nan if none
    callback: dict | None  # the kernel's log line of the callback: widget name and seconds
    progress: bool = False  # a progress bar showed in the output meanwhile

    def problem(self) -> str | None:
        """Why a learner would see this change as broken, or None."""
        if self.error:
            return f"{self.control!r}: the output shows an error: {self.error.splitlines()[-1]}"
        if not self.changed:
            return f"{self.control!r}: the output did not change"
        if self.figure == "same":
            return f"{self.control!r}: only the text changed, the figure stayed stale"
        if self.figure == "blank":
            return f"{self.control!r}: the new figure came out (nearly) blank"
        if self.figure == "gone":
            return f"{self.control!r}: the figure disappeared; the output reads {self.text!r}"
        return None


def _ink(images: str) -> float:
    """The fraction of pixels that are not white in the first ``data:`` PNG of ``images``."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    encoded = images.split("|")[0].split(",", 1)[-1]
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))).convert("L"))
    return float((pixels < 245).mean())


def _figure_state(before: str, after: str) -> str:
    if not before:
        return "none"
    if not after:
        return "gone"
    if after == before:
        return "same"
    return "blank" if _ink(after) < 0.3 * _ink(before) else "new"


@dataclass
class Lab:
    """A running JupyterLab: its address, token and the folder it serves."""

    base: str
    token: str
    root: Path

    def url(self, notebook: str) -> str:
        """The notebook alone in a workspace of its own (no other notebook's tab)."""
        stem = Path(notebook).stem
        return f"{self.base}/lab/workspaces/{stem}/tree/notebooks/{notebook}?token={self.token}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def jupyterlab(notebooks: Path, root: Path, env: dict | None = None) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 (random port, token) serving a copy of ``notebooks`` under
    ``root``; ``env`` is added to the server's (and so its kernels') environment. Always
    stopped on leaving, even after a failure."""
    shutil.copytree(notebooks, root / "notebooks")
    for plugin, settings in LAB_SETTINGS.items():
        path = root / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    port, token = _free_port(), secrets.token_hex(16)
    server_env = {
        **os.environ,
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--expose-app-in-browser",
        "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    server = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=server_env,
        start_new_session=True,
    )
    lab = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{lab.base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("JupyterLab did not start within 90 s") from None
                time.sleep(0.5)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@contextmanager
def chromium():
    """Debian's headless Chromium under Playwright (Playwright's own download fails offline)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--headless"]
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def notebook_page(browser, lab: Lab, notebook: str):
    """A page with ``notebook`` open in JupyterLab; its kernel is shut down on leaving."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(lab.url(notebook))
        yield page
    finally:
        page.evaluate("() => window.jupyterapp?.shell.currentWidget?.sessionContext?.shutdown()")
        page.close()


def run_all(page, timeout_s: float = 300) -> list[str]:
    """Run every cell as a learner would (the proposed kernel, then Run All) and wait until
    all have run, or until one shows an error (as soon as the kernel reports it); return the
    error outputs, one line each."""

    page.wait_for_function(
        "() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000
    )
    # a fresh JupyterLab may ask which kernel to start (then take the proposed Python 3), or
    # start the notebook's own: wait for whichever comes first
    page.wait_for_function(
        f"() => document.querySelector('{KERNEL_DIALOG}') || ({KERNEL_IDLE})()",
        timeout=90_000,
        polling=100,
    )
    if page.locator(KERNEL_DIALOG).count():
        page.locator(KERNEL_DIALOG).click()
    page.wait_for_function(KERNEL_IDLE, timeout=90_000, polling=100)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(RUN_ALL_DONE, timeout=timeout_s * 1000, polling=500)
    return page.evaluate(ERROR_OUTPUTS)


def code_cells(page) -> list[dict]:
    """The open notebook's code cells as run: ``{"source", "outputs"}`` (nbformat's JSON)."""
    return page.evaluate(CODE_CELLS)


def widgets(page) -> list:
    """The interactive widgets of the open notebook, in page order."""
    found = page.locator(f"{PANEL} .widget-interact")
    return [found.nth(i) for i in range(found.count())]


def controls(widget) -> list:
    """A widget's dropdowns and sliders, in the order shown."""
    found = widget.locator(CONTROLS)
    return [found.nth(i) for i in range(found.count())]


def label(control) -> str:
    """The text a learner reads beside a control."""
    row = control.locator("xpath=ancestor::div[contains(@class, 'widget-inline-hbox')][1]")
    return row.locator("label").first.inner_text().strip()


def _press(control, forward: bool, value: str | None = None, far: bool = False) -> None:
    """Change a control by one step: the next (or previous) dropdown entry, or an arrow key
    on a slider's handle, towards the side with room (``far``: End or Home, to that end of
    the slider); or pick dropdown entry ``value``."""
    if value is not None:
        control.select_option(value=value)
        return
    if control.evaluate("el => el.tagName") == "SELECT":
        count = control.locator("option").count()
        current = control.evaluate("el => el.selectedIndex")
        step = 1 if forward or current == 0 else -1
        control.select_option(index=(current + step) % count)
        return
    control.focus()
    now, low, high = (
        control.get_attribute(name) for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
    )
    right = (forward and now != high) or now == low
    keys = ("End", "Home") if far else ("ArrowRight", "ArrowLeft")
    control.press(keys[0] if right else keys[1])


def _log_lines(path: Path | None) -> int:
    return len(path.read_text().splitlines()) if path and path.exists() else 0


def move(page, widget, control, forward: bool = True, log: Path | None = None,
         timeout_s: float = 120, value: str | None = None,
         far: bool = False) -> Change:  # fmt: skip
    """Move ``control`` one step (to the slider's end with ``far``, or to dropdown entry
    ``value``); wait until the callback has finished, the kernel is idle, and neither it nor
    ``widget``'s output changed for :data:`QUIET_MS`. ``log``: the ``COURSE_WIDGET_LOG``
    file where the kernel notes each callback that finished drawing; without it (or for a
    callback that fails), "finished" is the kernel turning idle and staying so for 2 s."""
    output = widget.locator(".widget-output").first.element_handle()
    output.evaluate(WATCH)
    before = output.evaluate(SHOWN)
    logged = _log_lines(log)
    idles = page.evaluate(IDLE_COUNT)
    start = page.evaluate("() => performance.now()")
    _press(control, forward, value, far)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _log_lines(log) == logged:
        if page.evaluate(SETTLED, arg=[idles, 2000]):
            break  # ran without finishing a drawing (an error, a refusal), or no log kept
        time.sleep(0.05)
    page.wait_for_function(QUIET, arg=[output, QUIET_MS], timeout=timeout_s * 1000, polling=50)
    after = output.evaluate(SHOWN)
    if before["images"] and not after["images"] and not after["error"]:
        # a loaded browser can take a moment to show the figure after a progress bar: a
        # figure that is really gone is still gone 3 s later
        from playwright.sync_api import TimeoutError as StillGone

        try:
            page.wait_for_function(
                "el => el.querySelector('img')", arg=output, timeout=3000, polling=100
            )
        except StillGone:  # reported as gone below
            pass
        after = output.evaluate(SHOWN)
    changed = (after["images"], after["text"]) != (before["images"], before["text"])
    last = output.evaluate("el => el.__lastChange")
    lines = log.read_text().splitlines()[logged:] if log and log.exists() else []
    return Change(
        control=label(control),
        changed=changed,
        figure=_figure_state(before["images"], after["images"]),
        error=after["error"],
        text=(after["text"].strip().splitlines() or [""])[-1][:200],
        seconds=(last - start) / 1000 if changed else float("nan"),
        callback=json.loads(lines[-1]) if lines else None,
        progress=output.evaluate("el => el.__sawProgress"),
    )


def move_every_control(
    page, widget, repeats: int = 1, log: Path | None = None, steps: int = 1
) -> list[Change]:
    """Move each control of ``widget`` ``repeats`` times (back and forth), in the order shown.

    ``steps``: a move that changes nothing is repeated, one step further each time, up to
    this many moves, the last to the slider's end (a fill-holes threshold a few steps up may
    meet no hole in this image); only the last is reported. A control disabled when its turn
    comes (the current mode ignores it) is tried again after the pass, once the dropdowns
    changed before it are set back one by one, nearest first; a control still disabled then
    is reported as a change that did nothing.
    """
    shown = controls(widget)
    initial = {i: c.evaluate("el => el.value") for i, c in enumerate(shown)}
    dropdowns = [i for i, c in enumerate(shown) if c.evaluate("el => el.tagName") == "SELECT"]

    def moves(control) -> list[Change]:
        done = []
        for r in range(repeats):
            change = move(page, widget, control, forward=r % 2 == 0, log=log)
            for attempt in range(2, steps + 1):
                if change.changed or change.error:
                    break
                far = attempt == steps
                change = move(page, widget, control, forward=r % 2 == 0, log=log, far=far)
            done.append(change)
        return done

    changes, waiting = [], []
    for i, control in enumerate(shown):
        if control.evaluate(DISABLED):
            waiting.append(i)
            continue
        changes += moves(control)
    for i in waiting:
        for j in reversed([j for j in dropdowns if j < i]):  # nearest first
            if not shown[i].evaluate(DISABLED):
                break
            if (
                not shown[j].evaluate(DISABLED)
                and shown[j].evaluate("el => el.value") != initial[j]
            ):
                changes.append(move(page, widget, shown[j], log=log, value=initial[j]))
        if shown[i].evaluate(DISABLED):
            changes.append(Change(label(shown[i]), False, "none", "", "", float("nan"), None))
            continue
        changes += moves(shown[i])
    return changes


def screenshots(page, folder: Path, stem: str) -> None:
    """The page as shown, and each widget whole: ``<stem>.png``, ``<stem>-widget<i>.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{stem}.png"))
    for number, widget in enumerate(widgets(page)):
        widget.screenshot(path=str(folder / f"{stem}-widget{number}.png"))
