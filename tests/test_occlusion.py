import numpy as np
import pytest

from helpers import occlusion, plots
from tests.models import gap_model, mean_model


def reference(image, window, stride, baseline):
    """Straightforward loop: each pixel averages the drops of the windows covering it."""
    height, width = image.shape
    sums, counts = np.zeros_like(image), np.zeros_like(image)
    for y in occlusion.window_starts(height, window[0], stride[0]):
        for x in occlusion.window_starts(width, window[1], stride[1]):
            hidden = image.copy()
            hidden[y : y + window[0], x : x + window[1]] = baseline
            sums[y : y + window[0], x : x + window[1]] += image.mean() - hidden.mean()
            counts[y : y + window[0], x : x + window[1]] += 1
    return sums / counts


def test_exact_values_by_hand():
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    maps = occlusion.occlusion_maps(mean_model(), image, window=2, target=0, baseline=0.0).maps
    # each 2x2 window's drop of the mean is (sum of its pixels) / 16
    expected = np.array([[10, 10, 18, 18], [10, 10, 18, 18], [42, 42, 50, 50], [42, 42, 50, 50]])
    np.testing.assert_allclose(maps[0], expected / 16, rtol=1e-6)
    minus = occlusion.occlusion_maps(mean_model(), image, window=2, target=1, baseline=0.0).maps
    np.testing.assert_allclose(minus[0], -expected / 16, rtol=1e-6)


def test_unit_of_a_conv_layer_equals_class_of_mean():
    image = np.random.default_rng(0).random((2, 4, 4, 1)).astype(np.float32)
    by_unit = occlusion.occlusion_maps(mean_model(), image, window=2, layer="conv", target=0).maps
    by_class = occlusion.occlusion_maps(mean_model(), image, window=2, target=0).maps
    np.testing.assert_allclose(by_unit, by_class, rtol=1e-5, atol=1e-7)


def test_stride_smaller_than_window_and_rectangular_images():
    rng = np.random.default_rng(1)
    images = rng.random((3, 5, 7, 1)).astype(np.float32)
    maps = occlusion.occlusion_maps(
        mean_model(5, 7), images, window=(3, 2), stride=(1, 2), target=0, baseline=0.25
    ).maps
    assert maps.shape == (3, 5, 7)
    for got, image in zip(maps, images[..., 0], strict=True):
        np.testing.assert_allclose(
            got, reference(image, (3, 2), (1, 2), 0.25), rtol=1e-5, atol=1e-7
        )


def test_default_baseline_is_zero():
    images = np.full((2, 4, 4, 1), 0.5, np.float32)
    maps = occlusion.occlusion_maps(mean_model(), images, window=2, target=0).maps
    # hiding four pixels of 0.5 by 0 lowers the mean by 2 / 16 at every window
    np.testing.assert_allclose(maps, 2 / 16, rtol=1e-6)
    same = occlusion.occlusion_maps(mean_model(), images, window=2, target=0, baseline=0.5).maps
    np.testing.assert_allclose(same, 0.0, atol=1e-7)  # hiding with the image's value


def test_one_images_map_does_not_depend_on_the_others_in_the_call():
    rng = np.random.default_rng(5)
    image, neighbours = rng.random((1, 4, 4, 1)), 10 * rng.random((3, 4, 4, 1))
    for baseline in (0.0, 0.3, "blur"):
        alone = occlusion.occlusion_maps(mean_model(), image, 2, target=0, baseline=baseline).maps
        together = occlusion.occlusion_maps(
            mean_model(), np.concatenate([image, neighbours]), 2, target=0, baseline=baseline
        ).maps
        np.testing.assert_allclose(together[0], alone[0], rtol=1e-6, atol=1e-7)


def test_blur_baseline_fills_the_window_with_the_blurred_image():
    from scipy import ndimage

    image = np.random.default_rng(6).random((1, 6, 6, 1)).astype(np.float32)
    blurred = ndimage.gaussian_filter(image[0, ..., 0], sigma=1.5)
    maps = occlusion.occlusion_maps(
        mean_model(6, 6), image, window=3, target=0, baseline="blur", blur_sigma=1.5
    ).maps
    # drop of the mean = (sum of the window's pixels - sum of the blurred ones) / 36
    drop = (image[0, :3, :3, 0].sum() - blurred[:3, :3].sum()) / 36
    np.testing.assert_allclose(maps[0, 0, 0], drop, rtol=1e-4)


