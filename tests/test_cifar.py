"""CIFAR read by the course from the official python archives: checked, offline first, and
never able to run code from a file that is not the official release."""

from __future__ import annotations

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from helpers import __main__ as cli
from helpers import data
from helpers.infra import config
from tests.conftest import load_script, serve_source

make_stand_ins = load_script("make_stand_ins")


@pytest.fixture
def homes(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "course_data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "repo_data")
    (tmp_path / "course_data").mkdir()
    return tmp_path


def archive_with(path, members: dict, folder="cifar-10-batches-py"):
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


def test_a_stand_in_archive_reads_back_with_its_pixels_labels_and_names(homes):
    path = homes / "course_data" / "cifar-10-python.tar.gz"
    make_stand_ins.cifar_archive(path, 10, train=50, test=20)
    with pytest.warns(UserWarning, match="not the official release"):
        cifar = data.load_cifar(10)
    assert cifar.x_train.shape == (50, 32, 32, 3) and cifar.x_test.shape == (20, 32, 32, 3)
    assert cifar.class_names[0] == "airplane"
    assert cifar.y_test.tolist() == [i % 10 for i in range(20)]
    assert 0.0 <= cifar.x_train.min() and cifar.x_train.max() <= 1.0
    with tarfile.open(path) as archive:  # pixel 0 of image 0: channel-first rows of 1024 values
        batch = archive.extractfile("cifar-10-batches-py/data_batch_1")
        first = pickle.load(batch, encoding="bytes")
    red, green, blue = first[b"data"][0, [0, 1024, 2048]] / 255.0
    np.testing.assert_allclose(cifar.x_train[0, 0, 0], [red, green, blue], rtol=1e-6)


def test_the_official_checksum_makes_it_the_official_release(homes, monkeypatch):
    path = homes / "course_data" / "cifar-100-python.tar.gz"
    make_stand_ins.cifar_archive(path, 100, train=200, test=100)
    serve_source(monkeypatch, "cifar100", path)  # its checksum is now the official one
    cifar = data.load_cifar(100)
    assert cifar.source == f"CIFAR-100 from {path}" and len(cifar.class_names) == 100


def test_resolution_order_course_data_then_repository_then_keras_cache(homes):
    keras_copy = homes / "keras" / "datasets" / "cifar-10-batches-py-target_archive"
    keras_copy.parent.mkdir(parents=True)
    make_stand_ins.cifar_archive(keras_copy, 10, train=10, test=10)
    with pytest.warns(UserWarning):
        assert str(keras_copy) in data.load_cifar(10).source
    make_stand_ins.cifar_archive(homes / "course_data" / "cifar-10-python.tar.gz", 10, 20, 10)
    with pytest.warns(UserWarning):
        assert "course_data" in data.load_cifar(10).source


def test_missing_in_quick_names_the_places_and_the_command(homes):
    with pytest.raises(data.DataNotFoundError, match=r"(?s)quick profile never.*fetch cifar100"):
        data.load_cifar(100)
    with pytest.raises(ValueError, match="num_classes must be 10 or 100, got 20"):
        data.load_cifar(20)


def test_a_pickle_that_would_run_code_is_refused(homes):
    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    path = homes / "course_data" / "cifar-10-python.tar.gz"
    archive_with(path, {"data_batch_1": pickle.dumps(Exploit(), protocol=2)})
    with pytest.raises(data.DataNotFoundError, match=r"(?s)not a readable.*system is not allowed"):
        data.load_cifar(10)


def test_truncated_incomplete_or_malformed_archives_are_clear_errors(homes):
    path = homes / "course_data" / "cifar-10-python.tar.gz"
    make_stand_ins.cifar_archive(path, 10, train=50, test=20)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(data.DataNotFoundError, match="not a readable CIFAR archive.*fetch cifar10"):
        data.load_cifar(10)
    archive_with(path, {"test_batch": pickle.dumps({b"data": np.zeros((1, 3072), np.uint8)})})
    with pytest.raises(data.DataNotFoundError, match=r"lacks \['batches.meta', 'data_batch_1'"):
        data.load_cifar(10)
    batch = pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]})
    meta = pickle.dumps({b"label_names": [b"a"] * 10})
    names = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"]
    archive_with(path, {**dict.fromkeys(names, batch), "test_batch": batch, "batches.meta": meta})
    with pytest.raises(data.DataNotFoundError, match=r"batch of shape \(2, 100\).*not N x 3072"):
        data.load_cifar(10)
    batch = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 12]})
    archive_with(path, {**dict.fromkeys(names, batch), "test_batch": batch, "batches.meta": meta})
    with pytest.raises(data.DataNotFoundError, match=r"labels outside 0..9"):
        data.load_cifar(10)


def test_limited_takes_the_first_images_and_says_so(subset):
    small = data.limited(subset, 7)
    assert len(small.x_train) == len(small.y_test) == 7 and "first 7 images" in small.source
    np.testing.assert_array_equal(small.train_index, subset.train_index[:7])
    assert data.limited(subset, None) is subset


def test_fetch_command_line_refuses_what_it_does_not_know():
    with pytest.raises(SystemExit, match="usage: python -m helpers COMMAND"):
        cli.fetch(["cifar20"])
    with pytest.raises(SystemExit, match="weights MODEL"):
        cli.fetch(["weights", "VGG16", "--top"])
