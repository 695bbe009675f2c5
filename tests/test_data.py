import gzip
import os
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from helpers import course, data
from helpers.infra import config, sources
from tests.conftest import register_as_official, write_idx_folder


def test_explicit_path_is_read_first(isolated_data):
    folder = isolated_data / "mine"
    labels = write_idx_folder(folder, n_train=12, n_test=4)
    write_idx_folder(isolated_data / "system", n_train=50)
    dataset = data.load_fashion_mnist("quick", path=folder)
    assert dataset.x_train.shape == (12, 28, 28, 1)
    assert dataset.x_train.dtype == np.float32
    assert 0.0 <= dataset.x_train.min() and dataset.x_train.max() <= 1.0
    np.testing.assert_array_equal(dataset.y_test, labels["t10k"])
    assert str(folder) in dataset.source


def test_explicit_path_without_files_is_an_error(isolated_data):
    with pytest.raises(data.DataNotFoundError, match="does not hold the Fashion-MNIST files"):
        data.load_fashion_mnist("quick", path=isolated_data / "nowhere")


@pytest.mark.parametrize("where", ["course_data", "course_data_sub", "repo", "keras", "system"])
def test_each_resolution_branch(isolated_data, monkeypatch, where):
    folders = {
        "course_data": isolated_data / "cd",
        "course_data_sub": isolated_data / "cd" / "fashion-mnist",
        "repo": isolated_data / "repo_data" / "fashion-mnist",
        "keras": isolated_data / "keras_home" / "datasets" / "fashion-mnist",
        "system": isolated_data / "system",
    }
    monkeypatch.setenv("COURSE_DATA", str(isolated_data / "cd"))
    write_idx_folder(folders[where], n_train=7)
    register_as_official(folders[where], monkeypatch)
    dataset = data.load_fashion_mnist("full")
    assert len(dataset.x_train) == 7
    assert dataset.source == f"full Fashion-MNIST from {folders[where]} (the full profile)"


def test_a_partial_copy_is_read_but_never_called_the_full_set(isolated_data, monkeypatch):
    monkeypatch.setenv("COURSE_FASHION_MNIST", "full")
    write_idx_folder(isolated_data / "system", n_train=100, n_test=10)
    with pytest.warns(UserWarning, match=r"not the official release \(sha256 differs\)"):
        dataset = data.load_fashion_mnist("quick")
    assert "full Fashion-MNIST" not in dataset.source and "100 train / 10 test" in dataset.source


def rewrite(path, payload: bytes):
    with gzip.open(path, "wb") as handle:
        handle.write(payload)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("magic", r"train-images-idx3-ubyte.gz is not an idx images file \(magic number 2051"),
        ("labels", r"holds 30 train images but 29 labels: the files do not belong together"),
        ("short", r"train-images-idx3-ubyte.gz announces 30 images but holds 29"),
        ("truncated", r"train-images-idx3-ubyte.gz is truncated or not a gzip file"),
    ],
)
def test_damaged_fashion_files_are_named_with_the_fix(isolated_data, damage, message):
    folder = isolated_data / "mine"
    write_idx_folder(folder, n_train=30)
    images, labels = folder / "train-images-idx3-ubyte.gz", folder / "train-labels-idx1-ubyte.gz"
    raw = gzip.decompress(images.read_bytes())
    if damage == "magic":
        rewrite(images, np.array([2049], ">u4").tobytes() + raw[4:])
    elif damage == "labels":
        raw_labels = gzip.decompress(labels.read_bytes())
        rewrite(labels, np.array([2049, 29], ">u4").tobytes() + raw_labels[8:-1])
    elif damage == "short":
        rewrite(images, raw[: -28 * 28])
    else:
        images.write_bytes(images.read_bytes()[:200])
    with pytest.raises(data.DataNotFoundError, match=message):
        data.load_fashion_mnist("quick", path=folder)


def test_fetch_replaces_a_present_file_that_is_not_the_official_one(isolated_data, monkeypatch):
    remote = isolated_data / "remote"
    write_idx_folder(remote, n_train=3, n_test=2)
    register_as_official(remote, monkeypatch)
    local = isolated_data / "keras_home" / "datasets" / "fashion-mnist"
    write_idx_folder(local, n_train=5, n_test=2, seed=9)  # a different, partial copy
    data.fetch_fashion_mnist()
    for name in data.FASHION_FILES:
        assert (local / name).read_bytes() == (remote / name).read_bytes()


