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
    schedule = transfer.Schedule(head_epochs=2, scratch_epochs=2, min_epochs=0)
    base = base_model()
    before = [w.copy() for w in base.get_weights()]
    explorer = widgets.sample_size_explorer(
        base,
        tiny_dataset(),
        "features",
        sizes=(5, 10),
        schedule=schedule,
        val_per_class=10,
        seeds=1,
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
        seeds=1,
    )
    assert explorer.result == {"per_class": 10, "results": {10: ((0.9,), (0.6,))}}
    assert explorer.children[0].value == 10


def test_sample_size_explorer_answers_every_known_size_without_training():
    known = {5: ((0.7, 0.8, 0.9), (0.5, 0.6, 0.55)), 10: ((0.9, 0.95, 1.0), (0.8, 0.9, 0.7))}
    # no base and no dataset: any training would fail, so each answer comes from `known`
    explorer = widgets.sample_size_explorer(None, None, "features", sizes=(5, 10), known=known)
    explorer.children[0].value = 5
    assert explorer.result == {"per_class": 5, "results": known}
    explorer.children[0].value = 10
    assert explorer.result["per_class"] == 10 and explorer.cache == known


def test_sample_size_explorer_completes_a_size_known_with_fewer_seeds():
    schedule = transfer.Schedule(head_epochs=2, scratch_epochs=2, min_epochs=0)
    explorer = widgets.sample_size_explorer(
        base_model(),
        tiny_dataset(),
        "features",
        sizes=(5, 10),
        schedule=schedule,
        val_per_class=10,
        known={10: (0.9, 0.6)},
        seeds=2,
    )  # seed 0 known, seed 1 trained
    extracted, scratch = explorer.result["results"][10]
    assert len(extracted) == len(scratch) == 2 and (extracted[0], scratch[0]) == (0.9, 0.6)


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


def test_early_stopping_waits_for_the_minimum_epochs():
    split = transfer.small_split(tiny_dataset(), per_class=20, val_per_class=10)
    rng = np.random.default_rng(0)
    noise = [rng.random((len(y), 64)).astype(np.float32) for y in (split.y_train, split.y_val)]
    args = (noise[0], split.y_train, noise[1], split.y_val, 40, 1e-2)
    keras.utils.set_random_seed(0)
    alone = transfer.fit(transfer.dense_head(64, 2), *args, patience=1)
    assert len(alone["loss"]) < 12  # pure noise: patience alone stops early
    keras.utils.set_random_seed(0)
    head = transfer.dense_head(64, 2)
    history = transfer.fit(head, *args, patience=1, min_epochs=12)
    epochs = len(history["loss"])
    assert epochs >= 12 + 1  # watched from epoch 12 on (0-based), then patience 1
    best = 12 + int(np.argmin(history["val_loss"][12:]))  # the best of the watched epochs
    assert epochs == best + 1 + 1
    loss = keras.losses.SparseCategoricalCrossentropy()(split.y_val, head(noise[1]))
    assert float(loss) == pytest.approx(history["val_loss"][best], rel=1e-4)
    with pytest.raises(ValueError, match="min_epochs must be at least 0, got -1"):
        transfer.fit(head, *args, patience=1, min_epochs=-1)


def test_small_sets_get_smaller_batches_and_every_new_arm_the_minimum_epochs():
    schedule = transfer.Schedule()
    assert [schedule.batch_for(n) for n in (5, 20, 50, 100, 200, 400, 4000)] == [
        5, 8, 8, 12, 25, 32, 32
    ]  # fmt: skip
    assert transfer.Schedule(batch_size=4).batch_for(400) == 4
    assert schedule.min_epochs == 20 and schedule.patience == 5
    with pytest.raises(ValueError, match="min_epochs must be at least 0"):
        transfer.Schedule(min_epochs=-2)
    split = transfer.small_split(tiny_dataset(), per_class=10, val_per_class=10)
    tiny = transfer.Schedule(head_epochs=12, scratch_epochs=12, patience=0, min_epochs=7)
    base = base_model()
    extracted = transfer.feature_extraction(base, split, "features", tiny)
    scratch = transfer.from_scratch(base, split, "features", tiny)
    assert scratch.method == "from scratch + augmentation"  # method 4 is augmented too
    # watched from epoch 7 (0-based): the first epoch that can stop is the 9th
    assert 9 <= extracted.epochs <= 12 and 9 <= scratch.epochs <= 12


def test_seed_runs_repeat_both_arms_once_per_seed():
    schedule = transfer.Schedule(head_epochs=3, scratch_epochs=3, min_epochs=0)
    base, dataset = base_model(), tiny_dataset()
    extracted, scratch = transfer.seed_runs(
        base, dataset, "features", 10, (0, 1), schedule, val_per_class=10
    )
    assert len(extracted) == len(scratch) == 2
    assert all(0 <= a <= 1 for a in extracted + scratch)
    # seed 1 alone gives seed 1's runs: each run depends on its seed only
    again = transfer.seed_runs(base, dataset, "features", 10, (1,), schedule, val_per_class=10)
    assert again == ((extracted[1],), (scratch[1],))
    with pytest.raises(ValueError, match="seeds is empty"):
        transfer.seed_runs(base, dataset, "features", 10, (), schedule)


def test_sample_size_table_shows_mean_and_range_over_seeds():
    table = transfer.sample_size_table(
        {25: ((0.8, 0.9, 0.7), (0.6, 0.5, 0.7)), 10: ((0.75, 0.65, 0.7), (0.5, 0.5, 0.5))}
    )
    assert list(table.index) == [10, 25] and table.index.name == "per class"
    assert len(table.columns) <= 8
    assert table.loc[25].to_dict() == {
        "extraction mean": 0.8,
        "extraction min": 0.7,
        "extraction max": 0.9,
        "scratch mean": 0.6,
        "scratch min": 0.5,
        "scratch max": 0.7,
        "gap of means": 0.2,
        "seeds": 3,
    }
    assert table.loc[10, "gap of means"] == 0.2  # 0.7 - 0.5
    one = transfer.sample_size_table({10: (0.9, 0.6)})  # a single run per arm
    assert one.loc[10, "extraction min"] == one.loc[10, "extraction max"] == 0.9
    assert one.loc[10, "seeds"] == 1
    with pytest.raises(ValueError, match="numbers in \\[0, 1\\]"):
        transfer.sample_size_table({10: ((0.9, 1.2), (0.5, 0.5))})
    with pytest.raises(ValueError, match="give \\(feature extraction, from scratch\\)"):
        transfer.sample_size_table({10: (0.9,)})
