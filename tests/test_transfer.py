import keras
import numpy as np
import pytest

from helpers import transfer, widgets
from helpers.infra import layers
from tests.models import base_model, tiny_dataset


def test_extracted_features_equal_the_layer_output():
    base = base_model()
    images = tiny_dataset().x_train[:10]
    expected = layers.feature_extractor(base, "pool_a").predict(images, verbose=0)
    got = transfer.extract_features(base, "pool_a", images, batch_size=3, progress=False)
    np.testing.assert_allclose(got, expected.reshape(10, -1), rtol=1e-5)


def test_feature_cache_computes_once():
    base, images = base_model(), tiny_dataset().x_train
    cache = transfer.FeatureCache()
    first = cache.get(base, "features", images, progress=False)
    assert cache.get(base, "features", images, progress=False) is first and len(cache) == 1


def test_feature_cache_never_serves_another_array_that_reuses_an_id():
    base = base_model()
    cache = transfer.FeatureCache()
    extractor = layers.feature_extractor(base, "features")
    ids = set()
    for value in np.linspace(0.0, 1.0, 12):
        images = np.full((4, 8, 8, 1), value, np.float32)  # freed at the next iteration
        ids.add(id(images))
        got = cache.get(base, "features", images, progress=False)
        np.testing.assert_allclose(got, extractor.predict(images, verbose=0), rtol=1e-5)
    assert len(cache) == 12  # the cache holds each array, so no id was handed out twice
    assert len(ids) == 12


def test_from_scratch_shares_no_weights_with_the_base():
    base = base_model()
    fresh = transfer.fresh_copy(base, "features", 2)
    base_ids = {id(w) for w in base.weights}
    assert not any(id(w) in base_ids for w in fresh.weights)
    fresh_kernel = next(w for w in fresh.weights if w.path.endswith("conv_a/kernel"))
    assert not np.allclose(fresh_kernel.numpy(), base.get_layer("conv_a").kernel.numpy())


def test_small_split_sizes_and_no_overlap():
    split = transfer.small_split(tiny_dataset(), per_class=10, val_per_class=5)
    assert np.bincount(split.y_train).tolist() == [10, 10]
    assert np.bincount(split.y_val).tolist() == [5, 5]
    train_rows = {x.tobytes() for x in split.x_train}
    assert not any(x.tobytes() in train_rows for x in split.x_val)
    with pytest.raises(ValueError, match="has only 40 training images; 35 \\+ 10"):
        transfer.small_split(tiny_dataset(), per_class=35, val_per_class=10)


def test_unfreeze_from():
    model = transfer.frozen_base_model(base_model(), "features", 2, augment=False)
    trunk = model.layers[1]
    assert not any(layer.trainable for layer in trunk.layers)
    assert transfer.unfreeze_from(model, "conv_b") == ["conv_b"]
    assert not trunk.get_layer("conv_a").trainable
    with pytest.raises(ValueError, match="no layer 'conv_z' in the base"):
        transfer.unfreeze_from(model, "conv_z")


def test_compare_methods_runs_the_four_and_learns():
    base = base_model()
    split = transfer.small_split(tiny_dataset(), per_class=20, val_per_class=10)
    schedule = transfer.Schedule(
        head_epochs=15, frozen_epochs=2, fine_tune_epochs=1, scratch_epochs=15, learning_rate=1e-2
    )
    results = transfer.compare_methods(base, split, "features", "conv_b", schedule)
    assert [r.method for r in results][0] == "feature extraction + dense head"
    assert len(results) == 4 and all(0 <= r.test_accuracy <= 1 for r in results)
    assert results[-1].test_accuracy > 0.9  # the planted brightness cue is learnable
    assert all(r.correct.shape == split.y_test.shape for r in results)
    table = transfer.results_table(results)
    assert list(table.columns) == [
        "accuracy", "accuracy low", "accuracy high", "epochs", "seconds"
    ]  # fmt: skip
    assert all(1 <= r.epochs <= 15 for r in results)


def test_compare_methods_leaves_the_base_bit_identical():
    base = base_model()
    before = [w.copy() for w in base.get_weights()]
    split = transfer.small_split(tiny_dataset(), per_class=20, val_per_class=10)
    schedule = transfer.Schedule(
        head_epochs=2, frozen_epochs=2, fine_tune_epochs=2, scratch_epochs=2, learning_rate=1e-2
    )
    transfer.compare_methods(base, split, "features", "conv_b", schedule)
    changed = [not np.array_equal(b, a) for b, a in zip(before, base.get_weights(), strict=True)]
    assert not any(changed), f"{sum(changed)} of the base's weight arrays changed"


def test_early_stopping_restores_the_best_weights():
    split = transfer.small_split(tiny_dataset(), per_class=20, val_per_class=10)
    head = transfer.dense_head(64, 2)
    rng = np.random.default_rng(0)
    noise = [rng.random((len(y), 64)).astype(np.float32) for y in (split.y_train, split.y_val)]
    history = transfer.fit(
        head, noise[0], split.y_train, noise[1], split.y_val, 40, 1e-2, patience=3
    )  # pure noise: validation loss stops improving early
    assert len(history["loss"]) < 40
    best = int(np.argmin(history["val_loss"]))
    assert len(history["loss"]) == best + 1 + 3
    loss = keras.losses.SparseCategoricalCrossentropy()(split.y_val, head(noise[1]))
    assert float(loss) == pytest.approx(history["val_loss"][best], rel=1e-4)


def test_sample_size_explorer_caches_each_size():
    schedule = transfer.Schedule(head_epochs=2, scratch_epochs=2)
    base = base_model()
    before = [w.copy() for w in base.get_weights()]
    explorer = widgets.sample_size_explorer(
        base, tiny_dataset(), "features", sizes=(5, 10), schedule=schedule, val_per_class=10
    )
    assert list(explorer.result["results"]) == [5]
    assert not explorer.children[0].continuous_update  # a new size retrains
    explorer.children[0].value = 10
    assert list(explorer.result["results"]) == [5, 10] and len(explorer.cache) == 2
    explorer.children[0].value = 5
    assert explorer.result["per_class"] == 5 and len(explorer.cache) == 2  # from the cache
    assert all(np.array_equal(b, a) for b, a in zip(before, base.get_weights(), strict=True))


def test_sample_size_explorer_starts_from_known_results():
    explorer = widgets.sample_size_explorer(
        base_model(),
        tiny_dataset(),
        "features",
        sizes=(5, 10),
        known={10: (0.9, 0.6)},
        val_per_class=10,
    )
    assert explorer.result == {"per_class": 10, "results": {10: (0.9, 0.6)}}
    assert explorer.children[0].value == 10


def test_pretrained_methods_name_each_method_and_score_the_same_test_images():
    base = base_model()
    split = transfer.small_split(tiny_dataset(n_per_class=60), per_class=10, val_per_class=10)
    fast = transfer.Schedule(3, 1, 1, 1, learning_rate=1e-2)
    weights_before = [w.copy() for w in base.get_weights()]
    extracted, tuned = transfer.pretrained_methods(
        base, split, "features", "conv_b", "other base", fast
    )
    assert extracted.method == "other base: feature extraction + dense head"
    assert tuned.method == "other base: + fine-tuning from conv_b"
    assert extracted.correct.shape == tuned.correct.shape == split.y_test.shape
    assert tuned.epochs == 2  # one epoch frozen, one fine-tuned: both histories kept
    for before, after in zip(weights_before, base.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)  # the base itself is never trained