def test_order_course_data_beats_system(isolated_data, monkeypatch):
    write_idx_folder(isolated_data / "system", n_train=9)
    write_idx_folder(isolated_data / "cd", n_train=5)
    monkeypatch.setenv("COURSE_DATA", str(isolated_data / "cd"))
    assert len(data.load_fashion_mnist("full").x_train) == 5


def test_quick_profile_falls_back_to_shipped_subset(isolated_data):
    dataset = data.load_fashion_mnist("quick")
    assert "shipped subset" in dataset.source


@pytest.mark.parametrize("where", ["keras", "system", "repo", "course_data"])
def test_quick_profile_reads_the_subset_even_when_a_full_copy_is_installed(
    isolated_data, monkeypatch, subset, where
):
    folder = {
        "keras": isolated_data / "keras_home" / "datasets" / "fashion-mnist",
        "system": isolated_data / "system",
        "repo": isolated_data / "repo_data" / "fashion-mnist",
        "course_data": isolated_data / "cd" / "fashion-mnist",
    }[where]
    monkeypatch.setenv("COURSE_DATA", str(isolated_data / "cd"))
    write_idx_folder(folder, n_train=60, n_test=20)
    register_as_official(folder, monkeypatch)
    dataset = data.load_fashion_mnist("quick")
    assert dataset.source.startswith("shipped subset fashion_mnist_subset.npz (10000 train")
    np.testing.assert_array_equal(dataset.y_test, subset.y_test)
    monkeypatch.setenv("COURSE_FASHION_MNIST", "full")  # asked for by name: read
    asked = data.load_fashion_mnist("quick")
    assert asked.source == f"full Fashion-MNIST from {folder} (COURSE_FASHION_MNIST=full)"
    assert len(asked.x_train) == 60


def test_full_set_asked_for_by_name_but_missing_is_one_clear_error(isolated_data, monkeypatch):
    monkeypatch.setenv("COURSE_FASHION_MNIST", "full")
    with pytest.raises(
        data.DataNotFoundError,
        match=r"(?s)COURSE_FASHION_MNIST=full asks for the full Fashion-MNIST, which was not "
        r"found \(the quick profile never downloads\).*unset COURSE_FASHION_MNIST",
    ):
        data.load_fashion_mnist("quick")


@pytest.mark.parametrize("value", ["60000", "fulll", "yes"])
def test_an_unknown_fashion_mnist_choice_is_refused(isolated_data, monkeypatch, value):
    monkeypatch.setenv("COURSE_FASHION_MNIST", value)
    with pytest.raises(ValueError, match=rf"COURSE_FASHION_MNIST='{value}': use one of"):
        data.load_fashion_mnist("quick")


def test_full_profile_offline_gives_one_clear_error(isolated_data, monkeypatch):
    def no_network(url, filename):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlretrieve", no_network)
    with pytest.raises(
        data.DataNotFoundError, match=r"(?s)could not be downloaded.*apt-get install"
    ):
        data.load_fashion_mnist("full")
    leftovers = list((isolated_data / "keras_home").rglob("*"))
    assert [p for p in leftovers if p.is_file()] == []


