"""Coding exercises: the learner writes a technique's core function, a checker runs it on
seeded inputs the learner never sees and compares it with an independent reference (written
here with plain loops, not with the course's own implementation), answering with a hint
named after the likely mistake, never with the answer.

Reference solutions live in :mod:`helpers.solutions`, out of sight of the notebooks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from helpers.exercises import is_text, report

RETURNED_NONE = "your function returned None: did you forget `return`?"
STUB_HINT = (
    "your function still raises NotImplementedError: write its body, run its cell, then run "
    "this check again."
)


class ReturnedWrong(Exception):
    """What the learner's function returned cannot be checked (raised by the checkers'
    adapters, e.g. a pair expected); the message says what came back."""


def _described(value) -> str:
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} value(s)"
    return f"{type(value).__name__} {value!r:.60}"


def _returned_problem(got, expected) -> str | None:
    """Why ``got`` has the wrong kind of value for ``expected`` (None, text for a number,
    floats for integer indices), in words a learner can act on; None when the kind fits."""
    if got is None and expected is not None:
        return RETURNED_NONE
    expected_kind = np.asarray(expected).dtype.kind if expected is not None else ""
    if expected_kind not in "iufb":
        return None
    if is_text(got):
        return (
            f"your function returned text ({got!r:.60}), not numbers: return the number itself "
            "(text breaks the next line that computes with it)."
        )
    try:
        got_kind = np.asarray(got).dtype.kind
    except (TypeError, ValueError):
        return None
    if expected_kind in "iu" and got_kind == "f":
        return (
            "your function returned floats where whole numbers are expected (indices or "
            "counts): return integers, e.g. with .astype(int); floats cannot index an array."
        )
    return None


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong implementation and the hint that names it."""

    wrong: Callable
    hint: str


def _same(got, expected) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and np.allclose(
        got, expected, rtol=1e-5, atol=1e-6, equal_nan=True
    )


def _shape(value) -> tuple:
    try:
        return np.shape(value)
    except (TypeError, ValueError):
        return ()


def check_function(
    learner: Callable,
    cases: Sequence[tuple],
    reference: Callable | Sequence,
    mistakes: Sequence[Mistake] = (),
    praise: str = "it matches the reference on every hidden input.",
    copy_inputs: bool = True,
) -> bool:
    """Run ``learner(*case)`` on each hidden case against the reference (a function of the
    case, or one expected value per case); on the first difference, name the matching mistake
    (or the shapes) as the hint. Inputs are deep-copied unless ``copy_inputs`` is False
    (Keras models), so a learner's in-place change cannot alter the check."""
    if learner is None:
        print("No answer yet: write the function in the cell above and pass it here.")
        return False

    def fresh(case):
        return copy.deepcopy(case) if copy_inputs else case

    for i, case in enumerate(cases):
        expected = reference(*fresh(case)) if callable(reference) else reference[i]
        try:
            got = learner(*fresh(case))
        except NotImplementedError:
            return report(False, praise, STUB_HINT)
        except ReturnedWrong as error:  # an adapter could not use what the function returned
            return report(False, praise, str(error))
        except Exception as error:  # the learner's code: any error becomes a hint
            return report(False, praise, f"your function raised {type(error).__name__}: {error}")
        problem = _returned_problem(got, expected)
        if problem:
            return report(False, praise, problem)
        if _same(got, expected):
            continue
        suspects = [m for m in mistakes if _same(got, m.wrong(*fresh(case)))]
        if len(suspects) > 1:  # e.g. True/False answers: keep the mistake true on every case
            answers = [_quietly(learner, fresh(c)) for c in cases]
            suspects = [
                m
                for m in suspects
                if all(_same(a, m.wrong(*fresh(c))) for a, c in zip(answers, cases, strict=True))
            ] or suspects
        if suspects:
            return report(False, praise, suspects[0].hint)
        if _shape(got) != _shape(expected):
            return report(
                False,
                praise,
                f"wrong shape on a hidden input: expected {_shape(expected)}, got {_shape(got)}.",
            )
        return report(False, praise, "the values differ from the reference on a hidden input.")
    return report(True, praise, "")


