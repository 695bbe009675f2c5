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
    params = refine.RefineParams(merge_source="high-res in segment")
    steps = refine.refine(low_of(target), target.astype(float), image=image, params=params)
    assert metrics.iou(metrics.thresholded(steps.merged[None], 0.5)[0], target) > 0.9
    assert steps.low_resized.shape == steps.blurred.shape == steps.edges.shape == (64, 64)
    assert steps.roi.dtype == bool and steps.focal_points.shape == (8, 2)  # round(sqrt(64))
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


def test_the_reference_merges_the_binary_segment_with_the_low_map():
    target = disk(20, 40, 9)
    for alpha in (0.0, 0.3, 1.0):
        steps = refine.refine(
            low_of(target), target.astype(float), params=refine.RefineParams(alpha=alpha)
        )
        expected = alpha * steps.full_segment + (1 - alpha) * steps.low_resized
        np.testing.assert_allclose(steps.merged, expected)
    multiplied = refine.refine(
        low_of(target), target.astype(float), params=refine.RefineParams(merge="multiply")
    )
    expected = refine.normalise(multiplied.full_segment * multiplied.low_resized)
    np.testing.assert_allclose(multiplied.merged, expected)


def test_focal_points_as_the_reference_finds_them():
    low = np.zeros((4, 4))
    low[0, 0], low[2, 3], low[3, 0] = 1.0, 0.9, 0.2  # three local maxima, the last one weak
    top = refine.focal_points(low, (8, 8), "global")
    assert len(top) == 3  # round(sqrt(8))
    assert [0, 0] in top.tolist()  # the strongest pixel of the resized map
    large = refine.focal_points(low, (8, 8), "local", maxima_areas="large")
    # maxima above (1.0 + 0.2) / 2 = 0.6, each enlarged to its 2 x 2 block
    assert sorted(map(tuple, large)) == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
        (4, 6),
        (4, 7),
        (5, 6),
        (5, 7),
    ]
    small = refine.focal_points(low, (8, 8), "local", maxima_areas="small")
    assert 2 <= len(small) < 8 and set(map(tuple, small)) <= set(map(tuple, large))
    flat = refine.focal_points(np.ones((4, 4)), (8, 8), "local")
    assert len(flat) == 1
    with pytest.raises(ValueError, match=r"unknown maxima_areas 'medium'; use one of"):
        refine.focal_points(low, (8, 8), "local", maxima_areas="medium")


def test_all_zero_maps_do_not_crash():
    steps = refine.refine(np.zeros((8, 8)), np.zeros((64, 64)), image=np.zeros((64, 64, 1)))
    assert np.ptp(steps.merged) == 0 and steps.crop_box == (0, 0, 64, 64)  # no place preferred
    # a blank map points nowhere: a miss, even on an object that fills the image
    assert metrics.pointing_game(np.zeros((1, 4, 4)), np.ones((1, 4, 4), bool)).tolist() == [False]


def test_non_finite_maps_and_empty_masks_are_refused():
    masks = np.ones((2, 4, 4), bool)
    maps = np.random.default_rng(0).random((2, 4, 4))
    maps[1, 2, 2] = np.nan
    with pytest.raises(ValueError, match=r"maps holds 1 NaN or infinite"):
        metrics.pointing_game(maps, masks)
    masks[1] = False
    with pytest.raises(ValueError, match=r"mask\(s\) \[1\] are empty: there is no object"):
        metrics.mask_iou(np.ones((2, 4, 4)), masks)
    high = np.ones((8, 8))
    high[0, 0] = np.inf
    with pytest.raises(ValueError, match=r"high_map holds 1 NaN or infinite"):
        refine.refine(np.ones((2, 2)), high)


def test_whole_number_parameters_accept_floats_that_are_whole():
    assert refine.RefineParams(blur_size=5.0).blur_size == 5
    with pytest.raises(
        ValueError, match=r"blur_size \(blur size \(px\)\) must be a whole number, got 2.5"
    ):
        refine.RefineParams(blur_size=2.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"roi_percentile": 101},
            r"roi_percentile \(ROI percentile\) must be in \[0, 100\], got 101",
        ),
        (
            {"lower_percentile": -1},
            r"lower_percentile \(lower edge percentile\) must be in \[0, 100\]",
        ),
        (
            {"crop_percentage": 0.15 * 1000},
            r"crop_percentage \(crop top percent\) must be in \[0, 100\]",
        ),
        ({"lower_percentile": 80, "upper_percentile": 20}, "must not exceed upper_percentile"),
        ({"alpha": 1.5}, r"alpha \(blend weight\) must be in \[0, 1\], got 1.5"),
        ({"crop_threshold": -0.1}, r"crop_threshold \(crop threshold\) must be in \[0, 1\]"),
        ({"alpha": float("nan")}, r"alpha \(blend weight\) must be in \[0, 1\], got nan"),
        ({"alpha": "0.5"}, r"alpha \(blend weight\) must be a number, got '0.5'"),
        ({"merge": "merge"}, r"unknown merge 'merge'; use one of \('blend', 'multiply'\)"),
        ({"focal_scope": "all"}, "unknown focal_scope 'all'"),
        ({"crop_mode": "box"}, "unknown crop_mode 'box'"),
        ({"blur_size": 0}, r"blur_size \(blur size \(px\)\) must be at least 1"),
        ({"hole_area": -5}, r"hole_area \(fill holes up to \(px\)\) must be at least 0, got -5"),
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


