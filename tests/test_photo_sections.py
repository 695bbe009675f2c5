"""Notebooks 00 and 02 on the labelled photos: top-k hits and exact intervals by hand, the
rule that picks the channels shown, the channel tables on hand-made top-K, and both
sections' messages when the photos were not fetched."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import predictions, stats
from helpers.course import cats_dogs, imagenet


def test_top_k_hits_count_the_true_class_among_the_k_most_probable():
    probabilities = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.4, 0.2]])
    labels = [1, 2, 1]
    assert predictions.top_k_hits(probabilities, labels, 1).tolist() == [0, 1, 0]  # tie: 0 first
    assert predictions.top_k_hits(probabilities, labels, 2).tolist() == [1, 1, 1]
    assert predictions.top_k_hits(probabilities, labels, 3).tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    ("probabilities", "labels", "k", "message"),
    [
        ([0.5, 0.5], [0], 1, r"must be \(images, classes\)"),
        ([[0.5, 0.5]], [2], 1, r"labels hold class\(es\) \[2\] outside 0..1"),
        ([[0.5, 0.5]], [0, 1], 1, r"probabilities.*labels"),
        ([[0.5, 0.5]], [0], 3, r"k"),
    ],
)
def test_top_k_hits_refuse_what_does_not_fit(probabilities, labels, k, message):
    with pytest.raises(ValueError, match=message):
        predictions.top_k_hits(probabilities, labels, k)


def test_the_exact_interval_matches_the_binomial_by_hand():
    # Clopper-Pearson for 20 of 20: the lower end solves p**20 = 0.025
    low, high = stats.exact_interval(20, 20)
    assert high == 1.0 and low == pytest.approx(0.025 ** (1 / 20), abs=1e-9)
    low, high = stats.exact_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-9)
    low, high = stats.exact_interval(17, 20)
    assert low < 0.85 < high and high - low > 0.3  # 20 photos: a wide interval
    with pytest.raises(ValueError, match=r"successes"):
        stats.exact_interval(21, 20)


def test_the_channels_shown_are_the_most_cat_then_the_most_dog_leaning():
    share = np.array([1.0, 0.5, 1.0, 0.0, 0.125, 0.875])
    strength = np.array([1.0, 9.0, 2.0, 3.0, 4.0, 5.0])
    # cats: shares 1.0 (channels 0 and 2, the stronger 2 first), then 0.875 (5);
    # dogs: 0.0 (3), 0.125 (4), 0.5 (1)
    assert cats_dogs.chosen_channels(share, strength, n=3) == [2, 0, 5, 3, 4, 1]
    with pytest.raises(ValueError, match=r"at least 4 channels"):
        cats_dogs.chosen_channels(share[:3], strength[:3], n=2)


def test_the_channel_tables_count_and_colour_the_top_k_photos():
    images = np.zeros((4, 2, 2, 3), np.uint8)
    images[0, ..., 1] = 255  # a green photo (a cat)
    images[1, ..., 0] = 255  # a red photo (a cat)
    labels = np.array([0, 0, 1, 1])
    top = {"b": np.array([[0, 1], [2, 3], [0, 2]])}
    share = {"b": np.array([1.0, 0.0, 0.5])}
    found = cats_dogs.RealTopK(images, labels, top, share, {"b": [0, 1]})
    summary = found.summary().loc["b"]
    assert summary.tolist() == [3, 1, 1, 1]  # channels, all cats, all dogs, 3-5 of 8 (0.5)
    colours = found.colour_table()
    assert colours.loc[("b", 0), "cats in top-K"] == "2 of 2"
    # channel 0's photos: green (g=1, r=b=0) and red (r=1): green - (r+b)/2 = (1 - 0.5)/2
    assert colours.loc[("b", 0), "green - (red + blue) / 2"] == pytest.approx(0.25)
    assert colours.loc[("b", 0), "red - blue"] == pytest.approx(0.5)
    assert colours.loc[("all photos", ""), "red - blue"] == pytest.approx(0.25)


def test_without_the_photos_both_sections_say_how_to_fetch_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PHOTOS", str(tmp_path))
    assert cats_dogs.real_topk() is None
    assert imagenet.validation_check(net=None) is None
    printed = capsys.readouterr().out
    assert printed.count("Skipped: ") == 2 and printed.count("python -m helpers fetch photos") == 2


def test_an_interval_at_every_level_or_none_is_refused():
    with pytest.raises(ValueError, match=r"level must be below 1"):
        stats.exact_interval(3, 10, level=1)
    with pytest.raises(ValueError, match=r"level"):
        stats.exact_interval(3, 10, level=0)


def test_green_photos_share_per_class():
    images = np.zeros((4, 2, 2, 3), np.uint8)
    images[1, ..., 1] = 255  # green cat
    images[2, ..., 1] = 40  # a little green: 40/255 = 0.157 > 0.05
    images[3, ..., :] = 200  # grey dog
    shares = cats_dogs.green_photos(images, np.array([0, 0, 1, 1]))
    assert shares.to_dict() == {"cat photos": 0.5, "dog photos": 0.5}
