"""The legacy weights reader on random files: random shapes, strides (negative ones too),
offsets, storage sizes and truncations. Each file is either read exactly as a loop over its
indices reads it, or refused with :class:`TorchFileError`; it never crashes the process. The
examples run in a child process, so that a crash fails this test instead of killing pytest."""

from __future__ import annotations

import itertools
import pickle
import subprocess
import sys
import types
from collections import OrderedDict
from pathlib import Path

import numpy as np

from helpers.infra import config
from helpers.models import torch_legacy

EXAMPLES = 500


def _fake_torch():
    """Modules named as torch's, so that pickle writes the globals a real file holds."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called while writing")

    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage, utils._rebuild_tensor_v2 = FloatStorage, _rebuild_tensor_v2
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
    return torch, utils


class _Ref:
    def __init__(self, count):
        self.count = count


class _Tensor:
    def __init__(self, rebuild, count, offset, shape, strides):
        self.rebuild, self.args = rebuild, (_Ref(count), offset, shape, strides)

    def __reduce__(self):
        return self.rebuild, (*self.args, False, OrderedDict())


def write(path: Path, data: np.ndarray, offset, shape, strides, announced: int, cut: int):
    """One tensor on one storage of ``data``; the storage announces ``announced`` elements;
    ``cut`` bytes dropped from the end."""
    torch, utils = _fake_torch()

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Ref):
                return ("storage", torch.FloatStorage, "0", "cpu", obj.count)
            return None

    with open(path, "wb") as handle:
        for header in (torch_legacy.MAGIC_NUMBER, torch_legacy.PROTOCOL_VERSION, {"le": True}):
            pickle.dump(header, handle, protocol=2)
        tensor = _Tensor(utils._rebuild_tensor_v2, announced, offset, shape, strides)
        Pickler(handle, protocol=2).dump(OrderedDict(w=tensor))
        pickle.dump(["0"], handle, protocol=2)
        handle.write(announced.to_bytes(8, "little") + data.astype("<f4").tobytes())
    if cut:
        path.write_bytes(path.read_bytes()[:-cut])


def reference(data: np.ndarray, offset: int, shape, strides) -> np.ndarray:
    """What the tensor holds, element by element."""
    out = np.empty(shape, np.float32)
    for index in itertools.product(*(range(n) for n in shape)):
        out[index] = data[offset + sum(i * s for i, s in zip(index, strides, strict=True))]
    return out


def run(folder: str, examples: int) -> None:
    """The property, on ``examples`` random files in ``folder`` (run in a child process)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    dims = st.integers(0, 3)

    @settings(max_examples=examples, deadline=None, database=None)
    @given(
        st.integers(0, 24),
        dims.flatmap(lambda n: st.tuples(*[st.integers(0, 4)] * n)),
        st.lists(st.integers(-2, 5), min_size=3, max_size=3),
        st.integers(-1, 12),
        st.sampled_from([0, 0, 0, 0, 1, 9, 40]),
        st.sampled_from([None, None, None, 0, 1 << 40]),
    )
    def property_holds(count, shape, stride_pool, offset, cut, announced):
        strides = tuple(stride_pool[: len(shape)])
        data = np.arange(count, dtype=np.float32)
        path = Path(folder) / "random.pth"
        announced_count = count if announced is None else announced
        write(path, data, offset, shape, strides, announced_count, cut)
        try:
            state = torch_legacy.load_state_dict(path)
        except torch_legacy.TorchFileError:
            return
        # read: then the file must have been whole and the view inside its storage
        assert cut == 0 and announced_count == count and offset >= 0
        assert all(s >= 0 for s in strides)
        np.testing.assert_array_equal(state["w"], reference(data, offset, shape, strides))

    property_holds()


def test_random_legacy_files_are_read_exactly_or_refused_and_never_crash(tmp_path):
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from tests.test_torch_legacy_fuzz import run; run({str(tmp_path)!r}, {EXAMPLES})",
        ],
        cwd=config.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, (
        f"exit {child.returncode} (negative: killed by a signal)\n{child.stderr[-3000:]}"
    )


def test_a_negative_stride_and_a_huge_storage_are_refused_by_name(tmp_path):
    import pytest

    path = tmp_path / "negative.pth"
    write(path, np.arange(6, dtype=np.float32), 5, (3,), (-2,), 6, 0)
    with pytest.raises(
        torch_legacy.TorchFileError, match=r"strides \(-2,\) are not whole numbers >= 0"
    ):
        torch_legacy.load_state_dict(path)
    write(path, np.arange(6, dtype=np.float32), 0, (3,), (1,), 1 << 40, 0)
    with pytest.raises(
        torch_legacy.TorchFileError, match=r"announces 4398046511104 bytes, the file has 24 left"
    ):
        torch_legacy.load_state_dict(path)
