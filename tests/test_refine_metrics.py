import numpy as np
import pytest
from scipy import ndimage

from helpers import metrics, refine

YY, XX = np.mgrid[:64, :64]


def disk(cy=30, cx=34, r=12):
    return ((YY - cy) ** 2 + (XX - cx) ** 2) <= r**2


def low_of(mask):
    """A blurred, 8x8 block-averaged version of a mask: what a low-res CAM looks like."""
    return ndimage.gaussian_filter(mask.astype(float), 3).reshape(8, 8, 8, 8).mean(axis=(1, 3))


@pytest.mark.parametrize(("cy", "cx", "r"), [(30, 34, 12), (20, 40, 9), (32, 32, 14)])
def test_refine_recovers_a_disk(cy, cx, r):
    target = disk(cy, cx, r)
    image = np.random.default_rng(0).random((64, 64, 1))
    steps = refine.refine(low_of(target), target.astype(float), image=image)
    assert metrics.iou(metrics.thresholded(steps.merged[None], 0.5)[0], target) > 0.9
    assert steps.low_resized.shape == steps.blurred.shape == steps.edges.shape == (64, 64)
    assert steps.roi.dtype == bool and steps.focal_points.shape == (64, 2)  # sqrt(64*64)
    assert steps.bounds[0] <= steps.bounds[1]
    top, left, bottom, right = steps.crop_box
    assert steps.cropped.shape == (bottom - top, right - left, 1)
    assert target[top:bottom, left:right].sum() >= 0.95 * target.sum()  # the crop holds it


def test_refine_local_scope_multiply_and_threshold_crop():
    target = disk()
    params = refine.RefineParams(
        focal_scope="local", merge="multiply", crop_mode="threshold", crop_threshold=0.5
    )
    steps = refine.refine(low_of(target), target.astype(float), params=params)
    assert 1 <= len(steps.focal_points) < 64
    assert steps.merged.max() == pytest.approx(1.0)


def test_all_zero_maps_do_not_crash():
    steps = refine.refine(np.zeros((8, 8)), np.zeros((64, 64)), image=np.zeros((64, 64, 1)))
    assert steps.merged.max() == 0 and steps.crop_box == (0, 0, 64, 64)
    assert metrics.pointing_game(np.zeros((1, 4, 4)), np.ones((1, 4, 4), bool)).tolist() == [True]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roi_percentile": 101}, r"roi_percentile is a percentile: it must be in \[0, 100\]"),
        ({"lower_percentile": -1}, "lower_percentile is a percentile"),
        ({"crop_percentage": 0.15 * 1000}, "crop_percentage is a percentile"),
        ({"lower_percentile": 80, "upper_percentile": 20}, "must not exceed upper_percentile"),
        ({"alpha": 1.5}, r"alpha must be in \[0, 1\], got 1.5"),
        ({"crop_threshold": -0.1}, r"crop_threshold must be in \[0, 1\]"),
        ({"merge": "merge"}, r"unknown merge 'merge'; use one of \('blend', 'multiply'\)"),
        ({"focal_scope": "all"}, "unknown focal_scope 'all'"),
        ({"crop_mode": "box"}, "unknown crop_mode 'box'"),
        ({"blur_size": 0}, "blur_size must be at least 1"),
        ({"hole_area": -5}, "hole_area must be >= 0"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        refine.RefineParams(**kwargs)


def test_mismatched_maps():
    with pytest.raises(ValueError, match=r"image \(32, 32\) and high map \(64, 64\)"):
        refine.refine(np.zeros((8, 8)), np.zeros((64, 64)), image=np.zeros((32, 32, 1)))
    with pytest.raises(ValueError, match="maps must be 2-D"):
        refine.refine(np.zeros((8, 8, 1)), np.zeros((64, 64)))
    with pytest.raises(ValueError, match="must not be larger than the high map"):
        refine.refine(np.zeros((80, 80)), np.zeros((64, 64)))
    with pytest.raises(ValueError, match="2 low maps but 1 high maps"):
        refine.refine_batch(np.zeros((2, 8, 8)), np.zeros((1, 64, 64)))


def test_metrics_on_hand_made_maps():
    masks = np.zeros((2, 4, 4), bool)
    masks[:, 1:3, 1:3] = True
    maps = np.zeros((2, 4, 4))
    maps[0, 1, 2] = 5.0  # inside
    maps[1, 0, 0] = 5.0  # outside
    maps[1, 1:3, 1:3] = 1.0
    assert metrics.pointing_game(maps, masks).tolist() == [True, False]
    # image 0: one pixel above half max -> IoU 1/4; image 1: only the corner -> 0
    np.testing.assert_allclose(metrics.mask_iou(maps, masks, 0.5), [0.25, 0.0])
    np.testing.assert_allclose(metrics.mask_iou(maps, masks, 0.1), [0.25, 0.8])
    assert metrics.iou(np.zeros(3), np.zeros(3)) == 1.0
    with pytest.raises(ValueError, match=r"must both be \(N, H, W\)"):
        metrics.pointing_game(maps[0], masks[0])


def test_boxes():
    assert metrics.box_iou((0, 0, 2, 2), (1, 1, 3, 3)) == pytest.approx(1 / 7)
    assert metrics.box_iou((0, 0, 2, 2), (2, 2, 4, 4)) == 0.0
    saliency = np.zeros((10, 10))
    saliency[2:5, 3:8] = 1.0  # the big region
    saliency[8, 8] = 0.9  # a small separate peak
    assert metrics.map_box(saliency).tolist() == [2, 3, 5, 8]
    assert metrics.map_box(np.zeros((4, 6))).tolist() == [0, 0, 4, 6]
    boxes = np.array([[2, 3, 5, 8], [0, 0, 1, 1]])
    assert metrics.box_accuracy(np.stack([saliency, saliency]), boxes).tolist() == [True, False]


def test_deletion_insertion_with_a_pixel_counting_score():
    """score = the fraction of the image's original brightness still present."""
    images = np.zeros((2, 2, 2, 1), np.float32)
    images[:, 0, 0] = 1.0  # all brightness in one pixel

    def score(batch):
        kept = batch.reshape(len(batch), -1).sum(axis=1)
        return np.stack([kept, 1 - kept], axis=1)

    good = np.zeros((2, 2, 2))
    good[:, 0, 0] = 1.0  # points at the bright pixel
    bad = 1.0 - good  # the bright pixel comes last
    out_good = metrics.deletion_insertion(score, images, good, np.zeros(2, int), steps=4)
    out_bad = metrics.deletion_insertion(score, images, bad, np.zeros(2, int), steps=4)
    np.testing.assert_allclose(out_good["deletion"][0], [1, 0, 0, 0, 0])
    np.testing.assert_allclose(out_good["insertion"][0], [0, 1, 1, 1, 1])
    np.testing.assert_allclose(out_good["deletion_area"], 0.2)
    np.testing.assert_allclose(out_bad["deletion_area"], 0.8)
    np.testing.assert_allclose(out_bad["insertion_area"], 0.2)
    with pytest.raises(ValueError, match="do not match"):
        metrics.deletion_insertion(score, images, good[:1], np.zeros(2, int))