def _quietly(learner, case):
    try:
        return learner(*case)
    except Exception:  # the learner's code; only used to tell mistakes apart
        return None


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- 01_filters ------------------------------------------------------------------------------


def _normalise_reference(bank):
    out = np.zeros_like(bank, dtype=float)
    for i, one in enumerate(bank):
        low, high = one.min(), one.max()
        if high > low:
            out[i] = (one - low) / (high - low)
    return out


def check_normalise_filters(learner) -> bool:
    """``normalise_filters(bank (filters, h, w)) -> same shape``, each filter to [0, 1]."""
    rng = _rng(1)
    cases = [(rng.normal(size=(n, k, k)),) for n, k in ((4, 3), (6, 5), (1, 7))]
    flat = rng.normal(size=(3, 5, 5))
    flat[1] = 0.7
    cases.append((flat,))
    mistakes = [
        Mistake(
            lambda b: (b - b.min()) / (b.max() - b.min()),
            "each filter must be normalised on its own, not the whole bank at once.",
        ),
        Mistake(
            lambda b: b / np.abs(b).max(axis=(1, 2), keepdims=True),
            "subtract each filter's minimum first: the darkest weight should become 0.",
        ),
    ]
    return check_function(learner, cases, _normalise_reference, mistakes)


def _receptive_reference(stack):
    field = 1
    for kernel, stride in reversed(stack):
        field = (field - 1) * stride + kernel
    return field


def check_receptive_field(learner) -> bool:
    """``receptive_field([(kernel, stride), ...]) -> int`` of the last layer's units."""
    cases = [
        ([(3, 1)],),
        ([(5, 1), (2, 2), (3, 1)],),
        ([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)],),
        ([(7, 2), (3, 2), (3, 1)],),
    ]
    mistakes = [
        Mistake(
            lambda s: 1 + sum(k - 1 for k, _ in s),
            "a stride-2 layer doubles the distance between the inputs that later units see: "
            "grow by (kernel - 1) x jump, and multiply the jump by each stride.",
        ),
        Mistake(
            lambda s: int(np.prod([k for k, _ in s])),
            "kernels do not multiply: each layer adds (kernel - 1) x jump pixels.",
        ),
    ]
    return check_function(learner, cases, _receptive_reference, mistakes)


# --- 02_topk_occlusion -----------------------------------------------------------------------


def _topk_reference(activations, k):
    return np.array(
        [sorted(range(len(column)), key=lambda i: -column[i])[:k] for column in activations.T]
    )


def check_top_k_indices(learner) -> bool:
    """``top_k_indices(activations (N, units), k) -> (units, k)``, highest first."""
    rng = _rng(2)
    cases = [(rng.normal(size=(n, u)), k) for n, u, k in ((20, 3, 4), (50, 6, 1), (9, 2, 9))]
    mistakes = [
        Mistake(
            lambda a, k: _topk_reference(-a, k), "highest first: you took the lowest activations."
        ),
        Mistake(
            lambda a, k: _topk_reference(a, k)[:, ::-1],
            "the right images, in the wrong order: highest activation first.",
        ),
        Mistake(
            lambda a, k: _topk_reference(a.T, k),
            "one row per unit: rank the images within each column of activations.",
        ),
    ]
    return check_function(learner, cases, _topk_reference, mistakes)


def _starts(size, window, stride):
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] != size - window:
        starts.append(size - window)
    return starts