def brightness_score(batch):
    """score = the fraction of the image's original brightness still present."""
    kept = batch.reshape(len(batch), -1).sum(axis=1)
    return np.stack([kept, 1 - kept], axis=1)


def one_bright_pixel(n):
    images = np.zeros((n, 4, 4, 1), np.float32)
    images[:, 0, 0] = 1.0  # all brightness in one of 16 pixels
    return images


def test_deletion_insertion_areas_by_the_trapezoid_rule():
    images = one_bright_pixel(2)
    good = np.zeros((2, 4, 4))
    good[:, 0, 0] = 1.0  # points at the bright pixel
    bad = 1.0 - good  # the bright pixel comes last
    targets = np.zeros(2, int)
    out_good = metrics.deletion_insertion(brightness_score, images, good, targets, steps=16)
    out_bad = metrics.deletion_insertion(brightness_score, images, bad, targets, steps=16)
    np.testing.assert_allclose(out_good["deletion"][0], [1] + [0] * 16)
    np.testing.assert_allclose(out_good["insertion"][0], [0] + [1] * 16)
    # trapezoids of width 1/16: one half-height step, then flat
    np.testing.assert_allclose(out_good["deletion_area"], 0.5 / 16)
    np.testing.assert_allclose(out_good["insertion_area"], 15.5 / 16)
    np.testing.assert_allclose(out_bad["deletion_area"], 15.5 / 16)
    np.testing.assert_allclose(out_bad["insertion_area"], 0.5 / 16)


def test_ties_are_broken_in_a_seeded_random_order_not_raster_order():
    images = one_bright_pixel(300)  # the bright pixel is first in raster order
    flat = np.ones((300, 4, 4))
    targets = np.zeros(300, int)
    out = metrics.deletion_insertion(brightness_score, images, flat, targets, steps=16, seed=1)
    # raster order would delete the bright pixel first every time: area 1/32 on every image
    assert 0.4 < out["deletion_area"].mean() < 0.6
    again = metrics.deletion_insertion(brightness_score, images, flat, targets, steps=16, seed=1)
    np.testing.assert_array_equal(out["deletion_area"], again["deletion_area"])


def test_reference_maps():
    centre = metrics.centre_prior_maps((2, 5, 7))
    assert centre.shape == (2, 5, 7) and np.unravel_index(centre[0].argmax(), (5, 7)) == (2, 3)
    np.testing.assert_allclose(centre[:, 2, 3], 1.0)
    np.testing.assert_allclose(centre[0], centre[0, ::-1, ::-1])  # symmetric about the centre
    noise = metrics.random_maps((3, 4, 4), seed=2)
    np.testing.assert_array_equal(noise, metrics.random_maps((3, 4, 4), seed=2))


def test_quality_table_has_intervals():
    masks = np.zeros((4, 6, 6), bool)
    masks[:, 1:4, 1:4] = True
    boxes = np.array([[1, 1, 4, 4]] * 4)
    perfect = masks.astype(float)
    table = metrics.quality_table({"perfect": perfect, "inverse": 1 - perfect}, masks, boxes)
    assert table.loc["perfect", "pointing game"] == 1.0
    assert table.loc["perfect", "IoU low"] == 1.0 and table.loc["inverse", "IoU high"] == 0.0
    assert table.loc["inverse", "box accuracy"] == 0.0


def test_deletion_insertion_bad_inputs():
    images = one_bright_pixel(2)
    good = np.ones((2, 4, 4))
    with pytest.raises(ValueError, match="steps must be at least 16"):
        metrics.deletion_insertion(brightness_score, images, good, np.zeros(2, int), steps=8)
    with pytest.raises(ValueError, match="do not match"):
        metrics.deletion_insertion(brightness_score, images, good[:1], np.zeros(2, int))


def square_mask(top=2, left=2, side=4, size=8):
    mask = np.zeros((size, size), bool)
    mask[top : top + side, left : left + side] = True
    return mask


def test_outline_of_a_square_is_its_perimeter():
    outline = metrics.outline(square_mask(side=3))
    assert outline.sum() == 8 and not outline[3, 3]  # 3x3 block: all but its centre
    assert metrics.outline(square_mask(side=4)).sum() == 12


