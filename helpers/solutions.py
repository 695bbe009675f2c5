"""Reference solutions of the coding exercises: look here only after trying.

In a notebook, ``solutions.top_k_indices??`` shows one. Each is checked in CI by the same
checker the learner runs (``helpers.coding``).
"""

from __future__ import annotations

import numpy as np

# --- 01_filters ------------------------------------------------------------------------------


def normalise_filters(bank):
    """Each filter of ``bank`` (filters, h, w) min-max scaled to [0, 1]; a flat one to 0."""
    low = bank.min(axis=(1, 2), keepdims=True)
    span = bank.max(axis=(1, 2), keepdims=True) - low
    return (bank - low) / np.where(span > 0, span, 1.0)


def receptive_field(stack):
    """Receptive field of the last layer of ``stack`` [(kernel, stride), ...] in input
    pixels: each layer adds (kernel - 1) x jump; the jump multiplies by each stride."""
    field, jump = 1, 1
    for kernel, stride in stack:
        field += (kernel - 1) * jump
        jump *= stride
    return field


# --- 02_topk_occlusion -----------------------------------------------------------------------


def top_k_indices(activations, k):
    """Indices (units, k) of each unit's k highest activations, highest first."""
    return np.argsort(-activations, axis=0, kind="stable")[:k].T


def occlusion_map(image, score, window, stride, baseline=0.0):
    """Average drop of ``score`` when a window of ``image`` (H, W) is filled by ``baseline``."""
    height, width = image.shape

    def starts(size):
        positions = list(range(0, size - window + 1, stride))
        return positions if positions[-1] == size - window else [*positions, size - window]

    sums, counts = np.zeros((height, width)), np.zeros((height, width))
    original = score(image[None])[0]
    for y in starts(height):
        for x in starts(width):
            hidden = image.copy()
            hidden[y : y + window, x : x + window] = baseline
            sums[y : y + window, x : x + window] += original - score(hidden[None])[0]
            counts[y : y + window, x : x + window] += 1
    return sums / counts


# --- 03_tsne ---------------------------------------------------------------------------------


def knn_accuracy(points, labels, k):
    """Leave-one-out k-nearest-neighbour accuracy (majority vote, ties to the smallest label)."""
    distances = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(distances, np.inf)
    neighbours = np.argsort(distances, axis=1, kind="stable")[:, :k]
    votes = np.array([np.bincount(labels[row], minlength=labels.max() + 1) for row in neighbours])
    return float(np.mean(votes.argmax(axis=1) == labels))


def effective_neighbours(p):
    """Perplexity 2 ** H(p) of each row of ``p``, H in bits, 0 log 0 = 0."""
    logs = np.log2(np.where(p > 0, p, 1.0))
    return 2.0 ** -(p * logs).sum(axis=1)


# --- 04_transfer_learning --------------------------------------------------------------------


def frozen_model(base, n_classes):
    """``base`` frozen (and run in inference mode) with a new softmax head."""
    import keras

    base.trainable = False
    inputs = keras.Input(base.inputs[0].shape[1:])
    features = base(inputs, training=False)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(features)
    return keras.Model(inputs, outputs)


def count_trainable(model):
    """The number of trainable scalars of ``model``."""
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


# --- 05_coarse_extraction --------------------------------------------------------------------


def class_similarity(kernel):
    """Cosine similarity (classes, classes) of the kernel's class columns."""
    unit = kernel / np.linalg.norm(kernel, axis=0, keepdims=True)
    return unit.T @ unit


def coarse_unit(kernel, bias, scsm_row, k):
    """The coarse unit of an initialisation class: its first k SCSM entries averaged."""
    members = scsm_row[:k]
    return kernel[:, members].mean(axis=1), bias[members].mean()


# --- 06_hdcnn --------------------------------------------------------------------------------


def hd_average(b, components, clusters, n_classes, top_m):
    """HD-CNN's probabilistic average over each image's top_m clusters (B renormalised)."""
    keep = np.argsort(-b, axis=1, kind="stable")[:, :top_m]
    weights = np.zeros_like(b)
    np.put_along_axis(weights, keep, np.take_along_axis(b, keep, axis=1), axis=1)
    weights /= weights.sum(axis=1, keepdims=True)
    out = np.zeros((len(b), n_classes))
    for k, (probabilities, cluster) in enumerate(zip(components, clusters, strict=True)):
        out[:, cluster] += weights[:, k : k + 1] * probabilities
    return out


def affinity(confusion):
    """Symmetrised confusion with 1 on the diagonal."""
    out = (confusion + confusion.T) / 2
    np.fill_diagonal(out, 1.0)
    return out


# --- 07_high_res_cams ------------------------------------------------------------------------


def class_activation_map(features, kernel, class_index):
    """M_c(x, y) = sum_k w_k^c f_k(x, y)."""
    return features @ kernel[:, class_index]


def grad_cam_weights(gradients):
    """alpha_k: the mean over positions of each channel's gradient."""
    return gradients.mean(axis=(0, 1))


def iou(a, b):
    """Intersection over union of two boolean masks."""
    return (a & b).sum() / (a | b).sum()


def pointing_hit(saliency, mask):
    """Is the map's (first) maximum inside the mask?"""
    return bool(mask.ravel()[np.argmax(saliency)])
