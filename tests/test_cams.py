import keras
import numpy as np
import pytest

from helpers import cams, course
from helpers.saliency import Score
from tests.models import gap_model

IMAGES = np.random.default_rng(0).random((3, 4, 4, 1)).astype(np.float32)


def test_cam_equals_hand_computation():
    maps, targets = cams.cam(gap_model(), IMAGES, target=1)
    # CAM_1 = 0.5 * A0 + 2.0 * A1 = 0.5 x + 4 x = 4.5 x
    np.testing.assert_allclose(maps, 4.5 * IMAGES[..., 0], rtol=1e-5)
    assert targets.tolist() == [1, 1, 1]
    maps0, _ = cams.cam(gap_model(), IMAGES, target=0)
    np.testing.assert_allclose(maps0, 1.5 * IMAGES[..., 0], rtol=1e-5)  # 1 x + 0.25 * 2x


def test_cam_default_is_the_predicted_class():
    _, targets = cams.cam(gap_model(), IMAGES)
    assert targets.tolist() == [1, 1, 1]  # 4.5 mean(x) > 1.5 mean(x) for positive images


def test_batch_equals_one_by_one():
    model = gap_model(linear=False)
    batch, _ = cams.cam(model, IMAGES)
    for i in range(len(IMAGES)):
        single, _ = cams.cam(model, IMAGES[i : i + 1])
        np.testing.assert_allclose(batch[i], single[0], rtol=1e-5, atol=1e-6)


def test_grad_cam_agrees_with_cam_up_to_scale():
    model = gap_model()
    cam_maps, _ = cams.cam(model, IMAGES, target=1)
    grad_maps, _ = cams.grad_cam(model, IMAGES, layer="conv", target=1)
    np.testing.assert_allclose(grad_maps * 16, cam_maps, rtol=1e-4)  # alpha = w / (H W)


def relu_cam_over_area(model, images, target=None):
    """ReLU(CAM) / (H W) at the GAP layer's input: what Grad-CAM on the logit must give."""
    maps, targets = cams.cam(model, images, target, upsampled=False)
    return np.maximum(maps, 0) / (maps.shape[1] * maps.shape[2]), targets


def test_grad_cam_on_a_softmax_model_differentiates_the_logit():
    model = gap_model(linear=False)  # the head ends in a softmax
    expected, _ = relu_cam_over_area(model, IMAGES, target=0)
    maps, _ = cams.grad_cam(model, IMAGES, layer="conv", target=0, upsampled=False)
    np.testing.assert_allclose(maps, expected, atol=1e-5)
    # the model itself still ends in its softmax afterwards
    np.testing.assert_allclose(model.predict(IMAGES, verbose=0).sum(axis=1), 1.0, rtol=1e-5)


def test_grad_cam_with_a_score_on_probabilities_is_not_the_logit_map():
    model = gap_model(linear=False)
    on_logit, _ = cams.grad_cam(model, IMAGES, layer="conv", target=0, upsampled=False)

    on_probability, _ = cams.grad_cam(
        model, IMAGES, layer="conv", target=0, upsampled=False, score=Score(model, logits=False)
    )
    # d p0 / d z0 = p0 (1 - p0) scales the map per image, but class 1's logit pulls the other
    # way, so the probability map is not the logit map
    assert not np.allclose(on_probability, on_logit, atol=1e-6)


def test_grad_cam_equals_relu_cam_on_the_shipped_cam_half():
    from helpers.models import zoo

    half = zoo.load("cam_half")
    images = np.random.default_rng(4).random((4, 64, 64, 1)).astype(np.float32)
    expected, targets = relu_cam_over_area(half, images)
    maps, grad_targets = cams.grad_cam(half, images, layer="bottleneck", upsampled=False)
    assert grad_targets.tolist() == targets.tolist()
    np.testing.assert_allclose(maps, expected, atol=1e-5)