def _occlusion_reference(image, score, window, stride, baseline=0.0, edge=True, average=True):
    height, width = image.shape
    sums, counts = np.zeros((height, width)), np.zeros((height, width))
    original = score(image[None])[0]
    rows = _starts(height, window, stride) if edge else range(0, height - window + 1, stride)
    cols = _starts(width, window, stride) if edge else range(0, width - window + 1, stride)
    for y in rows:
        for x in cols:
            hidden = image.copy()
            hidden[y : y + window, x : x + window] = baseline
            sums[y : y + window, x : x + window] += original - score(hidden[None])[0]
            counts[y : y + window, x : x + window] += 1
    if not average:
        return sums
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def brightness_score(images):
    """A stand-in network: the score of an image is its mean brightness, weighted towards the
    centre."""
    height, width = images.shape[1:3]
    weights = np.outer(np.hanning(height + 2)[1:-1], np.hanning(width + 2)[1:-1])
    return (images * weights).sum(axis=(1, 2)) / weights.sum()


def check_occlusion_map(learner) -> bool:
    """``occlusion_map(image (H, W), score, window, stride, baseline=0.0) -> (H, W)``: the
    drop ``score(image) - score(occluded)`` averaged over the windows covering each pixel."""
    rng = _rng(3)
    cases = [
        (rng.random((8, 8)), brightness_score, 4, 4),
        (rng.random((9, 7)), brightness_score, 3, 2),
        (rng.random((9, 8)), brightness_score, 4, 3),  # stride 3 misses the far edge
    ]
    mistakes = [
        Mistake(
            lambda *c: _occlusion_reference(*c, average=False),
            "average the drops of overlapping windows by how many windows cover each pixel.",
        ),
        Mistake(
            lambda *c: _occlusion_reference(*c, edge=False),
            "off by one window at the edge: add a last window that touches the far edge when "
            "the stride does not reach it.",
        ),
        Mistake(
            lambda *c: -_occlusion_reference(*c),
            "the drop is score(original) - score(occluded), not the other way round.",
        ),
    ]
    return check_function(learner, cases, _occlusion_reference, mistakes)


# --- 03_tsne ---------------------------------------------------------------------------------


def _knn_reference(points, labels, k, include_self=False):
    hits = 0
    for i, point in enumerate(points):
        distances = [
            (float(np.sum((point - other) ** 2)), j)
            for j, other in enumerate(points)
            if include_self or j != i
        ]
        neighbours = [j for _, j in sorted(distances)[:k]]
        votes = np.bincount(labels[neighbours], minlength=labels.max() + 1)
        hits += int(np.argmax(votes) == labels[i])
    return hits / len(points)


def check_knn_accuracy(learner) -> bool:
    """``knn_accuracy(points (N, D), labels (N,), k) -> float``: leave-one-out, majority vote
    of the k nearest other points (a tie goes to the smallest label)."""
    rng = _rng(4)
    cases = []
    for n, d, k in ((30, 2, 1), (40, 5, 3), (25, 3, 5)):
        labels = rng.integers(0, 3, n)
        cases.append((rng.normal(size=(n, d)) + labels[:, None], labels, k))
    mistakes = [
        Mistake(
            lambda p, y, k: _knn_reference(p, y, k, include_self=True),
            "leave each point out of its own neighbours: it is always its own nearest one.",
        ),
        Mistake(
            lambda p, y, k: _knn_reference(p, y, k + 1),
            "off by one: use exactly k neighbours.",
        ),
    ]
    return check_function(learner, cases, _knn_reference, mistakes)


def _neighbours_reference(p):
    p = np.asarray(p, float)
    out = []
    for row in p:
        entropy = -sum(v * np.log2(v) for v in row if v > 0)
        out.append(2.0**entropy)
    return np.array(out)


