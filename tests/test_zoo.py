import json
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import data
from helpers.infra import config, sources
from helpers.models import zoo
from tests.conftest import load_script, write_idx_folder


def _tiny_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="d")], name="tiny")


@pytest.fixture
def saved(tmp_path, monkeypatch):
    monkeypatch.setitem(zoo.RECIPES, "tiny", zoo.Recipe("tiny", lambda **k: _tiny_model(), "x", 1))
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    path = zoo.save(_tiny_model(), {"name": "tiny", "test_accuracy": 0.5}, tmp_path)
    return tmp_path, path


def test_save_then_load_round_trip(saved):
    folder, path = saved
    entry = zoo.manifest_entries(folder)[0]
    assert entry["file"] == "tiny.keras" and len(entry["sha256"]) == 64
    assert zoo.load("tiny", models_dir=folder).get_layer("d").units == 2


def test_missing_file_is_a_clear_error(saved):
    folder, path = saved
    path.unlink()
    with pytest.raises(zoo.ModelUnavailableError, match=r"listed in .*manifest.json but missing"):
        zoo.load("tiny", models_dir=folder)


def test_corrupted_file_is_detected(saved):
    folder, path = saved
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(zoo.ModelUnavailableError, match="corrupt or was changed: its sha256 is"):
        zoo.load("tiny", models_dir=folder)
    try:
        zoo.load("tiny", models_dir=folder)
    except zoo.ModelUnavailableError as error:  # a cache, not the repository: no git advice
        assert "Delete it" in str(error) and "git checkout" not in str(error)


def test_unshipped_model_in_quick_profile_says_how_to_train(saved, tmp_path):
    with pytest.raises(zoo.ModelUnavailableError, match="python -m helpers train tiny"):
        zoo.load("tiny", profile="quick", models_dir=tmp_path / "empty")
    with pytest.raises(zoo.ModelUnavailableError, match=r"No course model is called 'nope'\."):
        zoo.load("nope", models_dir=tmp_path / "empty")
    with pytest.raises(zoo.ModelUnavailableError, match=r"Did you mean 'fashion_cnn'\?"):
        zoo.load("fashion_cn", models_dir=tmp_path / "empty")


def test_full_profile_trains_missing_model_into_cache(tmp_path, monkeypatch, subset):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(
        zoo.RECIPES, "fashion_cnn", zoo.Recipe("fashion_cnn", zoo.build_small_cnn, "fm", epochs=1)
    )
    tiny = type(subset)(
        subset.x_train[:64],
        subset.y_train[:64],
        subset.x_test[:32],
        subset.y_test[:32],
        subset.class_names,
        "tiny",
    )
    model = zoo.load("fashion_cnn", profile="full", models_dir=tmp_path / "none", dataset=tiny)
    assert model.outputs[0].shape[-1] == 10
    assert (tmp_path / "cache" / "models" / "fashion_cnn.keras").is_file()
    assert not (tmp_path / "none").exists()


def test_pretrained_builds_without_weights():
    model = zoo.pretrained(
        "MobileNetV2", weights=None, input_shape=(32, 32, 3), classes=3, alpha=0.35
    )
    assert model.outputs[0].shape[-1] == 3


def test_pretrained_offline_names_the_weight_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("COURSE_DATA", raising=False)
    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "repo_data")
    with pytest.raises(
        FileNotFoundError, match=r"vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5"
    ):
        zoo.pretrained("VGG16", include_top=False)
    with pytest.raises(KeyError, match="Unknown pretrained model 'ResNet'"):
        zoo.pretrained("ResNet")


