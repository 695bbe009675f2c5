import numpy as np
import pytest

from helpers import stats


def test_constant_scores_have_a_zero_width_interval():
    assert stats.bootstrap_interval(np.full(50, 0.25)) == (0.25, 0.25, 0.25)


def test_interval_of_a_proportion_matches_the_normal_approximation():
    values = np.r_[np.ones(200), np.zeros(200)]  # p = 0.5, n = 400: se = 0.025
    mean, low, high = stats.bootstrap_interval(values)
    assert mean == 0.5
    assert abs(low - (0.5 - 1.96 * 0.025)) < 0.01 and abs(high - (0.5 + 1.96 * 0.025)) < 0.01


def test_the_interval_is_seeded():
    values = np.random.default_rng(0).random(100)
    assert stats.bootstrap_interval(values, seed=3) == stats.bootstrap_interval(values, seed=3)


def test_mcnemar_by_hand():
    assert stats.mcnemar_p(0, 0) == 1.0
    assert stats.mcnemar_p(10, 0) == pytest.approx(2 * 0.5**10)  # all ten discordant one way
    assert stats.mcnemar_p(3, 3) == pytest.approx(1.0)


def test_identical_methods_show_no_difference():
    a = np.random.default_rng(1).integers(0, 2, 300)
    paired = stats.paired_comparison(a, a.copy(), "x", "y")
    assert (paired.difference, paired.low, paired.high) == (0.0, 0.0, 0.0)
    assert (paired.only_a, paired.only_b, paired.p_value) == (0, 0, 1.0)
    assert not paired.significant and "no significant difference" in paired.verdict()


def test_three_images_out_of_two_thousand_are_noise():
    b = np.r_[np.ones(1840), np.zeros(160)]
    a = b.copy()
    a[1840:1843] = 1  # A fixes three of B's mistakes
    paired = stats.paired_comparison(a, b, "HD-CNN", "single")
    assert paired.difference == pytest.approx(3 / 2000)
    assert (paired.only_a, paired.only_b) == (3, 0)
    assert paired.p_value == pytest.approx(0.25)  # 2 x 0.5**3
    assert paired.low == 0.0  # resamples without any of the three images
    assert not paired.significant and "no significant difference" in paired.verdict()


def test_a_clear_difference_is_called():
    a, b = np.r_[np.ones(90), np.zeros(10)], np.r_[np.ones(50), np.zeros(50)]
    paired = stats.paired_comparison(a, b, "good", "poor")
    assert paired.significant and paired.low > 0 and paired.only_a == 40
    _, mcnemar, call = paired.verdict().splitlines()
    assert call == "  -> good is better than poor"
    assert mcnemar == "  McNemar: 40 images only good gets right, 0 only poor; p < 0.001"
    reverse = stats.paired_comparison(b, a, "poor", "good")
    assert reverse.high < 0 and reverse.verdict().endswith("-> good is better than poor")


def test_p_values_and_verdict_lines_are_read_at_a_glance():
    assert [stats.p_text(p) for p in (7.66e-101, 0.001, 0.16849)] == ["< 0.001", "0.001", "0.168"]
    assert [stats.format_p(p) for p in (7.66e-101, 0.000999, 0.001, 0.0352, 1.0)] == [
        "p < 0.001",
        "p < 0.001",
        "p = 0.001",
        "p = 0.035",
        "p = 1.000",
    ]
    a, b = np.r_[np.ones(60), np.zeros(40)], np.r_[np.ones(55), np.zeros(45)]
    paired = stats.paired_comparison(a, b, "fine-tuning", "feature extraction")
    assert all(len(line) <= 100 for line in paired.verdict().splitlines())


def test_a_significant_difference_too_small_to_matter_is_called_that():
    paired = stats.Paired("a", "b", 0.005, 0.002, 0.009, 0, 0, float("nan"))
    assert paired.significant and paired.call() == "a is better than b"
    assert paired.call(matters=0.02) == "too small to matter"
    assert paired.call(matters=0.009) == "a is better than b"  # the interval reaches 0.009
    wide = stats.Paired("a", "b", -0.05, -0.09, -0.02, 0, 0, float("nan"))
    assert wide.call(matters=0.02) == "b is better than a"
    unclear = stats.Paired("a", "b", 0.01, -0.03, 0.05, 0, 0, float("nan"))
    assert unclear.call(matters=0.02) == "no significant difference"


def test_continuous_scores_get_an_interval_but_no_mcnemar():
    rng = np.random.default_rng(2)
    paired = stats.paired_comparison(rng.random(100), rng.random(100))
    assert np.isnan(paired.p_value) and "McNemar" not in paired.verdict()


def test_tables():
    correct = {"a": np.r_[np.ones(8), np.zeros(2)], "b": np.ones(10)}
    table = stats.accuracy_table(correct)
    assert list(table.columns) == ["accuracy", "accuracy low", "accuracy high"]
    assert table.loc["a", "accuracy"] == 0.8 and table.loc["b", "accuracy low"] == 1.0
    assert table.loc["a", "accuracy low"] <= 0.8 <= table.loc["a", "accuracy high"]