def _log_of_zeros(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2.0 ** -np.sum(p * np.log2(p), axis=1)


def check_effective_neighbours(learner) -> bool:
    """``effective_neighbours(p (N, M)) -> (N,)``: the perplexity 2 ** H(p_i) of each row, H
    in bits; 0 x log 0 counts as 0."""
    rng = _rng(5)
    uniform = np.full((2, 8), 1 / 8)
    peaked = rng.dirichlet(np.full(6, 0.3), size=4)
    sparse = np.array([[0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    cases = [(uniform,), (peaked,), (sparse,)]

    def entropy_bits(p):
        p = np.asarray(p, float)
        return -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0.0), axis=1)

    mistakes = [
        Mistake(
            _log_of_zeros,
            "a zero probability gives 0 x log 0 = NaN in numpy: count those terms as 0.",
        ),
        Mistake(
            entropy_bits,
            "that is the entropy H; the perplexity, the effective number of neighbours, is "
            "2 ** H (H in bits).",
        ),
        Mistake(
            lambda p: np.exp(entropy_bits(p)),
            "pair the bases: 2 ** H with H in bits, or exp(H) with H in nats (natural log).",
        ),
    ]
    return check_function(learner, cases, _neighbours_reference, mistakes)


# --- 04_transfer_learning --------------------------------------------------------------------


def _tiny_base(seed: int):
    """A small pretrained-like base: conv -> BN -> pool -> conv -> GAP."""
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(6, 3, padding="same", activation="relu")(x)
    outputs = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, outputs, name="hidden_base")


def check_frozen_model(learner) -> bool:
    """``frozen_model(base, n_classes) -> keras.Model``: the base frozen, a new softmax Dense
    head with ``n_classes`` units on its output; training it leaves the base unchanged."""
    import keras

    if learner is None:
        return check_function(None, (), ())
    praise = "the base is frozen and only the new head learns."
    for n_classes in (2, 5):
        base = _tiny_base(n_classes)
        before = [w.copy() for w in base.get_weights()]
        try:
            model = learner(base, n_classes)
        except NotImplementedError:
            return report(False, praise, STUB_HINT)
        except Exception as error:  # the learner's code
            return report(False, praise, f"your function raised {type(error).__name__}: {error}")
        if not isinstance(model, keras.Model):
            return report(False, praise, f"return a keras.Model, not {type(model).__name__}.")
        images = np.random.default_rng(n_classes).random((6, 8, 8, 1)).astype(np.float32)
        outputs = np.asarray(model(images, training=False))
        if outputs.shape != (6, n_classes):
            return report(
                False, praise, f"the head must have {n_classes} outputs; got shape {outputs.shape}."
            )
        if not np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4) or (outputs < 0).any():
            return report(False, praise, "the new head needs a softmax activation.")
        base_ids = {id(v) for v in base.weights}
        if any(id(v) in base_ids for v in model.trainable_weights):
            return report(False, praise, "freeze the base (base.trainable = False) first.")
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
        model.fit(images, np.arange(6) % n_classes, epochs=1, verbose=0)
        if not all(np.array_equal(b, a) for b, a in zip(before, base.get_weights(), strict=True)):
            return report(
                False,
                praise,
                "training changed the base: call it with training=False so BatchNorm keeps its "
                "statistics, and freeze it.",
            )
    return report(True, praise, "")


def _count_reference(spec):
    """Trainable numbers of a conv (k, c_in, c_out) / BN (c) / dense (n_in, n_out) stack."""
    total = 0
    for kind, *sizes in spec:
        if kind == "conv":
            k, c_in, c_out = sizes
            total += k * k * c_in * c_out + c_out
        elif kind == "bn":
            total += 2 * sizes[0]  # gamma and beta; the moving mean and variance are not trained
        else:
            n_in, n_out = sizes
            total += n_in * n_out + n_out
    return total


def _spec_model(spec, frozen_first: bool = False):
    import keras

    first = spec[0]
    inputs = keras.Input((8, 8, first[2] if first[0] == "conv" else first[1]))
    x = inputs
    for i, (kind, *sizes) in enumerate(spec):
        if kind == "conv":
            layer = keras.layers.Conv2D(sizes[2], sizes[0], padding="same")
        elif kind == "bn":
            layer = keras.layers.BatchNormalization()
        else:
            x = keras.layers.GlobalAveragePooling2D()(x) if len(x.shape) == 4 else x
            layer = keras.layers.Dense(sizes[1])
        x = layer(x)
        layer.trainable = not (frozen_first and i == 0)
    return keras.Model(inputs, x)


