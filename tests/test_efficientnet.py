"""EfficientNet-Lite0 in Keras equals the independent PyTorch implementation on the reference
inputs (tests/fixtures/efficientnet_lite0_reference.npz, made with PyTorch by
scripts/reference/efficientnet_reference.py), preprocessing included; its weights file is read
without PyTorch, and a tampered, malicious or truncated file is refused."""

from __future__ import annotations

import json
import os
import pickle
import sys
import types
from collections import OrderedDict

import keras
import numpy as np
import pytest

from helpers.data import photos
from helpers.infra import config
from helpers.models import efficientnet, torch_legacy
from helpers.saliency import pre_softmax

pytestmark = pytest.mark.xdist_group("efficientnet")  # one worker builds the network once

REFERENCE = config.REPO_ROOT / "tests" / "fixtures" / "efficientnet_lite0_reference.npz"


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    os.environ["COURSE_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        model = efficientnet.load()
        assert efficientnet.cached_weights_path().is_file()  # converted once, kept
        yield model
    finally:
        os.environ.pop("COURSE_CACHE", None)


def logits_and_block4(model, images):
    with pre_softmax(model):
        logits = model.predict(images, verbose=0)
    block4 = keras.Model(model.input, model.get_layer("block4_out").output)
    return logits, block4.predict(images[:2], verbose=0)


def test_the_keras_port_gives_the_pytorch_logits_and_top5(network, reference):
    images = reference["inputs"].astype(np.float32) / 255.0
    logits, block4 = logits_and_block4(network, images)
    assert np.abs(logits - reference["logits"]).max() <= 1e-3
    np.testing.assert_allclose(block4, reference["block4"], atol=1e-3)
    names = [str(n) for n in reference["names"]]
    for name, ours, theirs in zip(names, logits, reference["logits"], strict=True):
        if name.startswith("noise"):  # their 4th and 5th logits lie 0.003 apart
            continue
        assert list(np.argsort(-ours)[:5]) == list(np.argsort(-theirs)[:5]), name
    provenance = json.loads(str(reference["provenance"]))
    assert provenance["weights_sha256"] == efficientnet.WEIGHTS_SHA256


def test_the_course_photos_are_the_reference_inputs(reference):
    shipped = photos.course_photos()
    assert shipped.names == tuple(str(n) for n in reference["names"][:6])
    np.testing.assert_array_equal(
        np.rint(shipped.images * 255).astype(np.uint8), reference["inputs"][:6]
    )


def test_the_first_layer_maps_images_in_0_1_to_what_the_weights_were_trained_on(network):
    preprocess = network.get_layer("preprocess")
    out = keras.ops.convert_to_numpy(preprocess(np.array([0.0, 127 / 255, 1.0], np.float32)))
    np.testing.assert_allclose(out, [-127 / 128, 0.0, 1.0], atol=1e-6)


def test_the_architecture_is_b0_without_squeeze_excitation(network):
    blocks = efficientnet.blocks()
    assert len(blocks) == 16
    assert [b.index for b in blocks if b.skip] == [2, 4, 6, 7, 9, 10, 12, 13, 14]
    assert network.get_layer(efficientnet.BLOCK_28).output.shape[1:] == (28, 28, 40)
    assert network.get_layer(efficientnet.BLOCK_14).output.shape[1:] == (14, 14, 112)
    state = torch_legacy.load_state_dict(efficientnet.weights_path())
    in_file = sum(a.size for k, a in state.items() if not k.endswith("num_batches_tracked"))
    assert network.count_params() == in_file == 4_694_024  # every weight, each from the file
    assert "EfficientNet-Lite0" in efficientnet.describe() and "75.1%" in efficientnet.describe()


def test_a_second_load_reads_the_cache_and_a_damaged_cache_is_converted_again(network):
    efficientnet.cached_weights_path().write_bytes(b"not hdf5")
    again = efficientnet.load()
    for a, b in zip(again.get_weights(), network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert efficientnet.cached_weights_path().stat().st_size > 1_000_000


def test_a_tampered_weights_file_is_refused(tmp_path):
    source = efficientnet.weights_path()
    tampered = tmp_path / source.name
    raw = bytearray(source.read_bytes())
    raw[-10] ^= 0xFF
    tampered.write_bytes(bytes(raw))
    with pytest.raises(efficientnet.WeightsUnavailableError, match="not the published.*changed"):
        efficientnet.verified(tampered)


# --- the reader, on files written here in PyTorch's legacy layout ---------------------------


@pytest.fixture
def fake_torch(monkeypatch):
    """Modules named as torch's, so that pickle writes the globals a real file holds."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called while writing")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage, utils._rebuild_tensor_v2 = FloatStorage, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)
    return torch, utils


class _Tensor:
    def __init__(self, key, data, offset, shape, strides, rebuild):
        self.key, self.data, self.args, self.rebuild = key, data, (offset, shape, strides), rebuild

    def __reduce__(self):
        offset, shape, strides = self.args
        return self.rebuild, (
            _StorageRef(self.key, self.data),
            offset,
            shape,
            strides,
            False,
            OrderedDict(),
        )


class _StorageRef:
    def __init__(self, key, data):
        self.key, self.data = key, data


def write_legacy(path, tensors: dict, fake, extra=None, cut: int = 0):
    """Write ``tensors`` ({name: (float32 data, offset, shape, strides)}) as torch.save's
    legacy format; ``extra`` adds an entry as is; ``cut`` drops bytes from the end."""
    torch, utils = fake
    storages = {}

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, _StorageRef):
                storages[obj.key] = obj.data
                return ("storage", torch.FloatStorage, obj.key, "cpu", len(obj.data))
            return None

    state = OrderedDict(
        (name, _Tensor(str(i), data, *rest, utils._rebuild_tensor_v2))
        for i, (name, (data, *rest)) in enumerate(tensors.items())
    )
    state.update(extra or {})
    with open(path, "wb") as handle:
        for header in (torch_legacy.MAGIC_NUMBER, torch_legacy.PROTOCOL_VERSION, {"le": True}):
            pickle.dump(header, handle, protocol=2)
        Pickler(handle, protocol=2).dump(state)
        pickle.dump(list(storages), handle, protocol=2)
        for data in storages.values():
            handle.write(len(data).to_bytes(8, "little") + data.astype("<f4").tobytes())
    if cut:
        path.write_bytes(path.read_bytes()[:-cut])


def test_the_reader_rebuilds_offsets_and_strides(tmp_path, fake_torch):
    data = np.arange(12, dtype=np.float32)
    path = tmp_path / "state.pth"
    write_legacy(
        path,
        {"weight": (data, 0, (3, 4), (4, 1)), "transposed": (data, 2, (2, 3), (1, 4))},
        fake_torch,
    )
    state = torch_legacy.load_state_dict(path)
    np.testing.assert_array_equal(state["weight"], data.reshape(3, 4))
    np.testing.assert_array_equal(state["transposed"], [[2, 6, 10], [3, 7, 11]])


def test_a_pickle_that_names_another_callable_is_refused(tmp_path, fake_torch):
    path = tmp_path / "evil.pth"
    write_legacy(
        path,
        {"w": (np.ones(2, np.float32), 0, (2,), (1,))},
        fake_torch,
        extra={"payload": os.system},
    )
    with pytest.raises(torch_legacy.TorchFileError, match=r"names (posix|os|nt)\.system.*refused"):
        torch_legacy.load_state_dict(path)


def test_a_truncated_storage_is_refused(tmp_path, fake_torch):
    path = tmp_path / "cut.pth"
    write_legacy(path, {"w": (np.ones(100, np.float32), 0, (100,), (1,))}, fake_torch, cut=40)
    truncated = r"truncated: storage 0 announces 400 bytes, the file has 360 left"
    with pytest.raises(torch_legacy.TorchFileError, match=truncated):
        torch_legacy.load_state_dict(path)


def test_a_file_that_is_not_a_legacy_state_dict_is_refused(tmp_path):
    path = tmp_path / "zip.pth"
    path.write_bytes(b"PK\x03\x04 a zip archive, torch's newer format")
    with pytest.raises(torch_legacy.TorchFileError, match="is not a PyTorch legacy file"):
        torch_legacy.load_state_dict(path)


def test_the_adapted_network_resizes_grey_images_and_keeps_every_weight(network):
    adapted = efficientnet.adapted((28, 28, 1), size=64)
    assert [layer.name for layer in adapted.layers[:3]] == ["image", "resize", "grey_to_rgb"]
    for layer in (layer for layer in adapted.layers if layer.weights):
        for mine, trained in zip(
            layer.get_weights(), network.get_layer(layer.name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(mine, trained)
    grey = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    by_hand = keras.ops.image.resize(np.repeat(grey, 3, axis=-1), (64, 64))
    plain = efficientnet.build(size=64)
    plain.set_weights(network.get_weights())
    np.testing.assert_allclose(
        adapted.predict(grey, verbose=0), plain.predict(by_hand, verbose=0), atol=1e-5
    )
