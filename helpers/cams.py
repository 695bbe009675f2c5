"""Class activation maps: CAM, Grad-CAM, and high-resolution CAMs (HalfModel / FullModel).

CAM (Zhou et al., 2016) needs a GAP -> Dense head: CAM_c = sum_k w_kc A_k over the last conv
features A. High-res CAMs (ICIP 2019) at course scale: the HalfModel is a GAP classifier with a
16-channel 1x1 bottleneck before GAP (low-res CAM); the FullModel adds a decoder, trained with
the classifier frozen to reconstruct the input, whose full-resolution 16-channel features are
dotted with the same Dense weights.
"""

from __future__ import annotations

import weakref

import keras
import numpy as np
import tensorflow as tf
from keras import layers as kl

from helpers import metrics, refine
from helpers.infra import arguments, layers
from helpers.saliency import Saliency, Score, resolve_targets

# ---------------------------------------------------------------------------------------------
# CAM and Grad-CAM
# ---------------------------------------------------------------------------------------------


def gap_head(model: keras.Model) -> tuple[keras.layers.Layer, keras.layers.Dense]:
    """The GlobalAveragePooling2D layer and the Dense classifier after it (dropout allowed in
    between); a model without such a head gets an error that suggests Grad-CAM."""
    chain = [layer for _, layer in layers.iter_layers(model) if not isinstance(layer, keras.Model)]
    tail = chain[-1]
    gap_index = next(
        (
            i
            for i in range(len(chain) - 1, -1, -1)
            if isinstance(chain[i], keras.layers.GlobalAveragePooling2D)
        ),
        None,
    )
    between = chain[gap_index + 1 : -1] if gap_index is not None else []
    if (
        gap_index is None
        or not isinstance(tail, keras.layers.Dense)
        or any(not isinstance(layer, keras.layers.Dropout) for layer in between)
    ):
        raise ValueError(
            f"model {model.name!r} does not end in GlobalAveragePooling2D -> Dense, so CAM does "
            "not apply; use grad_cam(model, images), which works for any conv net"
        )
    return chain[gap_index], tail