SPECS = (
    (("conv", 3, 1, 4), ("bn", 4), ("dense", 4, 2)),
    (("conv", 5, 2, 3), ("conv", 3, 3, 6), ("bn", 6), ("dense", 6, 10)),
)


def check_count_trainable(learner) -> bool:
    """``count_trainable(model) -> int``: how many numbers training can change (frozen layers
    and BatchNorm's moving statistics excluded)."""
    settings = [(spec, frozen) for spec in SPECS for frozen in (False, True)]
    cases = [(_spec_model(spec, frozen),) for spec, frozen in settings]
    expected = [_count_reference(spec[int(frozen) :]) for spec, frozen in settings]
    mistakes = [
        Mistake(
            lambda m: sum(int(np.prod(w.shape)) for w in m.weights),
            "count only trainable weights: frozen layers and BatchNorm's moving mean and "
            "variance do not learn.",
        ),
        Mistake(
            lambda m: len(m.trainable_weights),
            "count numbers, not weight arrays: multiply out each array's shape.",
        ),
    ]
    return check_function(learner, cases, expected, mistakes, copy_inputs=False)


# --- 05_coarse_extraction --------------------------------------------------------------------


def _cosine_reference(kernel):
    n = kernel.shape[1]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            a, b = kernel[:, i], kernel[:, j]
            out[i, j] = float(a @ b) / (np.sqrt(a @ a) * np.sqrt(b @ b))
    return out


def check_class_similarity(learner) -> bool:
    """``class_similarity(kernel (features, classes)) -> (classes, classes)`` cosines."""
    rng = _rng(6)
    cases = [(rng.normal(size=(f, c)),) for f, c in ((5, 3), (8, 10), (3, 6))]
    mistakes = [
        Mistake(
            lambda k: _cosine_reference(k.T),
            "compare the class *columns* of the kernel (one per class): use kernel.T.",
        ),
        Mistake(
            lambda k: k.T @ k,
            "divide each dot product by the two columns' lengths: cosine, not dot product.",
        ),
    ]
    return check_function(learner, cases, _cosine_reference, mistakes)


def _coarse_unit_reference(kernel, bias, scsm_row, k):
    members = list(scsm_row[:k])
    column = sum(kernel[:, c] for c in members) / k
    return np.append(column, sum(bias[c] for c in members) / k)


def check_coarse_unit(learner) -> bool:
    """``coarse_unit(kernel, bias, scsm_row, k) -> (column (features,), bias)``: the mean of
    the first k SCSM entries' columns and biases. The check compares both at once."""
    rng = _rng(7)
    cases = []
    for f, c, k in ((4, 5, 2), (6, 10, 3), (3, 4, 1)):
        row = np.concatenate(([1], rng.permutation([i for i in range(c) if i != 1])))
        cases.append((rng.normal(size=(f, c)), rng.normal(size=c), row, k))

    def joined(fn):
        def run(*case):
            returned = fn(*case)
            if returned is None:
                raise ReturnedWrong(RETURNED_NONE)
            if not isinstance(returned, tuple | list) or len(returned) != 2:
                raise ReturnedWrong(
                    f"your function returned {_described(returned)}; return two values, "
                    "(column, bias)."
                )
            column, bias = returned
            return np.append(np.asarray(column, float), float(bias))

        return run

    def wrong_bias(kernel, bias, row, k):
        return np.append(_coarse_unit_reference(kernel, bias, row, k)[:-1], bias[row[0]])

    mistakes = [
        Mistake(wrong_bias, "average the members' biases too, not only their columns."),
        Mistake(
            lambda kernel, bias, row, k: _coarse_unit_reference(kernel, bias, row, k) * k,
            "average the k members (divide by k), don't sum them.",
        ),
        Mistake(
            lambda kernel, bias, row, k: _coarse_unit_reference(kernel, bias, row, k + 1),
            "off by one: the first k entries of the row, the class itself included.",
        ),
    ]
    learner = None if learner is None else joined(learner)
    return check_function(learner, cases, _coarse_unit_reference, mistakes)


