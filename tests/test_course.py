"""helpers.course: the one package that decides what each notebook runs; claims that the
text makes; the size knob of smoke runs. (The import rule is tests/test_layers_contract.py.)"""

from __future__ import annotations

import pytest

from helpers import course
from helpers.infra import config


def test_every_notebook_gets_its_setting_from_course():
    for notebook in sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb")):
        text = notebook.read_text()
        assert "course.setup(PROFILE)" in text, notebook.name
        for old in ("config.setup", "zoo.course_classifier", "transfer.setting(", "course_hdcnn"):
            assert old not in text, f"{notebook.name} still calls {old}"


def test_a_claim_must_hold_in_quick_and_is_reported_in_full(capsys):
    course.claim("quick", lambda: True, "it holds")
    with pytest.raises(AssertionError, match="the text says: Bag stands apart"):
        course.claim("quick", lambda: False, "Bag stands apart")
    course.claim("full", lambda: False, "Bag stands apart")
    course.claim("full", lambda: True, "it holds")
    course.claim("full", lambda: ["Bag"].index("Shirt") > 0, "Shirt is near Coat")
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "checked: it holds",
        "The text describes the quick profile: 'Bag stands apart' does NOT hold in this setting.",
        "The text describes the quick profile: 'it holds' holds here too.",
        "The text describes the quick profile: 'Shirt is near Coat' does not apply to this "
        "setting.",
    ]


@pytest.mark.parametrize("value", ["0", "-3", "ten", "2.5"])
def test_the_size_knob_takes_a_positive_whole_number(value, monkeypatch):
    monkeypatch.setenv("COURSE_FULL_LIMIT", value)
    with pytest.raises(ValueError, match=f"COURSE_FULL_LIMIT='{value}' must be a positive whole"):
        config.full_limit()


def test_the_size_knob_is_reported_only_in_full(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FULL_LIMIT", "40")
    assert config.full_limit() == 40
    assert course.setup("full", seed=3).seed == 3
    assert "profile      : full (COURSE_FULL_LIMIT=40: a smoke run" in capsys.readouterr().out
    course.setup("quick")
    assert "profile      : quick\n" in capsys.readouterr().out
    monkeypatch.delenv("COURSE_FULL_LIMIT")
    assert config.full_limit() is None


def test_quick_settings_are_the_shipped_ones():
    transfer = course.transfer("quick")
    assert transfer.shipped == "fashion_base8" and transfer.sizes == (10, 25, 50, 100, 200)
    occlusion = course.topk_occlusion("quick")
    assert (occlusion.top_k, occlusion.window, occlusion.stride) == (8, 6, 2)
    assert "occlusion window 6 x 6, stride 2, zero fill" in occlusion.description
    hierarchy = course.hdcnn("quick")
    assert hierarchy.demo_slices() == (slice(0, 4500), slice(4500, 6000))
    with pytest.raises(
        ValueError, match=r"Yan et al.'s 9-cluster mapping \(clusters='authors'\) is of"
    ):
        course.hdcnn("quick", clusters="authors")
    with pytest.raises(ValueError, match="clusters must be 'confusion' or 'authors'"):
        course.hdcnn("quick", clusters="spectral")
    assert course.reference_filters("quick") is None


def test_imagenet_class_names_are_shipped_in_keras_order():
    names = course.imagenet_class_names()
    assert len(names) == 1000
    assert (names[0], names[248], names[283], names[999]) == (
        "tench", "Eskimo dog", "Persian cat", "toilet tissue",
    )  # fmt: skip