def upsample(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of maps ``(N, h, w)`` to ``size`` (height, width)."""
    maps = arguments.finite(maps, "maps")
    if maps.ndim != 3:
        raise ValueError(f"maps must be a batch (N, h, w), got shape {maps.shape}")
    if np.ndim(size) != 1 or len(size) != 2:
        raise ValueError(f"size must be (height, width), got {size!r}")
    size = tuple(arguments.count(side, "size") for side in size)
    return tf.image.resize(maps[..., None], size, method="bilinear").numpy()[..., 0]


def cam(model: keras.Model, images, target=None, upsampled: bool = True) -> Saliency:
    """Class activation maps (Zhou et al., 2016) of a batch, from one forward pass.

    Parameters
    ----------
    model
        A network ending in global average pooling and a Dense layer.
    images
        ``(N, H, W, C)`` floats.
    target
        The class explained: an int, one per image, or None (each image's predicted class).
    upsampled
        Resize the maps to the images' size (bilinear); False keeps the last conv
        layer's resolution.

    Returns
    -------
    Saliency
        ``maps`` ``(N, H, W)``: M_c = sum_k w_k^c f_k, and the ``targets``.

    References
    ----------
    Zhou, B. et al. (2016). Learning deep features for discriminative localization. CVPR.

    Examples
    --------
    >>> maps, targets = cam(model, images)  # doctest: +SKIP

    Used in notebook 07.
    """
    images = arguments.model_batch(model, images)
    gap, dense = gap_head(model)
    both = layers.with_intermediate(model, gap, use_input=True)
    features, probabilities = (np.asarray(t) for t in both(images, training=False))
    targets = resolve_targets(target, probabilities.argmax(axis=1), probabilities.shape[1])
    kernel = keras.ops.convert_to_numpy(dense.kernel)
    maps = np.einsum("nhwk,kn->nhw", features, kernel[:, targets])
    if upsampled:
        maps = upsample(maps, images.shape[1:3])
    return Saliency(maps.astype(np.float32), targets)


def grad_cam(
    model: keras.Model,
    images,
    target=None,
    layer: str | None = None,
    upsampled: bool = True,
    score: Score | None = None,
) -> Saliency:
    """Grad-CAM (Selvaraju et al., 2017) for any conv net, nested models too:
    ReLU(sum_k alpha_k A_k), alpha_k the spatial mean of d score / d A_k.

    Parameters
    ----------
    model
        The network explained.
    images
        ``(N, H, W, C)`` floats.
    target
        The class explained: an int, one per image, or None (each image's predicted class).
    layer
        The conv (or pooling) layer whose maps are weighted; None: the last conv layer.
    upsampled
        Resize the maps to the images' size (bilinear).
    score
        What is differentiated (:class:`~helpers.saliency.Score`): by default the class's
        score before the softmax, as the paper does; ``Score(model, logits=False)`` explains
        the probability instead.

    Returns
    -------
    Saliency
        ``maps`` ``(N, H, W)`` and the ``targets``.

    References
    ----------
    Selvaraju, R. R. et al. (2017). Grad-CAM: visual explanations from deep networks via
    gradient-based localization. ICCV.

    Examples
    --------
    >>> maps, targets = grad_cam(model, images, layer="conv2")  # doctest: +SKIP

    Used in notebook 07.
    """
    images = arguments.model_batch(model, images)
    conv = _spatial_layer(model, layer, "Grad-CAM")
    score = Score(model, logits=True) if score is None else score
    if score.layer is not None:
        raise ValueError("Grad-CAM explains the model's classes: give a Score without layer=")
    wanted = (
        np.full(len(images), -1)  # each image's predicted class
        if target is None
        else resolve_targets(target, np.zeros(len(images)), model.outputs[0].shape[-1])
    )
    with score.tracing():  # traced with the model's logits in reach
        maps, targets = _compiled_grad_cam(model, conv, score)(
            tf.convert_to_tensor(images), tf.convert_to_tensor(wanted, tf.int32)
        )
    maps = maps.numpy()
    maps = upsample(maps, images.shape[1:3]) if upsampled else maps
    return Saliency(maps.astype(np.float32), targets.numpy().astype(np.int64))


def _spatial_layer(model: keras.Model, layer: str | None, method: str) -> keras.Layer:
    """The layer ``layer`` of ``model`` (None: its last conv layer), which must give maps."""
    conv = (
        layers.find_layer(model, kind="last_conv")
        if layer is None
        else layers.find_layer(model, name=layer)
    )
    if len(conv.output.shape) != 4:
        raise ValueError(
            f"layer {conv.name!r} has no spatial maps (output {conv.output.shape}): {method} "
            "needs a conv or pooling layer; leave layer=None for the last conv layer"
        )
    return conv


def _weighted_maps(gradients, features):
    """ReLU(sum_k alpha_k A_k), alpha_k the spatial mean of the gradient on map k."""
    weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    return tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))


_GRAD_CAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_grad_cam(model: keras.Model, conv: keras.Layer, score: Score):
    """``(images, wanted) -> (maps, targets)``: Grad-CAM of the target class's score (each
    image's predicted class where ``wanted`` is -1) at ``conv``, compiled on first use and
    kept while the model lives (2.5-5x faster than eager on 500 images, and a widget's
    moves do not trace again). Call it inside ``score.tracing()``: it is traced there."""
    per_layer = _GRAD_CAMS.setdefault(model, {})
    if (conv.name, score.logits) not in per_layer:
        both = layers.with_intermediate(model, conv)
        signature = [
            tf.TensorSpec(model.inputs[0].shape, tf.float32),  # any number of images
            tf.TensorSpec([None], tf.int32),
        ]

        @tf.function(input_signature=signature)  # traced once for every batch size
        def maps_and_targets(images, wanted):
            with tf.GradientTape() as tape:
                features, outputs = both(images, training=False)
                predicted = tf.argmax(outputs, axis=1, output_type=tf.int32)
                targets = tf.where(wanted < 0, predicted, wanted)
                scores = tf.gather(score.of_outputs(outputs), targets, axis=1, batch_dims=1)
            return _weighted_maps(tape.gradient(scores, features), features), targets

        per_layer[conv.name, score.logits] = maps_and_targets
    return per_layer[conv.name, score.logits]


# ---------------------------------------------------------------------------------------------
# HalfModel / FullModel
# ---------------------------------------------------------------------------------------------


def build_half_model(
    num_classes: int = 10, input_shape=(64, 64, 1), bottleneck: int = 16, name: str = "cam_half"
) -> keras.Model:
    """Encoder (4 conv blocks, 1/8 resolution), a ``bottleneck``-channel 1x1 conv, GAP, Dense.

    BatchNorm uses momentum 0.9: with Keras' default 0.99 the moving statistics lagged so far
    behind on the mostly black cluttered canvases that inference accuracy stayed near chance
    after two epochs (0.10 vs 0.55 with batch statistics, measured on 3,000 images).
    """
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for i, filters in enumerate((16, 32, 64), start=1):
        x = kl.Conv2D(filters, 3, padding="same", activation="relu", name=f"enc{i}")(x)
        x = kl.BatchNormalization(momentum=0.9, name=f"enc{i}_bn")(x)
        x = kl.MaxPooling2D(name=f"pool{i}")(x)
    x = kl.Conv2D(128, 3, padding="same", activation="relu", name="enc4")(x)
    x = kl.BatchNormalization(momentum=0.9, name="enc4_bn")(x)
    x = kl.Conv2D(bottleneck, 1, activation="relu", name="bottleneck")(x)
    x = kl.GlobalAveragePooling2D(name="gap")(x)
    outputs = kl.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def build_full_model(half: keras.Model, name: str = "cam_full") -> keras.Model:
    """The frozen HalfModel plus a decoder with skip connections from the encoder.

    Outputs: ``reconstruction`` (the input), ``highres`` (full-resolution features with as many
    channels as the bottleneck) and ``pooled`` (``highres`` averaged down to the bottleneck's
    resolution, trained to agree with it so the Dense weights apply to ``highres``).
    """
    half.trainable = False
    bottleneck = half.get_layer("bottleneck")
    channels = bottleneck.output.shape[-1]
    encoder = keras.Model(
        half.inputs[0],
        [half.get_layer(n).output for n in ("enc1_bn", "enc2_bn", "enc3_bn")] + [bottleneck.output],
        name="encoder",
    )
    inputs = keras.Input(half.inputs[0].shape[1:], name="image")
    skip1, skip2, skip3, x = encoder(inputs, training=False)
    for skip, filters, level in ((skip3, 32, 3), (skip2, 24, 2), (skip1, channels, 1)):
        x = kl.UpSampling2D(interpolation="bilinear", name=f"up{level}")(x)
        x = kl.Concatenate(name=f"skip{level}")([x, skip])
        x = kl.Conv2D(filters, 3, padding="same", activation="relu", name=f"dec{level}")(x)
    highres = kl.Conv2D(channels, 1, activation="relu", name="highres")(x)
    reconstruction = kl.Conv2D(
        half.inputs[0].shape[-1], 1, activation="sigmoid", name="reconstruction"
    )(highres)
    factor = half.inputs[0].shape[1] // bottleneck.output.shape[1]
    pooled = kl.AveragePooling2D(factor, name="pooled")(highres)
    return keras.Model(
        inputs, {"reconstruction": reconstruction, "highres": highres, "pooled": pooled}, name=name
    )


def high_res_cam(full, half: keras.Model, images, target=None) -> Saliency:
    """High-res CAMs: the CAM's class weights applied to full-resolution features.

    Parameters
    ----------
    full
        The decoder model (the quick profile's ``cam_full``): its full-resolution features
        are dotted with the HalfModel's Dense weights. For an ImageNet network, for which no
        decoder is trained, the name of a finer layer of ``half`` instead: its Grad-CAM (at
        that layer's resolution, upsampled) stands in for the high-res map.
    half
        The CAM network (global average pooling and a Dense layer).
    images
        ``(N, H, W, C)`` floats.
    target
        The class explained, as in :func:`cam`.

    Returns
    -------
    Saliency
        ``maps`` ``(N, H, W)`` and the ``targets``.

    Examples
    --------
    >>> maps, targets = high_res_cam(full, half, images)  # doctest: +SKIP

    Used in notebook 07.
    """
    images = arguments.model_batch(half, images)
    predicted = half(images, training=False).numpy()  # the HalfModel runs only to predict
    targets = resolve_targets(target, predicted.argmax(axis=1), predicted.shape[1])
    if isinstance(full, str):
        return Saliency(grad_cam(half, images, targets, layer=full).maps, targets)
    highres = np.concatenate(  # in batches of 128: as fast as predict on 500 images, and
        [  # 0.07 s instead of predict's 0.1-0.27 s for a widget's single image
            full(images[start : start + 128], training=False)["highres"].numpy()
            for start in range(0, len(images), 128)
        ]
    )
    _, dense = gap_head(half)
    kernel = keras.ops.convert_to_numpy(dense.kernel)
    maps = np.einsum("nhwk,kn->nhw", highres, kernel[:, targets])
    return Saliency(maps.astype(np.float32), targets)


# ---------------------------------------------------------------------------------------------
# Training (scripts/train_zoo.py)
# ---------------------------------------------------------------------------------------------


def train_half(
    train,
    validation,
    num_classes: int = 10,
    epochs: int = 6,
    batch_size: int = 128,
    seed: int = 0,
    verbose: int = 2,
):
    """Train the HalfModel on cluttered images; return ``(model, history dict)``."""
    keras.utils.set_random_seed(seed)
    model = build_half_model(num_classes, train.images.shape[1:])
    steps = epochs * int(np.ceil(len(train.images) / batch_size))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        train.images,
        train.labels,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(validation.images, validation.labels),
        verbose=verbose,
    )
    return model, history.history


def bottleneck_features(half: keras.Model, images, batch_size: int = 256) -> np.ndarray:
    """The HalfModel's bottleneck activations (the low-res CAM features)."""
    images = arguments.model_batch(half, images)
    extractor = layers.feature_extractor(half, "bottleneck")
    return extractor.predict(images, batch_size=batch_size, verbose=0)


def train_full(
    half: keras.Model,
    train,
    validation,
    epochs: int = 4,
    batch_size: int = 128,
    seed: int = 0,
    verbose: int = 2,
    reconstruction_weight: float = 1.0,
    agreement_weight: float = 1.0,
):
    """Train the decoder (classifier frozen) on ``reconstruction_weight`` x the error of
    reconstructing the input (the reference's only loss) plus ``agreement_weight`` x the
    error of the pooled high-res features against the bottleneck. Return ``(model, history
    dict)``."""
    weights = {
        "reconstruction": arguments.number(reconstruction_weight, "reconstruction_weight", 0, 1e6),
        "pooled": arguments.number(agreement_weight, "agreement_weight", 0, 1e6),
    }
    if not any(weights.values()):
        raise ValueError("reconstruction_weight and agreement_weight are both 0: nothing to learn")
    keras.utils.set_random_seed(seed)
    full = build_full_model(half)
    full.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss={"reconstruction": "mse", "pooled": "mse"},
        loss_weights=weights,
    )

    def targets(split):
        return {"reconstruction": split.images, "pooled": bottleneck_features(half, split.images)}

    history = full.fit(
        train.images,
        targets(train),
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(validation.images, targets(validation)),
        verbose=verbose,
    )
    return full, history.history


# ---------------------------------------------------------------------------------------------
# Every map type of this module for the same images
# ---------------------------------------------------------------------------------------------


def map_types(half: keras.Model, full, images, params=None, target=None, grad_cam_model=None):
    """Low-res CAM (upsampled), high-res CAM, the refined CAM as the refinement pipeline merges
    it (the binary segment with the low-res map) and with the high-res map inside the
    segment, and Grad-CAM (of ``grad_cam_model``, by default ``half``) of a batch, all for the
    same targets (predicted by default). ``full``: as in :func:`high_res_cam`. ``params``:
    the refinement settings. Returns ``(dict name -> (N, H, W), targets)``."""
    params = refine.RefineParams() if params is None else params
    low, targets = cam(half, images, target, upsampled=False)
    high, _ = high_res_cam(full, half, images, targets)
    refined = refine.refine_batch_sources(low, high, params, ["segment", "high-res in segment"])
    maps = {
        "low-res CAM": upsample(low, np.asarray(images).shape[1:3]),
        "high-res CAM": high,
        "refined CAM": refined["segment"],
        "refined CAM, high-res in segment": refined["high-res in segment"],
        "Grad-CAM": grad_cam(
            half if grad_cam_model is None else grad_cam_model, images, targets
        ).maps,
    }
    return maps, targets


def quality_maps(half: keras.Model, full: keras.Model, test) -> tuple[dict, np.ndarray]:
    """The rows of notebook 07's quality table on a cluttered test set: :func:`map_types`
    and two reference maps, a random map and a centre prior. Returns ``(maps, targets)``."""
    maps, targets = map_types(half, full, test.images)
    shape = test.masks.shape
    references = {
        "random map": metrics.random_maps(shape),
        "centre prior": metrics.centre_prior_maps(shape),
    }
    return maps | references, targets


# ---------------------------------------------------------------------------------------------
# Score-CAM: no gradient, one forward pass per channel
# ---------------------------------------------------------------------------------------------


def score_cam(
    model: keras.Model,
    images,
    target=None,
    layer: str | None = None,
    upsampled: bool = True,
    score: Score | None = None,
    batch_size: int = 256,
) -> Saliency:
    """Score-CAM (Wang et al., 2020): ReLU(sum_k alpha_k A_k), where alpha_k is how much the
    class's score rises when the image is masked by channel k's map (upsampled, scaled to
    [0, 1]) instead of blacked out: one forward pass per channel and image, no gradient.

    Parameters
    ----------
    model
        The network explained.
    images
        ``(N, H, W, C)`` floats.
    target
        The class explained: an int, one per image, or None (each image's predicted class).
    layer
        The conv layer whose channels mask the image; None: the last conv layer.
    upsampled
        Return the maps at the images' size; False: at the layer's resolution.
    score
        What is scored (:class:`~helpers.saliency.Score`): by default the class
        probability, as the paper does.
    batch_size
        Masked images per forward pass.

    Returns
    -------
    Saliency
        ``maps`` ``(N, H, W)`` and the ``targets``.

    References
    ----------
    Wang, H. et al. (2020). Score-CAM: score-weighted visual explanations for convolutional
    neural networks. CVPR Workshops.

    Examples
    --------
    >>> maps, targets = score_cam(model, images, layer="bottleneck")  # doctest: +SKIP

    Used in notebook 08.
    """
    images = arguments.model_batch(model, images)
    conv = _spatial_layer(model, layer, "Score-CAM")
    score = Score(model) if score is None else score
    if score.layer is not None:
        raise ValueError("Score-CAM explains the model's classes: give a Score without layer=")
    both = layers.with_intermediate(model, conv)
    features, outputs = (np.asarray(t) for t in both(images, training=False))
    targets = resolve_targets(target, outputs.argmax(axis=1), outputs.shape[1])
    size = images.shape[1:3]
    masks = upsample(np.moveaxis(features, -1, 1).reshape(-1, *features.shape[1:3]), size)
    masks = masks.reshape(len(images), features.shape[-1], *size)
    low = masks.min(axis=(2, 3), keepdims=True)
    span = masks.max(axis=(2, 3), keepdims=True) - low
    masks = np.where(span > 0, (masks - low) / np.where(span > 0, span, 1), 0.0)
    baseline = score(np.zeros_like(images[:1]))[0]  # the blacked-out image
    maps = np.empty((len(images), *features.shape[1:3]), np.float32)
    for i, image in enumerate(images):
        masked = masks[i][..., None] * image[None]
        rises = score(masked, batch_size)[:, targets[i]] - baseline[targets[i]]
        maps[i] = np.maximum(np.tensordot(features[i], rises, axes=([2], [0])), 0)
    if upsampled:
        maps = upsample(maps, size)
    return Saliency(maps.astype(np.float32), targets)
