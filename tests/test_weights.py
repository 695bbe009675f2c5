"""ImageNet weight files: found in the course's resolution order, checked against the
published md5 (or a listed stand-in's sha256), never deleted, handed to Keras as a path."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from helpers.infra import config
from helpers.models import weights, zoo
from tests.conftest import load_script, serve_source

make_stand_ins = load_script("make_stand_ins")
NOTOP = weights.weight_file("MobileNetV2", include_top=False)


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """An empty $COURSE_DATA, repository data dir and Keras home."""
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "course_data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")  # no download can succeed
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "repo_data")
    (tmp_path / "course_data").mkdir()
    return tmp_path


def test_an_unknown_model_lists_the_known_ones():
    with pytest.raises(KeyError, match=r"Unknown pretrained model 'ResNet'.*'VGG16'"):
        weights.weight_file("ResNet", True)


def test_missing_in_the_quick_profile_names_every_folder_and_the_fetch_command(folders):
    with pytest.raises(weights.WeightsNotFoundError, match="quick profile never downloads") as e:
        weights.resolve("VGG16", include_top=False)
    text = str(e.value)
    assert "python -m helpers fetch weights VGG16 --no-top" in text
    for folder in ("course_data/weights", "repo_data/weights", "keras/models"):
        assert str(folders / folder / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") in text


def test_a_failed_download_in_the_full_profile_leaves_no_partial_file(folders, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    with pytest.raises(weights.WeightsNotFoundError, match=r"(?s)not found \(.*Searched:"):
        weights.resolve("VGG16", include_top=True)
    assert not [path for path in (folders / "keras").rglob("*") if path.is_file()]


def test_a_file_with_another_md5_is_refused_and_left_in_place(folders):
    cached = folders / "keras" / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half a download")
    actual = hashlib.md5(b"half a download").hexdigest()
    with pytest.raises(weights.WeightsNotFoundError, match=f"its md5 is {actual}.*left in place"):
        weights.resolve("VGG16", include_top=False)
    assert cached.read_bytes() == b"half a download"


def test_a_file_with_the_published_md5_is_accepted_as_imagenet(folders, monkeypatch):
    cached = folders / "repo_data" / "weights" / "vgg16_weights_tf_dim_ordering_tf_kernels.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"pretend weights")
    md5 = hashlib.md5(b"pretend weights").hexdigest()
    serve_source(monkeypatch, f"weights/{cached.name}", cached, checksum=md5)
    resolved = weights.resolve("VGG16")
    assert resolved == weights.ResolvedWeights(cached, stand_in=False)
    assert resolved.describe() == f"ImageNet weights from {cached}"


def test_course_data_comes_before_keras_cache_and_stand_ins_must_be_listed(folders):
    course_copy = folders / "course_data" / "weights"
    make_stand_ins.weight_files(course_copy, [("MobileNetV2", False)])
    keras_copy = folders / "keras" / "models" / NOTOP.file_name
    keras_copy.parent.mkdir(parents=True)
    keras_copy.write_bytes(b"other")
    with pytest.warns(UserWarning, match="is a stand-in: results are meaningless"):
        resolved = weights.resolve("MobileNetV2", include_top=False)
    assert resolved.path == course_copy / NOTOP.file_name and resolved.stand_in


def test_a_changed_stand_in_or_a_damaged_list_is_refused(folders):
    folder = folders / "course_data" / "weights"
    make_stand_ins.weight_files(folder, [("MobileNetV2", False)])
    listed = json.loads((folder / weights.STAND_INS).read_text())
    listed[NOTOP.file_name] = "0" * 64
    (folder / weights.STAND_INS).write_text(json.dumps(listed))
    with pytest.raises(weights.WeightsNotFoundError, match="listed as a stand-in .* differs"):
        weights.resolve("MobileNetV2", include_top=False)
    (folder / weights.STAND_INS).write_text("{not json")
    with pytest.raises(weights.WeightsNotFoundError, match="stand-ins.json is damaged"):
        weights.resolve("MobileNetV2", include_top=False)


def test_keras_loads_the_resolved_file_by_path(folders):
    """The stand-in's weights (legacy HDF5 layout) are the ones the built model holds."""
    make_stand_ins.weight_files(folders / "course_data" / "weights", [("MobileNetV2", False)])
    with pytest.warns(UserWarning, match="stand-in"):
        model = zoo.pretrained("MobileNetV2", include_top=False, input_shape=(32, 32, 3))
    again = zoo.pretrained("MobileNetV2", weights=None, include_top=False, input_shape=(32, 32, 3))
    first = model.get_layer("Conv1").get_weights()[0]
    assert not np.allclose(first, again.get_layer("Conv1").get_weights()[0])
    again.load_weights(folders / "course_data" / "weights" / NOTOP.file_name)
    np.testing.assert_array_equal(first, again.get_layer("Conv1").get_weights()[0])


def test_explicit_path_must_be_a_file(tmp_path):
    with pytest.raises(weights.WeightsNotFoundError, match="is not a file"):
        weights.resolve("VGG16", path=tmp_path / "nothing.h5")