def test_compiled_steps_are_released_with_their_model():
    import gc
    import weakref

    model = mean_model()
    image = np.ones((1, 4, 4, 1), np.float32)
    occlusion.occlusion_maps(model, image, window=2)
    occlusion.occlusion_maps(model, image, window=2, layer="conv", target=0)
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


@pytest.mark.parametrize("batch_size", [1, 2, 7, 64])
def test_identical_for_every_batch_size(batch_size):
    rng = np.random.default_rng(2)
    images = rng.random((5, 6, 6, 1)).astype(np.float32)
    model = mean_model(6, 6)
    reference_maps = occlusion.occlusion_maps(
        model, images, window=3, stride=2, batch_size=1000
    ).maps
    maps = occlusion.occlusion_maps(model, images, window=3, stride=2, batch_size=batch_size).maps
    np.testing.assert_allclose(maps, reference_maps, rtol=1e-6, atol=1e-7)


def test_predicted_class_is_the_default_target():
    images = -np.ones((1, 4, 4, 1), np.float32)  # mean < 0: class 1 wins
    maps = occlusion.occlusion_maps(mean_model(), images, window=2, baseline=0.0).maps
    # class 1 scores -mean = 1; hiding four -1 pixels by 0 makes it 12/16: a drop of 4/16
    np.testing.assert_allclose(maps, 4 / 16, rtol=1e-6)


