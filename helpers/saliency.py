"""One contract for every saliency method of the course, as captum's
``attribute(inputs, target=...)`` and xplique's ``explain(inputs, targets)`` have one:

    method(model, images, target=None, ...) -> Saliency(maps, targets)

* ``target``: None (each image's predicted class), one int for every image, or one per image;
  when a method explains a ``layer``'s units instead of classes, the unit.
* :class:`Saliency`: ``maps`` ``(N, H, W)`` float32 and the ``targets`` ``(N,)`` they
  explain; it unpacks as ``maps, targets = method(...)``.
* :class:`Score`: the number a map explains, shared by occlusion (how much it drops),
  Grad-CAM (its gradient) and deletion/insertion (its curve), as tf-keras-vis's
  ``CategoricalScore`` and model modifiers are.

Used in notebooks 02 (occlusion) and 07 (CAM, Grad-CAM, high-res CAM).
"""

from __future__ import annotations

import contextlib
import weakref
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from helpers.infra import arguments, layers


class Saliency(NamedTuple):
    """What every saliency method returns.

    Attributes
    ----------
    maps
        ``(N, H, W)`` float32: one map per image.
    targets
        ``(N,)`` int: the class (or unit) each map explains.
    """

    maps: np.ndarray
    targets: np.ndarray


def resolve_targets(target, predicted: np.ndarray, n_outputs: int, what: str = "class"):
    """The targets of ``N`` images: ``predicted`` where ``target`` is None, else ``target``
    (one int, or one per image) checked against the ``n_outputs`` classes or units.

    Raises
    ------
    ValueError
        A target that is not a whole number, one per image, in ``0 .. n_outputs - 1``.
    """
    predicted = np.asarray(predicted)
    if target is None:
        return predicted.astype(np.int64)
    chosen = arguments.per_item(target, len(predicted), "target")
    if chosen.min() < 0 or chosen.max() >= n_outputs:
        wrong = chosen.max() if chosen.max() >= n_outputs else chosen.min()
        raise ValueError(
            f"target {what} {wrong} out of range: there are {n_outputs} (0..{n_outputs - 1})"
        )
    return chosen


class Score:
    """The number a saliency map explains, for a batch of images: every output of ``model``
    (class probabilities, or logits with ``logits=True``), or every unit of ``layer`` (conv
    channels spatially averaged). Compiled once, for any batch size.

    Parameters
    ----------
    model
        The network explained.
    layer
        None: the model's outputs; a layer name: that layer's units.
    logits
        Score a class before its softmax (Selvaraju et al.'s choice for Grad-CAM): a
        saturated probability hides how much the evidence changed.

    Examples
    --------
    >>> score = Score(model, logits=True)      # doctest: +SKIP
    >>> score(images).shape                    # doctest: +SKIP
    (8, 10)
    """

    def __init__(self, model: keras.Model, layer: str | int | None = None, logits: bool = False):
        if not isinstance(logits, bool):
            raise ValueError(f"logits must be True or False, got {logits!r}")
        if layer is not None and logits:
            raise ValueError("logits=True scores the model's classes: leave layer=None")
        self.layer, self.logits = layer, logits
        self.images_spec = tf.TensorSpec(model.inputs[0].shape, tf.float32)  # any batch size
        last = model.layers[-1]
        self._softmax_head = getattr(last, "activation", None) is keras.activations.softmax
        if layer is None:  # a weak reference: a cache keyed on the model can let it go
            self._model = weakref.ref(model)
        else:
            extractor = layers.feature_extractor(model, layer)
            self._model = lambda: extractor
        self.tensor = tf.function(self._scores, input_signature=[self.images_spec])

    def _scores(self, batch):
        out = self._model()(batch, training=False)
        if len(out.shape) == 4:
            out = tf.reduce_mean(out, axis=(1, 2))
        return self.of_outputs(out)

    def of_outputs(self, outputs):
        """The scores from outputs computed inside :meth:`tracing` (logits for a softmax
        head): the logits themselves, or their softmax."""
        if self.layer is None and self._softmax_head and not self.logits:
            return tf.nn.softmax(outputs)
        return outputs

    def tracing(self):
        """The block in which code that calls :attr:`tensor` is traced: the model's softmax
        is lifted (:func:`pre_softmax`), so the logits are there to score."""
        return pre_softmax(self._model()) if self.layer is None else contextlib.nullcontext()

    def __call__(self, images, batch_size: int = 256) -> np.ndarray:
        """``(N, outputs)`` scores of ``images``, ``batch_size`` at a time."""
        images = np.asarray(images, np.float32)
        with self.tracing():
            return np.concatenate(
                [
                    self.tensor(images[start : start + batch_size]).numpy()
                    for start in range(0, len(images), batch_size)
                ]
            )


@contextlib.contextmanager
def pre_softmax(model: keras.Model):
    """Within this block the model outputs class scores before the softmax: a final layer
    with a softmax activation computes a linear output instead (tf-keras-vis' model
    modifier). The activation is restored on leaving, also after an error."""
    last = model.layers[-1]
    if getattr(last, "activation", None) is not keras.activations.softmax:
        yield model
        return
    last.activation = keras.activations.linear
    try:
        yield model
    finally:
        last.activation = keras.activations.softmax