@pytest.mark.parametrize(
    "values, message",
    [
        ([], r"values must be a non-empty 1-D array"),
        ([[1.0, 0.0]], r"values must be a non-empty 1-D array"),
        ([1.0, np.nan], r"values holds NaN or inf"),
    ],
)
def test_bad_scores(values, message):
    with pytest.raises(ValueError, match=message):
        stats.bootstrap_interval(values)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"must score the same images: got 3 and 2"):
        stats.paired_comparison([1, 0, 1], [1, 0])
    with pytest.raises(ValueError, match=r"draws must be at least 100"):
        stats.bootstrap_interval([1.0, 0.0], draws=10)
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\)"):
        stats.bootstrap_interval([1.0, 0.0], level=95)
    with pytest.raises(
        ValueError, match=r"only_a \(images only A gets right\) must be at least 0, got -1"
    ):
        stats.mcnemar_p(-1, 2)


def test_compare_to_pairs_every_other_method_with_the_reference():
    correct = {"a": np.ones(20), "b": np.r_[np.ones(10), np.zeros(10)], "c": np.ones(20)}
    pairs = stats.compare_to(correct, "a")
    assert [(p.name_a, p.name_b) for p in pairs] == [("a", "b"), ("a", "c")]
    assert pairs[0].difference == 0.5 and pairs[1].difference == 0.0
    with pytest.raises(ValueError, match=r"reference 'z' is not one of \['a', 'b', 'c'\]"):
        stats.compare_to(correct, "z")


def test_noise_margin_by_hand():
    # 1.96 * 0.5 * sqrt(2 / 2000) = 0.031
    assert stats.noise_margin(2000) == pytest.approx(1.959964 * 0.5 * np.sqrt(2 / 2000), rel=1e-6)
    assert stats.noise_margin(2000) == pytest.approx(0.031, abs=5e-4)
    assert stats.noise_margin(500) > stats.noise_margin(2000)
    # the bound holds for the worst case: half the images score 0, half 1, in each method
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2, (2, 4000, 2000)).astype(float)
    wide = np.quantile(np.abs(a.mean(1) - b.mean(1)), 0.95)
    assert wide <= stats.noise_margin(2000) * 1.05
    with pytest.raises(ValueError, match=r"n_images must be at least 1, got 0"):
        stats.noise_margin(0)


def test_with_intervals_shows_one_column_per_metric():
    per_image = {
        "a": {"hit": np.array([1.0, 1.0, 0.0, 1.0]), "iou": np.array([0.5, 0.5, 0.5, 0.5])},
        "b": {"hit": np.array([0.0, 0.0, 0.0, 1.0]), "iou": np.array([0.2, 0.4, 0.2, 0.4])},
    }
    table = stats.interval_table(per_image, decimals=3)
    shown = stats.with_intervals(table, ["hit", "iou"], decimals=2)
    assert list(shown.columns) == ["hit", "iou"] and list(shown.index) == ["a", "b"]
    assert shown.loc["a", "iou"] == "0.50 [0.50, 0.50]"  # no spread: the interval is the mean
    assert shown.loc["b", "hit"].startswith("0.25 [0.00, ")
    with pytest.raises(ValueError, match=r"has no mean and interval of \['dice'\]"):
        stats.with_intervals(table, ["dice"])
    with pytest.raises(ValueError, match="give 1 to 8 metrics"):
        stats.with_intervals(table, [])


def test_hd_cnn_gain_prints_on_short_lines_with_small_p_values_as_text():
    a = np.r_[np.ones(40), np.zeros(60)]  # A right on 40 images, B on none of them
    lines = stats.paired_comparison(a, np.zeros(100), "HD-CNN", "single").verdict()
    first, second, call = lines.splitlines()
    assert first.startswith("HD-CNN - single: +0.4000 (95 % CI +0.")
    assert call.endswith("HD-CNN is better than single")
    # McNemar: 40 discordant images, all one way: p = 2 * 0.5 ** 40
    assert second == "  McNemar: 40 images only HD-CNN gets right, 0 only single; p < 0.001"
    assert max(len(line) for line in lines.splitlines()) <= 100
    tied = stats.paired_comparison(a, a, "HD-CNN", "single").verdict().splitlines()
    assert tied[1].endswith("p = 1.000")
    assert tied[2].endswith("no significant difference")


def test_verdicts_wrap_every_line_at_the_width():
    long = "a method with a long name + fine-tuning from block15_expand_conv"
    paired = stats.paired_comparison(np.r_[np.ones(30), np.zeros(10)], np.ones(40), long, long)
    text = stats.verdicts([paired, paired], width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert text.count("McNemar") == 2 and " ".join(text.split()) == " ".join(
        (paired.verdict() + " " + paired.verdict()).split()
    )
