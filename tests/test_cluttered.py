import numpy as np
import pytest

from helpers.data import cluttered


@pytest.fixture(scope="module")
def made(subset):
    return cluttered.make_cluttered(subset.x_test, subset.y_test, 300, canvas=64, seed=3)


def test_shapes_and_labels(made, subset):
    assert made.images.shape == (300, 64, 64, 1)
    assert made.masks.shape == (300, 64, 64)
    np.testing.assert_array_equal(made.labels, subset.y_test[made.source_index])


def test_masks_are_item_pixels_and_boxes_are_tight(made):
    for image, mask, box in zip(made.images[..., 0], made.masks, made.boxes, strict=True):
        assert mask.any()
        np.testing.assert_array_equal(box, cluttered.mask_box(mask))
        top, left, bottom, right = box
        assert 0 <= top < bottom <= 64 and 0 <= left < right <= 64
        assert (image[mask] > cluttered.MASK_THRESHOLD).all()
        inside = np.zeros_like(mask)
        inside[top:bottom, left:right] = True
        # distractors never enter the item's box
        assert (image[inside & ~mask] <= cluttered.MASK_THRESHOLD).all()


def test_distractors_are_present(made):
    outside_energy = [
        image[..., 0][~mask].sum() for image, mask in zip(made.images, made.masks, strict=True)
    ]
    assert np.mean(np.asarray(outside_energy) > 0) > 0.9


def test_same_seed_same_data(subset):
    a = cluttered.make_cluttered(subset.x_test, subset.y_test, 20, seed=7)
    b = cluttered.make_cluttered(subset.x_test, subset.y_test, 20, seed=7)
    c = cluttered.make_cluttered(subset.x_test, subset.y_test, 20, seed=8)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.images, c.images)


def test_mask_box_hand_made():
    mask = np.zeros((5, 6), bool)
    mask[1:3, 2:5] = True
    assert cluttered.mask_box(mask).tolist() == [1, 2, 3, 5]
    with pytest.raises(ValueError, match="mask is empty"):
        cluttered.mask_box(np.zeros((3, 3), bool))


def test_bad_arguments(subset):
    with pytest.raises(ValueError, match="does not fit a 40-px canvas"):
        cluttered.make_cluttered(subset.x_test, subset.y_test, 5, canvas=40, scale_range=(1, 2))
    with pytest.raises(ValueError, match="0 < low <= high"):
        cluttered.make_cluttered(subset.x_test, subset.y_test, 5, scale_range=(1.5, 1.0))
    with pytest.raises(ValueError, match="matching labels"):
        cluttered.make_cluttered(subset.x_test, subset.y_test[:3], 5)