def test_compiled_grad_cam_explains_the_logit_for_every_batch_size():
    model = gap_model(linear=False)
    for batch in (IMAGES, IMAGES[:1], IMAGES[:2]):  # one trace serves every batch size
        compiled, targets = cams.grad_cam(model, batch, layer="conv", upsampled=False)
        expected, expected_targets = relu_cam_over_area(model, batch)
        assert targets.tolist() == expected_targets.tolist()
        np.testing.assert_allclose(compiled, expected, atol=1e-5)
    explicit = cams.grad_cam(model, IMAGES, layer="conv", score=Score(model, logits=True))
    np.testing.assert_allclose(explicit.maps, cams.grad_cam(model, IMAGES, layer="conv").maps)


def test_compiled_grad_cam_is_released_with_its_model():
    import gc
    import weakref

    model = gap_model()
    cams.grad_cam(model, IMAGES, layer="conv")
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_grad_cam_refuses_a_score_of_a_layer_s_units():
    model = gap_model()
    with pytest.raises(ValueError, match=r"Grad-CAM explains the model's classes"):
        cams.grad_cam(model, IMAGES, layer="conv", score=Score(model, layer="conv"))


def test_grad_cam_inside_a_nested_model():
    inner = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 1, name="c")], name="base"
    )
    outer = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            inner,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    maps, targets = cams.grad_cam(outer, IMAGES, upsampled=False)
    expected, cam_targets = relu_cam_over_area(outer, IMAGES)
    assert targets.tolist() == cam_targets.tolist()
    np.testing.assert_allclose(maps, expected, atol=1e-5)


def test_upsampling_to_input_size():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.MaxPooling2D(4)(keras.layers.Conv2D(2, 1)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(x)))
    maps, _ = cams.cam(model, np.ones((2, 8, 8, 1)))
    low, _ = cams.cam(model, np.ones((2, 8, 8, 1)), upsampled=False)
    assert maps.shape == (2, 8, 8) and low.shape == (2, 2, 2)


def test_model_without_gap_head_suggests_grad_cam():
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Flatten()(keras.layers.Conv2D(2, 1)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2)(x))
    with pytest.raises(
        ValueError, match=r"does not end in GlobalAveragePooling2D -> Dense.*grad_cam"
    ):
        cams.cam(model, IMAGES)
    maps, _ = cams.grad_cam(model, IMAGES)
    assert maps.shape == (3, 4, 4)


def test_fractional_targets_and_nan_images_are_refused():
    with pytest.raises(ValueError, match=r"target must hold whole numbers, got 2.7"):
        cams.cam(gap_model(), IMAGES, target=2.7)
    maps, targets = cams.cam(gap_model(), IMAGES, target=1.0)
    assert targets.tolist() == [1, 1, 1]
    bad = IMAGES.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"images holds 1 NaN"):
        cams.grad_cam(gap_model(), bad)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"target class 2 out of range: there are 2 \(0..1\)"):
        cams.cam(gap_model(), IMAGES, target=2)
    with pytest.raises(ValueError, match=r"images must be a non-empty batch \(N, 4, 4, 1\)"):
        cams.cam(gap_model(), IMAGES[0])
    with pytest.raises(
        ValueError, match=r"images must be a non-empty batch .* got shape \(0, 4, 4, 1\)"
    ):
        cams.grad_cam(gap_model(), IMAGES[:0])


def test_half_and_full_models_shapes():
    half = cams.build_half_model(num_classes=3, input_shape=(32, 32, 1))
    full = cams.build_full_model(half)
    images = np.random.default_rng(1).random((2, 32, 32, 1)).astype(np.float32)
    outputs = full(images)
    assert outputs["reconstruction"].shape == (2, 32, 32, 1)
    assert outputs["highres"].shape == (2, 32, 32, 16)
    assert outputs["pooled"].shape == (2, 4, 4, 16)
    assert not any(w.trainable for w in half.weights)
    maps, targets = cams.high_res_cam(full, half, images, target=[0, 2])
    kernel = half.get_layer("predictions").get_weights()[0]
    expected = np.einsum("nhwk,kn->nhw", outputs["highres"].numpy(), kernel[:, [0, 2]])
    np.testing.assert_allclose(maps, expected, rtol=1e-5)
    assert targets.tolist() == [0, 2]


