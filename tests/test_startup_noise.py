"""No TensorFlow start-up noise in what a learner sees: a process that imports the course
(TensorFlow first, before setup) and runs a model shows none, nor does any executed notebook
in build/."""

import os
import subprocess
import sys

import nbformat
import pytest

from helpers.infra import config

NOISE = ("absl::InitializeLog", "cpu_feature_guard", "oneDNN custom operations")


def output_text(notebook) -> str:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts += [str(v) for v in output.get("data", {}).values()]
    return "\n".join(texts)


def test_importing_the_course_and_running_a_model_prints_no_start_up_noise():
    """What a notebook's first cell does, in a fresh process whose stderr (which a Jupyter
    kernel forwards into the notebook) is captured; no TF_CPP_MIN_LOG_LEVEL set by hand."""
    code = (
        "from helpers import cams, course, occlusion\n"
        "from helpers.models import zoo\n"
        "import numpy as np\n"
        "course.setup()\n"
        "zoo.load('fashion_cnn').predict(np.zeros((2, 28, 28, 1)), verbose=0)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "profile" in run.stdout
    assert not [n for n in NOISE if n in run.stderr], run.stderr


def test_executed_notebooks_in_build_show_no_start_up_noise():
    executed = sorted((config.REPO_ROOT / "build").glob("*.ipynb"))
    if not executed:
        pytest.skip("no executed notebooks in build/: `make course` writes them")
    noisy = {
        path.name: [n for n in NOISE if n in output_text(nbformat.read(path, as_version=4))]
        for path in executed
    }
    assert not {name: hits for name, hits in noisy.items() if hits}