# --- 06_hdcnn --------------------------------------------------------------------------------


def _average_reference(b, components, clusters, n_classes, top_m, renormalise=True):
    out = np.zeros((len(b), n_classes))
    for i, weights in enumerate(b):
        kept = sorted(range(len(weights)), key=lambda k: -weights[k])[:top_m]
        total = sum(weights[k] for k in kept) if renormalise else 1.0
        for k in kept:
            for position, cls in enumerate(clusters[k]):
                out[i, cls] += weights[k] / total * components[k][i, position]
    return out


def check_hd_average(learner) -> bool:
    """``hd_average(b (N, K), components [(N, |cluster k|)], clusters, n_classes, top_m)
    -> (N, n_classes)``: p(j|x) = sum over the top-m clusters of B_k(x) p_k(j|x), with the kept
    B renormalised to sum to 1."""
    rng = _rng(8)
    clusters = [[0, 2], [1, 3, 4], [5]]
    cases = []
    for n, top_m in ((5, 3), (6, 2), (4, 1)):
        b = rng.dirichlet(np.ones(3), size=n)
        components = [rng.dirichlet(np.ones(len(c)), size=n) for c in clusters]
        cases.append((b, components, clusters, 6, top_m))
    mistakes = [
        Mistake(
            lambda *c: _average_reference(*c, renormalise=False),
            "renormalise the kept B_k(x) so they sum to 1 for each image.",
        ),
        Mistake(
            lambda b, comps, cl, n, m: _average_reference(b, comps, cl, n, len(cl)),
            "use only each image's top_m most probable clusters.",
        ),
    ]
    return check_function(learner, cases, _average_reference, mistakes)


def _affinity_reference(confusion):
    n = len(confusion)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = 1.0 if i == j else (confusion[i, j] + confusion[j, i]) / 2
    return out


def check_affinity(learner) -> bool:
    """``affinity(confusion (C, C)) -> (C, C)``: how similar two classes are for spectral
    clustering: the symmetrised confusion, 1 on the diagonal."""
    rng = _rng(9)
    cases = []
    for n in (3, 5, 8):
        matrix = rng.random((n, n)) * 0.2 + np.eye(n) * 3
        cases.append((matrix / matrix.sum(axis=1, keepdims=True),))

    def diagonal_one(confusion):
        out = confusion.copy()
        np.fill_diagonal(out, 1.0)
        return out

    mistakes = [
        Mistake(
            diagonal_one,
            "symmetrise: i taken for j and j taken for i are the same similarity, so average "
            "confusion and confusion.T.",
        ),
        Mistake(
            lambda c: (c + c.T) / 2,
            "set the diagonal to 1: a class is fully similar to itself.",
        ),
    ]
    return check_function(learner, cases, _affinity_reference, mistakes)


# --- 07_high_res_cams ------------------------------------------------------------------------


def _cam_reference(features, kernel, class_index):
    height, width, channels = features.shape
    out = np.zeros((height, width))
    for k in range(channels):
        out += kernel[k, class_index] * features[:, :, k]
    return out