def test_a_model_trained_on_first_use_is_retrained_on_other_data(tmp_path, monkeypatch, capsys):
    """The cache records the sha256 of the training data; the same data loads the cached
    model, other data trains it again (with a message) instead of reusing it silently."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))

    def dataset(seed):
        images = np.random.default_rng(seed).random((40, 8, 8, 1), dtype=np.float32)
        labels = np.arange(40) % 10
        return data.Dataset(images, labels, images[:10], labels[:10], tuple("abcdefghij"), "d")

    first = zoo.load("cifar10_cnn", "full", dataset=dataset(1), epochs=1)
    entry = zoo.manifest_entries(tmp_path / "cache" / "models")[0]
    assert entry["training_data_sha256"] == zoo.training_data_sha256("cifar10_cnn", dataset(1))
    again = zoo.load("cifar10_cnn", "full", dataset=dataset(1), epochs=1)
    np.testing.assert_array_equal(first.get_weights()[0], again.get_weights()[0])
    assert "training it again" not in capsys.readouterr().out
    zoo.load("cifar10_cnn", "full", dataset=dataset(2), epochs=1)
    assert "was trained on d: 36 train / 4 validation, not on d: training it again" in (
        capsys.readouterr().out
    )
    retrained = zoo.manifest_entries(tmp_path / "cache" / "models")[0]
    assert retrained["training_data_sha256"] == zoo.training_data_sha256("cifar10_cnn", dataset(2))


def test_fashion_cnn_architecture():
    model = zoo.build_small_cnn()
    assert model.get_layer("conv1").kernel.shape == (5, 5, 1, 32)
    assert isinstance(model.get_layer("features"), keras.layers.GlobalAveragePooling2D)
    assert model.get_layer("predictions").activation is keras.activations.softmax


@pytest.mark.slow
def test_train_script_runs_a_few_steps(tmp_path):
    write_idx_folder(tmp_path / "fm", n_train=64, n_test=16)
    infos = load_script("train_zoo").main(
        [
            "fashion_cnn",
            "--epochs",
            "1",
            "--data",
            str(tmp_path / "fm"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert infos[0]["epochs"] == 1 and 0.0 <= infos[0]["test_accuracy"] <= 1.0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["models"][0]["name"] == "fashion_cnn"
    assert zoo.load("fashion_cnn", models_dir=tmp_path / "out").count_params() > 0


def test_shipped_fashion_cnn_is_accurate(subset):
    entry = next(e for e in zoo.manifest_entries() if e["name"] == "fashion_cnn")
    assert entry["test_accuracy"] >= 0.91
    model = zoo.load("fashion_cnn")
    predictions = model.predict(subset.x_test, verbose=0, batch_size=500).argmax(axis=1)
    assert np.mean(predictions == subset.y_test) >= 0.90


def test_unseen_training_images_are_disjoint_from_what_fashion_cnn_trained_on(subset):
    held = zoo.unseen_training_images("fashion_cnn", subset)
    trained_on, _ = zoo.validation_split("fashion_cnn", 60000)
    assert len(held) > 900  # about 10 % of the 10,000 subset images
    assert not np.isin(subset.train_index[held], trained_on).any()
    others = np.setdiff1d(np.arange(len(subset.y_train)), held)
    assert np.isin(subset.train_index[others], trained_on).all()


def test_unseen_training_images_need_a_recorded_split_and_a_traceable_dataset(subset):
    with pytest.raises(ValueError, match=r"records no validation split .* 'fashion_base8'"):
        zoo.unseen_training_images("fashion_base8", subset)
    untraced = data.Dataset(*[getattr(subset, f) for f in ("x_train", "y_train", "x_test")],
                            subset.y_test, subset.class_names, "pasted arrays")  # fmt: skip
    with pytest.raises(ValueError, match=r"pasted arrays does not say which"):
        zoo.unseen_training_images("fashion_cnn", untraced)


def test_a_damaged_manifest_names_the_file_and_the_fix(tmp_path, monkeypatch):
    (tmp_path / "manifest.json").write_text('{"models": [{"name": "fashion_cnn", ')  # truncated
    monkeypatch.setattr(config, "MODELS_DIR", tmp_path)
    with pytest.raises(
        zoo.ModelUnavailableError, match=r"manifest .*manifest.json is damaged.*git checkout --"
    ):
        zoo.manifest_entries(tmp_path)
    elsewhere = tmp_path / "cache"
    elsewhere.mkdir()
    (elsewhere / "manifest.json").write_text("[]")
    with pytest.raises(zoo.ModelUnavailableError, match=r"damaged .*delete it and retrain"):
        zoo.manifest_entries(elsewhere)


def test_a_manifest_write_that_fails_half_way_leaves_the_old_one_whole(tmp_path, monkeypatch):
    path = tmp_path / "manifest.json"
    old = json.dumps({"models": [{"name": "a"}]})
    path.write_text(old)
    real_write_text = Path.write_text

    def disk_full(self, text):  # writes half, then the disk is full
        real_write_text(self, text[: len(text) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError, match="No space left"):
        sources.write_atomically(path, json.dumps({"models": [{"name": "b"}] * 100}))
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no partial file left


def test_cam_job_ships_the_decoder_its_ablation_chose(tmp_path, monkeypatch):
    write_idx_folder(tmp_path / "fm", n_train=64, n_test=16)
    script = load_script("train_zoo")
    monkeypatch.setattr(
        script,
        "DECODER_VARIANTS",
        {"reconstruction only (reference)": (1.0, 0.0), "agreement only": (0.0, 1.0)},
    )
    infos = script.main(
        ["cam", "--epochs", "1", "--max-train", "64"]
        + ["--data", str(tmp_path / "fm"), "--out", str(tmp_path / "out")]
    )
    half_info, full_info = infos
    assert half_info["name"] == "cam_half" and full_info["name"] == "cam_full"
    low, *rows = full_info["ablation"]["rows"]
    assert low["variant"] == script.LOW_RES_ROW and "reconstruction weight" not in low
    assert [row["variant"] for row in rows] == list(script.DECODER_VARIANTS)
    best = max(rows, key=lambda row: (row["IoU"] + row["boundary F"]) / 2)
    assert full_info["reconstruction_weight"] == best["reconstruction weight"]
    assert best["variant"] in full_info["description"]
    for row in rows:
        assert 0 <= row["boundary F"] <= 1 and 0 <= row["energy in mask"] <= 1
    shipped = zoo.load("cam_full", models_dir=tmp_path / "out")
    assert shipped.count_params() > 0