def test_boundary_f_by_hand():
    mask = square_mask()[None]
    same = square_mask().astype(float)[None]
    shifted = square_mask(left=3).astype(float)[None]  # one pixel to the right
    np.testing.assert_allclose(metrics.boundary_f(same, mask), [1.0])
    # no tolerance: top and bottom rows share 3 of 4 pixels each -> 6 of 12 both ways
    np.testing.assert_allclose(metrics.boundary_f(shifted, mask, tolerance=0), [0.5])
    # 1 px tolerance: every outline pixel is within a pixel of the other outline
    np.testing.assert_allclose(metrics.boundary_f(shifted, mask, tolerance=1), [1.0])
    # a flat map keeps every pixel: its outline is the image border, 2 px from the square
    np.testing.assert_allclose(metrics.boundary_f(np.ones((1, 8, 8)), mask), [0.0])
    # a map with no positive value keeps no pixel: F = 0
    np.testing.assert_allclose(metrics.boundary_f(np.zeros((1, 8, 8)), mask), [0.0])
    with pytest.raises(ValueError, match=r"tolerance must be in \[0, inf\], got -1.0"):
        metrics.boundary_f(same, mask, tolerance=-1)


def test_energy_in_mask_by_hand():
    mask = square_mask()[None]
    saliency = np.zeros((1, 8, 8))
    saliency[0, 3, 3], saliency[0, 0, 0], saliency[0, 7, 7] = 3.0, 1.0, -5.0
    np.testing.assert_allclose(metrics.energy_in_mask(saliency, mask), [0.75])  # 3 of 4
    np.testing.assert_allclose(metrics.energy_in_mask(-saliency.clip(0), mask), [0.0])
    np.testing.assert_allclose(metrics.energy_in_mask(mask.astype(float), mask), [1.0])


def test_single_image_scores_by_hand():
    mask = square_mask()
    scores = metrics.single_image_scores(
        {"exact": mask.astype(float), "shifted": square_mask(left=3).astype(float)}, mask
    )
    assert scores.loc["exact"].tolist() == ["hit", 1.0, 1.0, 1.0]
    # shifted right by one column: its max (first in reading order) at (2, 3) is inside;
    # 12 of 20 pixels shared; outlines within 1 px; 12 of 16 units of mass inside
    assert scores.loc["shifted"].tolist() == ["hit", 0.6, 1.0, 0.75]


def test_paired_against_compares_on_the_same_images():
    masks = np.zeros((40, 8, 8), bool)
    masks[:, 2:6, 2:6] = True
    boxes = np.array([[2, 2, 6, 6]] * 40)
    exact = masks.astype(float)
    blob = metrics.centre_prior_maps(masks.shape, 0.4)
    per_image = metrics.per_image_scores({"exact": exact, "blob": blob}, masks, boxes)
    table = metrics.paired_against(per_image, "blob", ["exact"], ["IoU", "pointing game"])
    iou = table.loc[("exact", "IoU")]
    assert iou["minus blob"] == pytest.approx(1.0 - per_image["blob"]["IoU"].mean(), abs=1e-4)
    assert iou["low"] > 0 and iou["call"] == "exact is better than blob"
    # both point inside every mask: the same hits, no difference to call
    assert table.loc[("exact", "pointing game"), "call"] == "no significant difference"
    with pytest.raises(ValueError, match=r"no per-image scores for \['Grad-CAM'\]"):
        metrics.paired_against(per_image, "blob", ["Grad-CAM"], ["IoU"])


def test_pipeline_figure_says_how_many_hole_pixels_were_filled():
    from helpers import plots

    target = disk(30, 34, 12)
    steps = refine.refine(low_of(target), target.astype(float), image=np.zeros((64, 64, 1)))
    hole = disk(30, 34, 3)  # 29 pixels
    steps.segmented = steps.full_segment & ~hole
    titles = [ax.get_title() for ax in plots.pipeline_steps(steps, np.zeros((64, 64, 1))).axes]
    assert f"holes up to 256 px: {int((steps.full_segment & hole).sum())} px filled" in titles
    assert int((steps.full_segment & hole).sum()) == 29


def test_refining_for_two_merge_sources_at_once_matches_each_alone():
    rng = np.random.default_rng(1)
    lows, highs = rng.random((3, 8, 8)), rng.random((3, 64, 64))
    params = refine.RefineParams(merge="multiply")
    both = refine.refine_batch_sources(lows, highs, params, ["segment", "high-res in segment"])
    for source in ("segment", "high-res in segment"):
        alone = refine.refine_batch(
            lows, highs, refine.RefineParams(merge="multiply", merge_source=source)
        )
        np.testing.assert_array_equal(both[source], alone)
    with pytest.raises(ValueError, match="merge_source"):
        refine.refine_batch_sources(lows, highs, params, ["segment", "everything"])