def check_class_activation_map(learner) -> bool:
    """``class_activation_map(features (H, W, K), kernel (K, classes), class_index)
    -> (H, W)``: M_c = sum_k w_k^c f_k."""
    rng = _rng(10)
    cases = [
        (rng.random((h, w, k)), rng.normal(size=(k, c)), i)
        for h, w, k, c, i in ((4, 4, 3, 5, 2), (7, 5, 6, 2, 1), (8, 8, 16, 10, 9))
    ]
    mistakes = [
        Mistake(
            lambda f, w, c: f.mean(axis=-1),
            "weight each feature map by the class's Dense weight w_k^c before summing.",
        ),
        Mistake(
            lambda f, w, c: _cam_reference(f, w, c) / f.shape[-1],
            "sum the weighted maps, don't average them.",
        ),
    ]
    return check_function(learner, cases, _cam_reference, mistakes)


def _grad_weights_reference(gradients):
    height, width, channels = gradients.shape
    return np.array([gradients[:, :, k].sum() / (height * width) for k in range(channels)])


def check_grad_cam_weights(learner) -> bool:
    """``grad_cam_weights(gradients (H, W, K)) -> (K,)``: alpha_k = (1/Z) sum over positions
    of d y^c / d A_k, Z = H x W."""
    rng = _rng(11)
    cases = [(rng.normal(size=(h, w, k)),) for h, w, k in ((4, 4, 3), (7, 5, 8), (1, 9, 2))]
    mistakes = [
        Mistake(
            lambda g: g.sum(axis=(0, 1)),
            "divide by Z = H x W: the weight is the *mean* gradient of each map.",
        ),
        Mistake(
            lambda g: g.mean(axis=-1),
            "one weight per channel: average over height and width, not over channels.",
        ),
    ]
    return check_function(learner, cases, _grad_weights_reference, mistakes)


def _iou_reference(a, b):
    both = sum(1 for x, y in zip(a.ravel(), b.ravel(), strict=True) if x and y)
    either = sum(1 for x, y in zip(a.ravel(), b.ravel(), strict=True) if x or y)
    return both / either


def check_iou(learner) -> bool:
    """``iou(a, b) -> float`` of two boolean masks (the hidden masks never both empty)."""
    rng = _rng(12)
    cases = [(rng.random((s, s)) > t, rng.random((s, s)) > t) for s, t in ((5, 0.5), (8, 0.7))]
    square = np.zeros((6, 6), bool)
    square[1:4, 1:4] = True
    cases.append((square, np.roll(square, 1, axis=1)))
    mistakes = [
        Mistake(
            lambda a, b: (a & b).sum() / (a.sum() + b.sum()),
            "the union counts the overlap once: |A or B| = |A| + |B| - |A and B|.",
        ),
        Mistake(
            lambda a, b: (a & b).sum() / a.sum(),
            "divide by the union of both masks, not by one mask's area.",
        ),
    ]
    return check_function(learner, cases, _iou_reference, mistakes)


def _pointing_reference(saliency, mask):
    best = max(range(saliency.size), key=lambda i: (saliency.ravel()[i], -i))
    return bool(mask.ravel()[best])


def check_pointing_hit(learner) -> bool:
    """``pointing_hit(saliency (H, W), mask (H, W)) -> bool``: is the map's maximum inside the
    mask (the first maximum in reading order on a tie)?"""
    rng = _rng(13)
    cases = []
    for size in (6, 9, 12, 8, 7):
        mask = np.zeros((size, size), bool)
        mask[1 : size // 2, size // 2 : size - 1] = True  # upper right: transposing misses it
        cases.append((rng.random((size, size)) + 0.5 * mask, mask))
        cases.append((rng.random((size, size)) + 0.5 * ~mask, mask))  # a miss
    mistakes = [
        Mistake(lambda s, m: bool(m.ravel()[np.argmin(s)]), "look at the maximum of the map."),
        Mistake(
            lambda s, m: bool(m.ravel()[np.argmax(s.T)]),
            "transposed: flatten the map and the mask the same way (or turn the flat index into "
            "(row, column) with np.unravel_index).",
        ),
    ]
    return check_function(learner, cases, _pointing_reference, mistakes)