def test_window_starts_cover_the_far_edge():
    assert occlusion.window_starts(10, 4, 3) == [0, 3, 6]
    assert occlusion.window_starts(11, 4, 3) == [0, 3, 6, 7]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 5}, r"window \(5, 5\) is larger than the images \(4, 4\)"),
        ({"stride": 0}, "stride must be at least 1 pixel"),
        ({"stride": -2}, "stride must be at least 1 pixel"),
        ({"window": 2.5}, "window must be a whole number, got 2.5"),
        ({"window": (2, 2, 2)}, "window must be an int or a pair of ints"),
        ({"target": 2}, r"target class 2 out of range: there are 2 \(0..1\)"),
        ({"layer": "conv", "target": 3}, "target unit of layer 'conv' 3 out of range"),
        ({"layer": "conv"}, "layer='conv' needs target=: which of its 1 units"),
        ({"layer": "nope", "target": 0}, r"no layer named 'nope'; available layers: \['conv'"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"baseline": "grey"}, r"baseline 'grey' unknown: give a number.*or 'blur'"),
        ({"baseline": [0.1, 0.2]}, r"baseline must be one finite number or 1 \(one per channel\)"),
        ({"baseline": np.nan}, r"baseline must be one finite number"),
        ({"baseline": "blur", "blur_sigma": 0}, r"blur_sigma must be positive, got 0"),
        ({"stride": 3}, r"stride \(3, 3\) is larger than the window \(2, 2\)"),
    ],
)
def test_bad_inputs(kwargs, message):
    images = np.zeros((1, 4, 4, 1), np.float32)
    kwargs = {"window": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        occlusion.occlusion_maps(mean_model(), images, **kwargs)


def test_non_finite_pixels_and_fractional_targets_are_refused():
    images = np.zeros((2, 4, 4, 1), np.float32)
    images[1, 0, 0] = np.nan  # one NaN pixel once turned every map of the batch NaN
    with pytest.raises(ValueError, match=r"images holds 1 NaN or infinite"):
        occlusion.occlusion_maps(mean_model(), images, window=2)
    clean = np.zeros((1, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match=r"target must hold whole numbers"):
        occlusion.occlusion_maps(mean_model(), clean, window=2, target=0.5)
    same = occlusion.occlusion_maps(mean_model(), clean, window=2, target=1.0).maps
    assert same.shape == (1, 4, 4)


def test_images_must_be_4d():
    with pytest.raises(
        ValueError,
        match=r"batch \(N, 4, 4, 1\) .* got shape \(4, 4\); for one image use image\[None\]",
    ):
        occlusion.occlusion_maps(mean_model(), np.zeros((4, 4)), window=2)
    with pytest.raises(ValueError, match=r"non-empty .* got shape \(0, 4, 4, 1\)"):
        occlusion.occlusion_maps(mean_model(), np.zeros((0, 4, 4, 1)), window=2)
    with pytest.raises(
        ValueError,
        match=r"images must be a non-empty batch \(N, 4, 4, 1\) .* got shape \(\d+, 4, 4, 3\)",
    ):
        occlusion.occlusion_maps(mean_model(), np.zeros((1, 4, 4, 3)), window=2)


def test_compiled_step_is_reused_and_follows_new_weights():
    model = mean_model()
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    before = occlusion.occlusion_maps(model, image, window=2, target=0, baseline=0.0).maps
    compiled = occlusion.compiled_for(model, None)
    model.get_layer("head").set_weights([np.array([[2.0, -2.0]]), np.zeros(2)])
    after = occlusion.occlusion_maps(model, image, window=2, target=0, baseline=0.0).maps
    assert occlusion.compiled_for(model, None) is compiled
    np.testing.assert_allclose(after, 2 * before, rtol=1e-6)


def test_whole_float_window_and_stride_are_accepted():
    images = np.random.default_rng(8).random((1, 4, 4, 1)).astype(np.float32)
    as_float = occlusion.occlusion_maps(mean_model(), images, window=2.0, stride=(1.0, 2)).maps
    np.testing.assert_array_equal(
        as_float, occlusion.occlusion_maps(mean_model(), images, window=2, stride=(1, 2)).maps
    )


def test_maps_are_bit_identical_across_runs():
    images = np.random.default_rng(7).random((3, 6, 6, 1)).astype(np.float32)
    runs = [
        occlusion.occlusion_maps(mean_model(6, 6), images, 3, 2, baseline=b).maps
        for b in ("blur", "blur", 0.0, 0.0)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[2], runs[3])


def test_class_maps_by_hand_and_equal_to_one_map_per_copy():
    image = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    maps, targets = occlusion.class_maps(mean_model(), image, [0, 1], window=2)
    expected = np.array([[10, 10, 18, 18], [10, 10, 18, 18], [42, 42, 50, 50], [42, 42, 50, 50]])
    np.testing.assert_allclose(maps[0], expected / 16, rtol=1e-6)  # class 0 scores the mean
    np.testing.assert_allclose(maps[1], -expected / 16, rtol=1e-6)  # class 1 minus it
    assert targets.tolist() == [0, 1]
    rng = np.random.default_rng(3)
    picture = rng.random((6, 6, 1)).astype(np.float32)
    for baseline in (0.0, 0.4, "blur"):
        one_pass = occlusion.class_maps(
            mean_model(6, 6), picture, [1, 0, 1], window=3, stride=2, baseline=baseline
        ).maps
        per_copy = occlusion.occlusion_maps(
            mean_model(6, 6),
            np.repeat(picture[None], 3, axis=0),
            window=3,
            stride=2,
            target=[1, 0, 1],
            baseline=baseline,
        ).maps
        np.testing.assert_allclose(one_pass, per_copy, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("batch_size", [1, 3, 100])
def test_class_maps_identical_for_every_batch_size(batch_size):
    picture = np.random.default_rng(4).random((6, 6, 1)).astype(np.float32)
    reference_maps = occlusion.class_maps(mean_model(6, 6), picture, [0, 1], 3, 1).maps
    maps = occlusion.class_maps(mean_model(6, 6), picture, [0, 1], 3, 1, batch_size=batch_size).maps
    np.testing.assert_allclose(maps, reference_maps, rtol=1e-6, atol=1e-7)


def test_class_maps_bad_inputs():
    with pytest.raises(ValueError, match=r"class_maps explains one image of shape \(4, 4, 1\)"):
        occlusion.class_maps(mean_model(), np.zeros((2, 4, 4, 1)), [0], window=2)
    with pytest.raises(ValueError, match="targets must list at least one class"):
        occlusion.class_maps(mean_model(), np.zeros((4, 4, 1)), [], window=2)
    with pytest.raises(ValueError, match=r"target class 2 out of range: there are 2"):
        occlusion.class_maps(mean_model(), np.zeros((4, 4, 1)), [0, 2], window=2)
    with pytest.raises(ValueError, match=r"stride \(3, 3\) is larger than the window"):
        occlusion.class_maps(mean_model(), np.zeros((4, 4, 1)), [0], window=2, stride=3)


def test_logit_maps_and_target_scores_by_hand():
    model = gap_model(linear=False)  # softmax head; logits of a constant image c: c x [1.5, 4.5]
    ones = np.ones((2, 4, 4, 1), np.float32)
    np.testing.assert_allclose(
        occlusion.target_scores(model, ones, [0, 1], logits=True), [1.5, 4.5], rtol=1e-6
    )
    softmax = np.exp([1.5, 4.5]) / np.exp([1.5, 4.5]).sum()
    np.testing.assert_allclose(occlusion.target_scores(model, ones, 1), softmax[1], rtol=1e-6)
    np.testing.assert_allclose(occlusion.target_scores(model, ones[:1], None), softmax[1:])
    # hiding a 2x2 window (a quarter of the image) by 0 lowers each logit by a quarter
    maps = occlusion.occlusion_maps(model, ones, window=2, target=[0, 1], logits=True).maps
    np.testing.assert_allclose(maps[0], 1.5 / 4, rtol=1e-6)
    np.testing.assert_allclose(maps[1], 4.5 / 4, rtol=1e-6)
    one_pass = occlusion.class_maps(model, ones[0], [0, 1], window=2, logits=True).maps
    np.testing.assert_allclose(one_pass, maps, rtol=1e-6)


def test_effect_table_by_hand():
    maps = np.array([[[1.0, -2.0], [0.0, 0.5]], [[0.2, 0.1], [0.0, 0.3]]])
    table = occlusion.effect_table(
        {"logit": maps, "probability": maps / 10}, ["a", "b"], scores={"logit": [4.0, 2.0]}
    )
    assert list(table.index) == ["0: a", "1: b"]
    assert list(table.columns) == [
        "logit",
        "logit drop",
        "logit rise",
        "probability drop",
        "probability rise",
    ]
    assert table["logit drop"].tolist() == [1.0, 0.3]
    assert table["logit rise"].tolist() == [2.0, 0.0]  # no window raises image b's score
    assert table["probability drop"].tolist() == [0.1, 0.03]
    with pytest.raises(ValueError, match="maps is empty"):
        occlusion.effect_table({}, ["a"])
    with pytest.raises(ValueError, match=r"scores \['p'\] have no maps"):
        occlusion.effect_table({"logit": maps}, ["a", "b"], scores={"p": [1, 2]})
    with pytest.raises(ValueError, match="names and maps\\['logit'\\] must have one entry"):
        occlusion.effect_table({"logit": maps}, ["a"])


def test_overlay_maps_on_one_scale_or_each_on_its_own():
    images = np.zeros((2, 4, 4))
    maps = np.stack([np.full((4, 4), 2.0), np.full((4, 4), -0.5)])
    shared = plots.overlay_maps(images, maps, shared=True, label="drop in the class's logit")
    overlays = [ax.images[1] for ax in shared.axes[2:4]]
    assert all(o.get_clim() == (-2.0, 2.0) for o in overlays)  # one scale: -m..m
    np.testing.assert_allclose(overlays[1].get_array(), -0.5)  # the weak map stays weak
    assert shared.axes[-1].get_ylabel() == "drop in the class's logit"
    own = plots.overlay_maps(images, maps, label="drop in the class's logit")
    np.testing.assert_allclose(own.axes[3].images[1].get_array(), -1.0)  # stretched to -1
    assert own.axes[-1].get_ylabel() == "drop in the class's logit / its largest |value|"


def test_map_comparison_centred_uses_one_diverging_scale():
    images = np.zeros((2, 4, 4))
    maps = {"zero": np.stack([np.full((4, 4), 3.0), np.zeros((4, 4))]), "blur": -np.ones((2, 4, 4))}
    fig = plots.map_comparison(images, maps, centred=True, label="drop in the class's logit")
    overlays = [ax.images[1] for ax in fig.axes[:6] if len(ax.images) == 2]
    assert len(overlays) == 4
    assert all(o.get_clim() == (-3.0, 3.0) for o in overlays)
    assert all(o.get_cmap().name == "coolwarm" for o in overlays)
    np.testing.assert_allclose(overlays[1].get_array(), -1.0)  # blur, image 0: as it is
    assert fig.axes[-1].get_ylabel() == "drop in the class's logit"