def test_download_is_checked_and_atomic(tmp_path):
    source = tmp_path / "remote.bin"
    source.write_bytes(b"course data")
    digest = sources.sha256_of(source)
    dest = tmp_path / "cache" / "file.bin"
    with pytest.raises(OSError, match="checksum mismatch"):
        sources.download(sources.Source(source.as_uri(), "0" * 64, "test"), dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []
    sources.download(sources.Source(source.as_uri(), digest, "test"), dest)
    assert dest.read_bytes() == b"course data"


def test_fetch_downloads_all_four_files(isolated_data, monkeypatch):
    remote = isolated_data / "remote"
    write_idx_folder(remote, n_train=3, n_test=2)
    register_as_official(remote, monkeypatch)
    dataset = data.load_fashion_mnist("full")
    assert len(dataset.x_train) == 3
    assert "keras_home" in dataset.source


def test_bad_profile_is_rejected():
    with pytest.raises(ValueError, match="Unknown profile 'fast'"):
        data.load_fashion_mnist("fast")


def test_shipped_subset_is_stratified(subset):
    assert subset.x_train.shape == (10_000, 28, 28, 1)
    assert subset.x_test.shape == (2_000, 28, 28, 1)
    assert np.bincount(subset.y_train).tolist() == [1000] * 10
    assert np.bincount(subset.y_test).tolist() == [200] * 10
    assert subset.class_names == data.FASHION_CLASSES


def test_stratified_indices():
    labels = np.array([0] * 5 + [1] * 2 + [2] * 9)
    with pytest.warns(
        UserWarning, match=r"label\(s\) \[1\] have fewer than 3 items \(as few as 2\)"
    ):
        chosen = data.stratified_indices(labels, 3, seed=4)
        again = data.stratified_indices(labels, 3, seed=4)
    assert np.bincount(labels[chosen]).tolist() == [3, 2, 3]
    np.testing.assert_array_equal(chosen, again)
    with pytest.raises(ValueError, match="per_class must be at least 1"):
        data.stratified_indices(labels, 0)


def test_coarse_groups_cover_known_classes_once():
    for grouping in course.COARSE_GROUPS.values():
        members = [name for group in grouping.values() for name in group]
        assert set(members) <= set(data.FASHION_CLASSES)
        assert len(members) == len(set(members))
    assert len(course.COARSE_GROUPS["six"]) == 6


def test_describe_classes():
    assert data.describe_classes(("a", "b")) == "0: a\n1: b"


def test_config_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "FULL")
    assert config.get_profile() == "full"
    assert config.get_profile("quick") == "quick"
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        config.seed_everything(-1)


def test_select_classes_relabels_in_given_order(subset):
    picked = data.select_classes(subset, [8, 1])
    assert picked.class_names == ("Bag", "Trouser")
    assert sorted(np.unique(picked.y_train).tolist()) == [0, 1]
    assert len(picked.x_test) == 400
    np.testing.assert_array_equal(
        picked.x_test[picked.y_test == 0], subset.x_test[subset.y_test == 8]
    )
    with pytest.raises(ValueError, match="classes must be distinct indices in 0..9"):
        data.select_classes(subset, [1, 1])
    with pytest.raises(ValueError, match="classes must be distinct indices"):
        data.select_classes(subset, [10])


@pytest.mark.parametrize(("make", "why"), [("nothing", "does not exist"), ("file", "is a file")])
def test_a_course_data_that_is_not_a_folder_is_named(isolated_data, monkeypatch, make, why):
    target = isolated_data / "course_data"
    if make == "file":
        target.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA", str(target))
    monkeypatch.setenv("COURSE_FASHION_MNIST", "full")  # the only time quick looks there
    with pytest.warns(UserWarning, match=rf"COURSE_DATA=.*course_data {why}.*: it is ignored"):
        with pytest.raises(data.DataNotFoundError, match="was not found"):
            data.load_fashion_mnist("quick")


def test_a_damaged_subset_names_the_file_and_the_fix(tmp_path):
    broken = tmp_path / "subset.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(
        data.DataNotFoundError, match=r"subset .*subset.npz is damaged.*git checkout"
    ):
        data.read_fashion_subset(broken)


def test_share_cores_splits_the_cores_and_keeps_a_choice_made(monkeypatch):
    monkeypatch.setattr(config.os, "cpu_count", lambda: 8)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "3")  # the caller's choice stays
    config.share_cores(2)
    assert config.os.environ["OMP_NUM_THREADS"] == "4"
    assert config.os.environ["TF_NUM_INTRAOP_THREADS"] == "3"
    monkeypatch.delenv("OMP_NUM_THREADS")
    config.share_cores(16)  # more processes than cores: one thread each
    assert config.os.environ["OMP_NUM_THREADS"] == "1"


def test_the_tests_run_in_an_empty_home_folder():
    """As on a learner's fresh machine (the root conftest.py): nothing of this machine's
    ~/.keras or ~/.cache is seen, by the tests or the kernels they start."""
    home = Path(os.environ["HOME"])
    assert home.name.startswith("course-test-home-")
    assert not (home / ".keras" / "datasets").exists()
    assert not {"KERAS_HOME", "COURSE_DATA", "COURSE_CACHE"} & set(os.environ)
