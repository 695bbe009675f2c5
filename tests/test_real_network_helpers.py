"""The helpers around the real ImageNet network: photos (the crop rule, bad input, the
learner's own folder), the top-k table, the spread of a head's cosines, the photo CAM
explorer (on a tiny fixed-weight network)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

from helpers import cams, coarse, predictions, widgets
from helpers.data import photos


def test_square_crops_the_centre_then_resizes():
    wide = np.zeros((10, 20, 3), np.uint8)
    wide[:, 5:15] = 255  # the centre square is white, the sides black
    out = photos.square(wide, 8)
    assert out.shape == (8, 8, 3) and out.dtype == np.uint8 and (out == 255).all()


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((10, 10), np.uint8), r"RGB uint8 array \(H, W, 3\); got uint8 \(10, 10\)"),
        (np.zeros((10, 10, 3), np.float32), r"got float32 \(10, 10, 3\)"),
    ],
)
def test_square_refuses_what_is_not_an_rgb_photo(image, message):
    with pytest.raises(ValueError, match=message):
        photos.square(image, 8)


def test_an_unknown_shipped_photo_is_named():
    with pytest.raises(ValueError, match=r"no shipped photo called \['dog'\]; there are"):
        photos.course_photos(names=["dog"])


def test_own_photos_are_added_and_unreadable_ones_named(tmp_path, monkeypatch):
    folder = tmp_path / "images" / "pets"
    folder.mkdir(parents=True)
    Image.fromarray(np.full((30, 40, 3), 200, np.uint8)).save(folder / "grey.png")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    with pytest.warns(UserWarning, match=r"1 file\(s\) in \$COURSE_DATA/images .*broken.jpg"):
        shown = photos.course_photos(size=16, names=["chelsea"])
    assert shown.names == ("chelsea", "grey") and shown.images.shape == (2, 16, 16, 3)
    np.testing.assert_allclose(shown.images[1], 200 / 255, atol=1e-6)


def test_top_k_table_orders_each_row_and_refuses_mismatched_names():
    table = predictions.top_k_table([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], "abc", ["p", "q"], k=2)
    assert table.loc["p"].tolist() == ["b 0.70", "c 0.20"]
    assert table.loc["q"].tolist() == ["a 0.50", "c 0.30"]
    with pytest.raises(ValueError, match="2 class names for 3 classes"):
        predictions.top_k_table([[0.1, 0.7, 0.2]], "ab", ["p"])
    with pytest.raises(ValueError, match="k must be"):
        predictions.top_k_table([[0.1, 0.7, 0.2]], "abc", ["p"], k=9)


def test_similarity_spread_of_an_evenly_spread_head_is_minus_one_over_c_minus_one():
    c = 5
    simplex = np.eye(c) - 1 / c  # columns of a regular simplex: all pairwise cosines equal
    low, high = coarse.similarity_spread(simplex)
    assert low == pytest.approx(-1 / (c - 1)) and high == pytest.approx(-1 / (c - 1))


def tiny_photo_network():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a")(inputs)
    x = keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="conv_b")(x)
    x = keras.layers.GlobalAveragePooling2D(name="features")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    keras.utils.set_random_seed(0)
    return keras.Model(inputs, outputs)


def test_photo_cam_explorer_answers_each_control_and_keeps_each_setting(monkeypatch):
    model = tiny_photo_network()
    images = np.random.default_rng(0).random((2, 8, 8, 3)).astype(np.float32)
    shown = photos.Photos(images, ("one", "two"), ("here", "here"))
    explorer = widgets.photo_cam_explorer(
        model, shown, ["x", "y", "z"], {"a": "conv_a", "b": "conv_b"}
    )
    index, target, layer = explorer.children[:3]
    first = explorer.result
    assert first["index"] == 0 and sorted(first["maps"]) == ["CAM", "Grad-CAM, a"]
    target.value = 2
    assert explorer.result["target"] == 2
    layer.value = "b"
    assert "Grad-CAM, b" in explorer.result["maps"]
    index.value = 1
    assert explorer.result["index"] == 1
    seen = {k: v for k, v in explorer.result.items() if k != "maps"}
    index.value = 0

    def no_grad_cam(*args, **kwargs):
        raise AssertionError("a setting seen before was computed again")

    monkeypatch.setattr(cams, "grad_cam", no_grad_cam)
    index.value = 1  # photo two, class z, layer b: seen above
    assert {k: v for k, v in explorer.result.items() if k != "maps"} == seen
    with pytest.raises(ValueError, match="photo_cam_explorer needs at least 1 layer"):
        widgets.photo_cam_explorer(model, shown, ["x", "y", "z"], {})
