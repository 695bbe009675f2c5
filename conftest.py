"""pytest settings for the notebooks (``tests/conftest.py`` holds the unit tests' fixtures).

Each notebook is run once per ``make test``. With Chromium present, ``tests/test_browser.py``
runs it in JupyterLab and checks what nbval checks (no error output; each
``# NBVAL_CHECK_OUTPUT`` cell prints what it stored), so nbval's own run of ``notebooks/`` is
skipped. Without Chromium, or with the browser tests deselected (``-m "not browser"``), nbval
runs the notebooks.
"""

import os
import tempfile

# Two test workers share two cores with their notebooks' kernels: OpenMP's threads (openTSNE,
# scikit-learn) sleep while they wait instead of spinning, which only stole the other
# worker's time (numbers are unchanged: the thread count is the same). Set before any library
# starts its threads; kernels the tests start inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

from bench.labdriver import CHROMIUM  # noqa: E402
from helpers.infra import config as course_config  # noqa: E402


def _browser_runs_notebooks(config) -> bool:
    return CHROMIUM.exists() and "browser" not in (config.option.markexpr or "")


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix == ".ipynb" and _browser_runs_notebooks(config):
        return True
    return None


LEARNER_ENVIRONMENT = ("KERAS_HOME", "COURSE_CACHE", "COURSE_DATA", "COURSE_FASHION_MNIST")


def pytest_configure(config):
    """The tests see what a learner's fresh machine has: an empty home folder (no
    ``~/.keras``, no ``~/.cache/cnn-course``) and none of the course's path variables, for
    every test worker and every kernel they start (set once, before the workers start, which
    inherit it). Under ``pytest -n N`` each worker gets its share of the cores."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        os.environ["HOME"] = tempfile.mkdtemp(prefix="course-test-home-")
        for variable in LEARNER_ENVIRONMENT:
            os.environ.pop(variable, None)
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers:
        course_config.share_cores(int(workers))


def pytest_report_header(config):
    runner = "tests/test_browser.py in JupyterLab" if _browser_runs_notebooks(config) else "nbval"
    return f"notebooks run by: {runner}"


def pytest_itemcollected(item):
    """Under ``pytest -n N --dist loadgroup`` each notebook's nbval cells stay together, in
    order, on one worker (they share its kernel); every other test is scheduled on its own."""
    if item.path.suffix == ".ipynb":
        item.add_marker(pytest.mark.xdist_group(item.path.stem))
