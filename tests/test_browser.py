"""The course as a learner sees it: JupyterLab in headless Chromium (Debian's ``chromium``,
driven by Playwright). For each notebook: run all cells, no error output, every declared
widget rendered, one control changed through the page changes the output, a screenshot.

Skipped with a message when Chromium is missing: `sudo apt-get install chromium`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import config

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = config.REPO_ROOT / "build" / "screenshots"
WIDGET_FACTORY = re.compile(r"widgets\.\w+_(explorer|browser)\(")
RUN_TIMEOUT_MS = 300_000
LAB_SETTINGS = {
    # every cell in the page (no virtual scrolling), no news pop-up over the notebook
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
}
KERNEL_IDLE = """() => {
    const session = window.jupyterapp.shell.currentWidget.sessionContext.session;
    return Boolean(session && session.kernel && session.kernel.status === 'idle');
}"""
ALL_EXECUTED = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type === 'code' && !cell.executionCount) return false;
    }
    return panel.sessionContext.session.kernel.status === 'idle';
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM}: install it "
        "with `sudo apt-get install chromium` (or set COURSE_CHROMIUM) to run the "
        "browser tests",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def declared_widgets(path: Path) -> int:
    """How many interactive widgets a notebook's cells create."""
    cells = json.loads(path.read_text())["cells"]
    return sum(
        len(WIDGET_FACTORY.findall("".join(c["source"]))) for c in cells if c["cell_type"] == "code"
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 (random port, token) over a copy of the notebooks; always
    stopped at the end, even when a test fails."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(config.REPO_ROOT / "notebooks", root / "notebooks")
    for plugin, settings in LAB_SETTINGS.items():
        path = root / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "COURSE_PROFILE": "quick",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--expose-app-in-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start within 90 s")
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--headless"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _run_all(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_function(
        "() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000
    )
    try:  # a fresh JupyterLab asks which kernel to start: take the proposed Python 3
        page.locator(".jp-Dialog .jp-mod-accept").click(timeout=15_000)
    except PlaywrightTimeout:
        pass
    page.wait_for_function(KERNEL_IDLE, timeout=90_000, polling=500)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(ALL_EXECUTED, timeout=RUN_TIMEOUT_MS, polling=1000)


def _output_signature(output) -> str:
    """What the learner sees in a widget's output: its images and its text."""
    return output.evaluate(
        "el => [...el.querySelectorAll('img')].map(i => i.src).join('|') + '\\n' + el.innerText"
    )


def _change_first_control(page, notebook) -> tuple[str, str]:
    """Change the first control of the first interactive widget as a learner would (pick
    another dropdown entry, or press an arrow key on a slider's handle, towards the side
    with room), let the kernel finish the callback, and return the widget's output as seen
    before and after."""
    interact = notebook.locator(".widget-interact").first
    interact.scroll_into_view_if_needed()
    output = interact.locator(".widget-output").first
    before = _output_signature(output)
    control = interact.locator(".widget-dropdown select, .widget-slider .noUi-handle").first
    if control.evaluate("el => el.tagName") == "SELECT":
        options = control.locator("option").all_inner_texts()
        control.select_option(label=options[1])
    else:
        control.focus()
        at_max = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        control.press("ArrowLeft" if at_max else "ArrowRight")
    page.wait_for_timeout(1000)  # the change reaches the kernel, which turns busy
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
    page.wait_for_timeout(1500)  # the new output arrives and renders
    return before, _output_signature(output)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(lab, browser, notebook):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:  # a workspace of its own, so no other notebook's tab is in the page
        page.goto(
            f"{base}/lab/workspaces/{notebook.stem}/tree/notebooks/{notebook.name}?token={token}"
        )
        _run_all(page)
        assert page.evaluate(ERROR_OUTPUTS) == []
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expected = declared_widgets(notebook)
        assert panel.locator(".widget-interact").count() == expected
        controls = panel.locator(
            ".widget-interact .widget-dropdown select, .widget-interact .widget-slider .noUi-handle"
        ).count()
        assert controls >= expected
        if expected:
            before, after = _change_first_control(page, panel)
            assert before != after
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))
    finally:
        page.evaluate("() => window.jupyterapp?.shell.currentWidget?.sessionContext?.shutdown()")
        page.close()


def test_declared_widgets_counts_factories(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": ["widgets.tsne_explorer(a)\n", "x = 1"]},
                    {"cell_type": "markdown", "source": ["widgets.fake_explorer("]},
                    {"cell_type": "code", "source": ["w = widgets.dataset_browser(d)"]},
                ]
            }
        )
    )
    assert declared_widgets(path) == 2
