"""Read a state dict saved in PyTorch's *legacy* (non-zip) format with numpy alone.

The file is a sequence of pickles followed by raw data:

1. three small pickles: a magic number, a protocol version, and system information;
2. the state dict, pickled with *persistent ids* that name storages instead of holding data;
3. a pickled list of the storage keys, in the order their data follows;
4. for each key, its element count as a little-endian 8-byte integer, then its raw
   little-endian data.

Every pickle is read through an allow-list: an ``OrderedDict``, torch's tensor-rebuild function
and the storage type names, nothing else (a pickle naming any other callable is refused, as
the CIFAR reader of :mod:`helpers.data.cifar` does). PyTorch is never imported.
"""

from __future__ import annotations

import os
import pickle
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class TorchFileError(ValueError):
    """A file that is not a whole, plain PyTorch legacy state dict."""


@dataclass(frozen=True)
class _StorageType:
    name: str


@dataclass(frozen=True)
class _Storage:
    key: str
    dtype: type
    count: int


@dataclass(frozen=True)
class _Tensor:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]


def _counts(values, what: str) -> tuple[int, ...]:
    """A tensor's shape or strides: whole numbers >= 0, else the file is refused (a negative
    stride or offset would make a view reach before its storage)."""
    if not isinstance(values, tuple | list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        raise TorchFileError(f"a tensor's {what} {values!r:.80} are not whole numbers >= 0")
    return tuple(values)


def _rebuild_tensor_v2(storage, offset, shape, strides, requires_grad=False, hooks=None, *_):
    if not isinstance(storage, _Storage):
        raise TorchFileError("a tensor refers to something that is not a storage")
    (offset,) = _counts([offset], "offset")
    shape, strides = _counts(shape, "shape"), _counts(strides, "strides")
    if len(shape) != len(strides):
        raise TorchFileError(f"a tensor has {len(shape)} dimensions but {len(strides)} strides")
    return _Tensor(storage, offset, shape, strides)


class _Unpickler(pickle.Unpickler):
    """Allows only what a plain state dict holds; turns storages into references."""

    def __init__(self, handle, path: Path):
        super().__init__(handle)
        self.path = path

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise TorchFileError(
            f"{self.path} names {module}.{name}, which a plain state dict never holds: it is "
            "refused (a pickle can run any function it names). Reinstall the package that "
            "ships the file."
        )

    def persistent_load(self, saved_id):
        if not (isinstance(saved_id, tuple) and saved_id and saved_id[0] == "storage"):
            raise TorchFileError(f"{self.path} holds an unknown persistent id {saved_id!r:.80}")
        if len(saved_id) < 5:
            raise TorchFileError(f"{self.path} holds a short storage id {saved_id!r:.80}")
        storage_type, key, _location, count = saved_id[1:5]
        if not isinstance(storage_type, _StorageType):
            raise TorchFileError(f"{self.path}: storage {key} has no storage type")
        (count,) = _counts([count], f"storage {key!r:.20} element count")
        return _Storage(str(key), STORAGE_DTYPES[storage_type.name], count)


def _tensors(state, path: Path) -> list[tuple[str, _Tensor]]:
    if not isinstance(state, OrderedDict | dict):
        raise TorchFileError(f"{path} holds a {type(state).__name__}, not a state dict")
    items = list(state.items())
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, _Tensor):
            raise TorchFileError(f"{path}: entry {name!r} is not a tensor")
    return items


def _bytes_left(handle) -> int:
    return os.fstat(handle.fileno()).st_size - handle.tell()


def _read_storages(handle, keys: list[str], storages: dict[str, _Storage], path: Path):
    """Each storage's data, every announced size compared with the bytes the file has left
    before anything is allocated."""
    if 8 * len(keys) > _bytes_left(handle):
        raise TorchFileError(
            f"{path} lists {len(keys)} storages but has {_bytes_left(handle)} bytes left: "
            "it is damaged or truncated"
        )
    data = {}
    for key in keys:
        storage = storages.get(key)
        if storage is None:
            raise TorchFileError(f"{path}: storage {key} is listed but no tensor uses it")
        count_bytes = handle.read(8)
        if len(count_bytes) < 8:
            raise TorchFileError(f"{path} is truncated: storage {key}'s size is missing")
        count = int.from_bytes(count_bytes, "little")
        if count != storage.count:
            raise TorchFileError(
                f"{path}: storage {key} announces {count} elements, its tensors {storage.count}"
            )
        size = count * np.dtype(storage.dtype).itemsize
        if size > _bytes_left(handle):
            raise TorchFileError(
                f"{path} is truncated: storage {key} announces {size} bytes, the file has "
                f"{_bytes_left(handle)} left. Reinstall the package that ships the file."
            )
        raw = handle.read(size)
        data[key] = np.frombuffer(raw, dtype=np.dtype(storage.dtype).newbyteorder("<"))
    return data


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """The tensors of a PyTorch legacy state dict file, as numpy arrays by name.

    Parameters
    ----------
    path
        A file written by ``torch.save(state_dict, path, _use_new_zipfile_serialization=False)``.

    Returns
    -------
    dict
        ``{name: array}`` in the file's order, each array with the tensor's shape and dtype.

    Raises
    ------
    TorchFileError
        For a file that is not a legacy state dict, names a callable outside the allow-list,
        or is truncated.
    """
    path = Path(path)
    with open(path, "rb") as handle:
        try:
            header = [_Unpickler(handle, path).load() for _ in range(3)]
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
            if isinstance(error, TorchFileError):
                raise
            raise TorchFileError(f"{path} is not a PyTorch legacy file ({error})") from None
        if header[0] != MAGIC_NUMBER or header[1] != PROTOCOL_VERSION:
            raise TorchFileError(
                f"{path} is not a PyTorch legacy file (magic number or protocol version differ)"
            )
        try:
            tensors = _tensors(_Unpickler(handle, path).load(), path)
            keys = _Unpickler(handle, path).load()
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError) as error:
            if isinstance(error, TorchFileError):
                raise
            raise TorchFileError(f"{path} is damaged or truncated ({error})") from None
        storages = {tensor.storage.key: tensor.storage for _, tensor in tensors}
        data = _read_storages(handle, [str(k) for k in keys], storages, path)
        if _bytes_left(handle):
            raise TorchFileError(
                f"{path} has {_bytes_left(handle)} bytes after its last storage: a storage "
                "announces fewer elements than it holds, or the file was changed"
            )
    missing = sorted(set(storages) - set(data))
    if missing:
        raise TorchFileError(f"{path}: no data for storages {missing[:5]}")
    arrays = {}
    for name, tensor in tensors:
        flat = data[tensor.storage.key]
        itemsize = flat.dtype.itemsize
        # strides and offset are >= 0 (checked when read), so the last element a view
        # reaches is offset + sum((n - 1) * stride): its extent is exact
        end = tensor.offset + (
            1 + sum((n - 1) * s for n, s in zip(tensor.shape, tensor.strides, strict=True))
            if all(tensor.shape)
            else 0
        )
        if end > len(flat):
            raise TorchFileError(f"{path}: tensor {name} reaches past its storage")
        view = np.lib.stride_tricks.as_strided(
            flat[tensor.offset :],
            shape=tensor.shape,
            strides=tuple(s * itemsize for s in tensor.strides),
            writeable=False,
        )
        arrays[name] = np.array(view, dtype=flat.dtype.newbyteorder("="))
    return arrays