def test_map_types_and_explorers():
    from helpers import refine, widgets

    half = cams.build_half_model(num_classes=3, input_shape=(32, 32, 1))
    full = cams.build_full_model(half)
    images = np.random.default_rng(2).random((3, 32, 32, 1)).astype(np.float32)
    maps, targets = cams.map_types(half, full, images)
    assert set(maps) == {
        "low-res CAM",
        "high-res CAM",
        "refined CAM",
        "refined CAM, high-res in segment",
        "Grad-CAM",
    }
    assert all(m.shape == (3, 32, 32) for m in maps.values()) and targets.shape == (3,)
    params = refine.RefineParams(hole_area=16)
    np.testing.assert_allclose(
        cams.map_types(half, full, images, params)[0]["low-res CAM"], maps["low-res CAM"], rtol=1e-5
    )

    masks = np.zeros((3, 32, 32), bool)
    masks[:, 8:20, 8:20] = True
    explorer = widgets.refine_explorer(half, full, images, masks)
    controls = {c.description: c for c in explorer.children[:-1]}
    before = explorer.result["steps"].merged.copy()
    controls["blend weight"].value = 1.0
    assert not np.allclose(explorer.result["steps"].merged, before)
    segment = explorer.result["steps"].merged.copy()  # alpha 1: the binary segment itself
    assert set(np.unique(segment)) <= {0.0, 1.0}
    controls["merge the low-res map with"].value = "high-res in segment"
    assert not np.allclose(explorer.result["steps"].merged, segment)
    assert controls["local maxima areas"].disabled
    controls["focal points"].value = "local"
    assert not controls["local maxima areas"].disabled
    controls["lower edge percentile"].value = 90  # above the upper one: a message, no crash
    assert explorer.result is None
    controls["lower edge percentile"].value = 25
    # controls the current mode ignores are disabled, and come back with their mode
    assert not controls["blend weight"].disabled and controls["crop threshold"].disabled
    controls["merge by"].value = "multiply"
    controls["crop by"].value = "threshold"
    assert controls["blend weight"].disabled and controls["crop top percent"].disabled
    assert not controls["crop threshold"].disabled
    controls["merge by"].value = "blend"
    assert not controls["blend weight"].disabled
    controls["image"].value = 2
    assert explorer.result["index"] == 2
    with pytest.raises(ValueError, match=r"images and masks must have one entry per item"):
        widgets.refine_explorer(half, full, images, masks[:2])

    classes = widgets.cam_explorer(half, full, images, ["a", "b", "c"])
    classes.children[1].value = 2
    assert classes.result["target"] == 2
    classes.children[1].value = 0
    assert classes.result["target"] == 0


def test_decoder_ablation_reads_the_manifest(tmp_path):
    import json

    from helpers.models import zoo

    rows = [
        {"variant": "a", "reconstruction weight": 1.0, "agreement weight": 0.0, "boundary F": 0.2},
        {"variant": "b", "reconstruction weight": 1.0, "agreement weight": 0.3, "boundary F": 0.3},
    ]
    entry = {"name": "cam_full", "reconstruction_weight": 1.0, "agreement_weight": 0.3}
    (tmp_path / "manifest.json").write_text(
        json.dumps({"models": [entry | {"ablation": {"rows": rows}}]})
    )
    table = course.decoder_ablation(tmp_path)
    assert table["shipped"].tolist() == [False, True]
    assert table.loc["b", "boundary F"] == 0.3
    (tmp_path / "manifest.json").write_text(json.dumps({"models": [entry]}))
    with pytest.raises(zoo.ModelUnavailableError, match=r"no decoder ablation is recorded"):
        course.decoder_ablation(tmp_path)
