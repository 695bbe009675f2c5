"""Feature visualisation: what a unit wants to see. Gradient ascent on the input, from noise,
to maximise a unit's, a conv channel's or a class's score (Erhan et al., 2009), with the
regularisers that make the result readable (Olah, Mordvintsev & Schubert, Distill 2017):
random jitter, rotation and scale at every step (transformation robustness), an optional
blur, and a Fourier parameterisation with decorrelated colours.

The objective is a :class:`~helpers.saliency.Score`, the same object the saliency methods
explain: ``Score(model, layer)`` scores every unit of ``layer`` (conv channels spatially
averaged), ``Score(model, logits=True)`` every class before the softmax; ``target=`` picks
the unit, one per image, as every saliency method's ``target=`` does.

Used in notebook 08.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from helpers.infra import arguments
from helpers.saliency import Score, resolve_targets

# The square root of ImageNet's colour covariance, columns = its principal directions scaled
# by their standard deviations (published with Lucid, Olah et al. 2017); dividing by the
# largest column norm keeps the decorrelated image's range close to the correlated one's.
COLOUR_SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], np.float32)
COLOUR_SQRT_NORMALISED = COLOUR_SQRT / np.linalg.norm(COLOUR_SQRT, axis=0).max()


@dataclass(frozen=True)
class Regularisers:
    """What makes a visualisation readable; :data:`NONE` switches every one off.

    Attributes
    ----------
    jitter
        Random shift of the image at each step, up to this many pixels each way.
    rotate
        Random rotation at each step, up to this many degrees each way.
    scale
        Random zoom at each step, by a factor in ``[1 - scale, 1 + scale]``.
    blur
        Standard deviation (pixels) of a Gaussian blur the model sees the image through (0:
        none); it removes the highest frequencies from the gradient.
    fourier
        Optimise the image's Fourier coefficients, scaled by 1 / frequency ** ``decay``,
        instead of its pixels: low frequencies move first.
    decay
        The exponent of that scaling (1: every frequency band gets the same energy).
    decorrelate
        Optimise colours along ImageNet's principal colour directions (RGB images only),
        and squash the image into [0, 1] with a sigmoid.
    """

    jitter: int = 8
    rotate: float = 5.0
    scale: float = 0.05
    blur: float = 0.0
    fourier: bool = True
    decay: float = 1.0
    decorrelate: bool = True

    @property
    def transforms(self) -> bool:
        return bool(self.jitter or self.rotate or self.scale)


NONE = Regularisers(jitter=0, rotate=0.0, scale=0.0, blur=0.0, fourier=False, decorrelate=False)


class Visualisation(NamedTuple):
    """What :func:`visualise` returns.

    Attributes
    ----------
    images
        ``(N, H, W, C)`` float32: one image per target, as the model saw it without the
        random transforms.
    targets
        ``(N,)`` int: the unit (or class) each image maximises.
    history
        ``(steps + 1, N)`` float32: each target's score before every step and after the last
        (on the transformed image the step saw; the last row on the final image itself).
    """

    images: np.ndarray
    targets: np.ndarray
    history: np.ndarray


def random_transforms(n: int, size: tuple[int, int], regularisers: Regularisers, rng) -> np.ndarray:
    """``(n, 8)`` projective transforms (TensorFlow's convention: output pixel -> input pixel)
    of a random rotation, zoom and shift about the image's centre."""
    height, width = size
    angle = np.deg2rad(rng.uniform(-regularisers.rotate, regularisers.rotate, n))
    zoom = rng.uniform(1 - regularisers.scale, 1 + regularisers.scale, n)
    shift = rng.integers(-regularisers.jitter, regularisers.jitter + 1, (n, 2))
    cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
    cx, cy = (width - 1) / 2, (height - 1) / 2
    ox, oy = cx + shift[:, 0], cy + shift[:, 1]  # the output's centre moves by the shift
    out = np.zeros((n, 8), np.float32)
    out[:, 0], out[:, 1], out[:, 2] = cos, sin, cx - cos * ox - sin * oy
    out[:, 3], out[:, 4], out[:, 5] = -sin, cos, cy + sin * ox - cos * oy
    return out


def _gaussian_kernel(sigma: float, channels: int) -> np.ndarray:
    radius = max(1, int(np.ceil(2.5 * sigma)))
    x = np.arange(-radius, radius + 1)
    g = np.exp(-(x**2) / (2 * sigma**2))
    kernel = np.outer(g, g) / np.outer(g, g).sum()
    return np.repeat(kernel[:, :, None, None], channels, axis=2).astype(np.float32)


class _Parameterisation:
    """Parameters -> image, as a differentiable function, and the parameters' start."""

    def __init__(self, size: tuple[int, int], channels: int, regularisers: Regularisers):
        self.size, self.channels, self.reg = size, channels, regularisers
        height, width = size
        if regularisers.fourier:
            fy = np.fft.fftfreq(height)[:, None]
            fx = np.fft.rfftfreq(width)[None, :]
            frequency = np.sqrt(fx**2 + fy**2)
            scale = 1.0 / np.maximum(frequency, 1.0 / max(height, width)) ** regularisers.decay
            self.scale = tf.constant(scale * np.sqrt(height * width), tf.float32)  # orthonormal
            self.shape = (channels, height, width // 2 + 1, 2)
        else:
            self.shape = (height, width, channels)
        self.decorrelate = regularisers.decorrelate and channels == 3

    def start(self, n: int, rng) -> np.ndarray:
        """Noise: small random Fourier coefficients, or pixels around grey (0.5 +- 0.1)."""
        if self.reg.fourier:
            return rng.normal(0, 0.01, (n, *self.shape)).astype(np.float32)
        centre = 0.0 if self.decorrelate else 0.5  # a sigmoid follows: 0 is its grey
        return (centre + rng.uniform(-0.1, 0.1, (n, *self.shape))).astype(np.float32)

    def image(self, params):
        if self.reg.fourier:
            spectrum = tf.complex(params[..., 0], params[..., 1]) * tf.cast(
                self.scale, tf.complex64
            )
            x = tf.signal.irfft2d(spectrum, fft_length=list(self.size))  # (N, C, H, W)
            x = tf.transpose(x, (0, 2, 3, 1))
        else:
            x = params
        if self.decorrelate:
            x = tf.einsum("nhwc,dc->nhwd", x, COLOUR_SQRT_NORMALISED)
        if self.reg.fourier or self.decorrelate:
            x = tf.sigmoid(x)
        return x


def visualise(
    score: Score,
    target,
    size: int | tuple[int, int] | None = None,
    steps: int = 128,
    learning_rate: float = 0.05,
    regularisers: Regularisers = Regularisers(),
    optimiser: str = "adam",
    seed: int = 0,
    progress: bool = False,
) -> Visualisation:
    """Images that maximise ``score``'s ``target`` units, one per target, by gradient ascent
    from noise.

    Parameters
    ----------
    score
        The objective: ``Score(model, layer)`` (a layer's units; conv channels spatially
        averaged) or ``Score(model, logits=True)`` (classes before the softmax).
    target
        The unit (or class) of each image: an int, or one per image (their number is the
        number of images).
    size
        The images' height and width; None: the model's input size (which must be fixed).
    steps, learning_rate
        Gradient-ascent steps and their size.
    regularisers
        :class:`Regularisers`; :data:`NONE` for plain gradient ascent on the pixels.
    optimiser
        ``"adam"`` (Lucid's choice) or ``"gradient"``: plain ascent along the gradient,
        normalised to length ``learning_rate`` per image (keras.io's "Visualizing what
        convnets learn").
    seed
        The start noise and the random transforms.

    Returns
    -------
    Visualisation
        ``images``, ``targets`` and the score ``history``.

    References
    ----------
    Erhan, D. et al. (2009). Visualizing higher-layer features of a deep network.
    Olah, C., Mordvintsev, A., Schubert, L. (2017). Feature visualization. Distill.

    Examples
    --------
    >>> vis = visualise(Score(model, "block4_out"), target=[0, 1, 2])  # doctest: +SKIP
    >>> vis.images.shape                                              # doctest: +SKIP
    (3, 128, 128, 3)
    """
    if not isinstance(score, Score):
        raise ValueError(f"score must be a helpers.saliency.Score, got {type(score).__name__}")
    if optimiser not in ("adam", "gradient"):
        raise ValueError(f"optimiser must be 'adam' or 'gradient', got {optimiser!r}")
    if not isinstance(regularisers, Regularisers):
        raise ValueError("regularisers must be a featurevis.Regularisers (or featurevis.NONE)")
    steps = arguments.count(steps, "steps", low=0)
    learning_rate = arguments.number(learning_rate, "learning_rate", 0, 1e6, low_open=True)
    input_shape = tuple(score.images_spec.shape[1:])
    if size is None:
        size = input_shape[:2]
    size = (size, size) if np.ndim(size) == 0 else tuple(size)
    size = tuple(arguments.count(side, "size") for side in size)
    if None not in input_shape[:2] and size != input_shape[:2]:
        raise ValueError(f"size {size} differs from the model's input {input_shape[:2]}")
    channels = input_shape[2]
    with score.tracing():  # traced where the logits are in reach, as every use of the score
        n_units = int(score.tensor.get_concrete_function().structured_outputs.shape[-1])
    count = 1 if np.ndim(target) == 0 else len(target)
    targets = resolve_targets(target, np.zeros(count, int), n_units, "unit")
    rng = np.random.default_rng(seed)
    parameterisation = _Parameterisation(size, channels, regularisers)
    params = tf.Variable(parameterisation.start(count, rng))
    blur = _gaussian_kernel(regularisers.blur, channels) if regularisers.blur > 0 else None
    chosen_targets = tf.constant(targets, tf.int32)

    @tf.function
    def step_scores(params, transforms):
        with tf.GradientTape() as tape:
            tape.watch(params)
            seen = parameterisation.image(params)
            if regularisers.transforms:
                seen = tf.raw_ops.ImageProjectiveTransformV3(
                    images=seen,
                    transforms=transforms,
                    output_shape=list(size),
                    fill_value=0.0,
                    interpolation="BILINEAR",
                    fill_mode="REFLECT",
                )
            if blur is not None:
                seen = tf.nn.depthwise_conv2d(seen, blur, [1, 1, 1, 1], "SAME")
            scores = tf.gather(score.tensor(seen), chosen_targets, axis=1, batch_dims=1)
            total = tf.reduce_sum(scores)
        return scores, tape.gradient(total, params)

    adam = keras.optimizers.Adam(learning_rate) if optimiser == "adam" else None
    history = []
    identity = np.tile(np.array([[1, 0, 0, 0, 1, 0, 0, 0]], np.float32), (count, 1))
    with score.tracing():
        for _ in tqdm(range(steps), desc="feature visualisation", disable=not progress):
            transforms = (
                random_transforms(count, size, regularisers, rng)
                if regularisers.transforms
                else identity
            )
            scores, gradient = step_scores(params, tf.constant(transforms))
            history.append(scores.numpy())
            if adam is not None:
                adam.apply_gradients([(-gradient, params)])  # ascent
            else:
                norms = tf.sqrt(
                    tf.reduce_sum(
                        gradient**2, axis=list(range(1, gradient.shape.rank)), keepdims=True
                    )
                )
                params.assign_add(learning_rate * gradient / (norms + 1e-12))
        images = parameterisation.image(params)
        final = tf.gather(score.tensor(images), chosen_targets, axis=1, batch_dims=1)
    history.append(final.numpy())
    return Visualisation(
        images.numpy().astype(np.float32), targets, np.asarray(history, np.float32)
    )


def without(regularisers: Regularisers, *names: str) -> Regularisers:
    """``regularisers`` with the named ones switched off (as in :data:`NONE`)."""
    unknown = sorted(set(names) - {f.name for f in dataclasses.fields(Regularisers)})
    if unknown:
        raise ValueError(f"unknown regularisers {unknown}: some of {Regularisers.__annotations__}")
    return dataclasses.replace(regularisers, **{name: getattr(NONE, name) for name in names})
