"""The quick profile is one fixed setting: a full Fashion-MNIST installed where the course used
to find it (Keras' cache) changes nothing a learner sees. The copy is made from the shipped
subset's own images, in the Keras cache layout, as a machine with Debian's
``dataset-fashion-mnist`` or a filled ``~/.keras`` would have it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import data
from helpers.infra import config
from tests.conftest import load_script, write_idx_split
from tests.test_browser import checked_outputs_differing

run_course = load_script("run_course")

NOTEBOOK = config.REPO_ROOT / "notebooks" / "00_start_here.ipynb"


def write_keras_cache_copy(folder: Path, subset: data.Dataset) -> None:
    """The subset's images and labels as the four idx gz files, under ``folder``."""
    for split, images, labels in (
        ("train", subset.x_train, subset.y_train),
        ("t10k", subset.x_test, subset.y_test),
    ):
        write_idx_split(folder, split, np.rint(images[..., 0] * 255), labels)


@pytest.fixture
def keras_home_with_fashion_mnist(tmp_path, subset, monkeypatch):
    home = tmp_path / "keras"
    write_keras_cache_copy(home / "datasets" / "fashion-mnist", subset)
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv("COURSE_FASHION_MNIST", raising=False)
    return home


def test_the_copy_is_found_where_the_old_code_looked(keras_home_with_fashion_mnist, subset):
    found = data.find_fashion_mnist()
    assert found == keras_home_with_fashion_mnist / "datasets" / "fashion-mnist"
    with pytest.warns(UserWarning, match="not the official release"):
        copy = data.read_fashion_folder(found)
    np.testing.assert_array_equal(copy.y_test, subset.y_test)


@pytest.mark.timeout(180)
def test_notebook_00_shows_the_same_data_and_checked_output_with_a_full_copy_installed(
    keras_home_with_fashion_mnist, monkeypatch
):
    monkeypatch.setenv("COURSE_PROFILE", "quick")  # the kernel inherits the environment
    # executed as `make course` does (a plain nbclient run waits out its whole cell timeout
    # on the widget cell, jupyter/nbclient#312)
    notebook, _, error = run_course.execute(NOTEBOOK)
    assert error is None
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert checked_outputs_differing(NOTEBOOK, code) == []
    printed = "".join(
        output.get("text", "") for cell in code for output in cell.outputs if "text" in output
    )
    assert "shipped subset fashion_mnist_subset.npz (10000 train / 2000 test" in printed
    assert "Fashion-MNIST-format files from" not in printed
