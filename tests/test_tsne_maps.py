"""Notebook 03's t-SNE maps: computed, written as a record, read back for the very images and
layers they were made of, and not used for any other; the explorer starts from them."""

import numpy as np
import pytest

from helpers import course, embedding, widgets
from helpers.course import nb03_tsne
from helpers.course.classifier import Classifier

pytestmark = pytest.mark.xdist_group("tsne_maps")  # one worker computes the maps once

FEATURES = {
    "a": np.random.default_rng(0).random((40, 6)).astype(np.float32),
    "b": np.random.default_rng(1).random((40, 3)).astype(np.float32),
}
LABELS = np.arange(40) % 4
IMAGES = np.arange(40 * 4, dtype=np.uint8).reshape(40, 2, 2, 1)  # what FEATURES were made of


@pytest.fixture(scope="module")
def maps():
    return nb03_tsne.compute(FEATURES, perplexities=(5, 10))


def test_every_layer_and_perplexity_is_computed_as_the_explorer_would(maps):
    assert sorted(maps) == [("a", 5), ("a", 10), ("b", 5), ("b", 10)]
    np.testing.assert_array_equal(maps["b", 10], embedding.tsne(FEATURES["b"], perplexity=10))


def test_a_saved_record_reads_back_for_the_same_images_and_layers_only(maps, tmp_path, capsys):
    path = nb03_tsne.save(maps, IMAGES, ["a", "b"], perplexities=(5, 10), path=tmp_path / "m.json")
    back, source = nb03_tsne.course_maps(FEATURES, IMAGES, perplexities=(5, 10), path=path)
    assert source.startswith("measured 20") and sorted(back) == sorted(maps)
    np.testing.assert_allclose(back["a", 5], maps["a", 5], atol=5e-4)  # kept to 3 decimals
    assert capsys.readouterr().out == ""
    other = IMAGES.copy()
    other[0, 0, 0, 0] += 1
    measured, why = nb03_tsne.course_maps(FEATURES, other, perplexities=(5, 10), path=path)
    assert (
        why == "measured here (the shipped record m.json does not fit this run: it was made "
        "with different images)"
    )
    assert "Measuring here (the shipped record m.json does not fit" in capsys.readouterr().out
    assert sorted(measured) == sorted(maps)  # every map computed here, equal to the record's
    np.testing.assert_array_equal(measured["b", 10], maps["b", 10])
    _, why = nb03_tsne.course_maps({"a": FEATURES["a"]}, IMAGES, perplexities=(5,), path=path)
    assert why.endswith("it was made with different layers, perplexities)")
    live, why = nb03_tsne.course_maps({"b": FEATURES["b"]}, IMAGES, (10,), live=True, path=path)
    assert why == "measured here (LIVE = True)"  # not read, though the record holds the map
    np.testing.assert_array_equal(live["b", 10], maps["b", 10])


def test_the_explorer_starts_from_the_precomputed_maps(maps, monkeypatch):
    def no_tsne(*args, **kwargs):
        raise AssertionError("a precomputed map was computed again")

    monkeypatch.setattr(embedding, "tsne", no_tsne)
    explorer = widgets.tsne_explorer(
        FEATURES, LABELS, list("wxyz"), perplexities=(5, 10), precomputed=maps
    )
    np.testing.assert_array_equal(explorer.result, maps["a", 5])  # second-to-last perplexity
    explorer.children[1].value = 10
    np.testing.assert_array_equal(explorer.result, maps["a", 10])


def test_the_shipped_record_fits_notebook_03s_features():
    images, features = nb03_tsne.course_features()
    shipped, source = nb03_tsne.course_maps(features, images)
    assert source.startswith("measured 20"), source
    assert len(shipped) == len(nb03_tsne.LAYERS) * len(nb03_tsne.PERPLEXITIES)
    assert all(points.shape == (nb03_tsne.IMAGES, 2) for points in shipped.values())


def test_the_full_profile_has_no_record_and_computes_nothing_up_front(monkeypatch):
    def no_tsne(*args, **kwargs):
        raise AssertionError("a map was computed before the explorer asked for it")

    monkeypatch.setattr(embedding, "tsne", no_tsne)
    setting = Classifier("full", None, None, "a full setting")
    maps, source = course.tsne_start_maps(setting, FEATURES, IMAGES)
    assert maps == {} and source.endswith("(no record in full)")


def test_map_for_gives_a_fixed_setting_whatever_the_explorer_shows(maps):
    explorer = widgets.tsne_explorer(
        FEATURES, LABELS, list("wxyz"), perplexities=(5, 10), precomputed=maps
    )
    explorer.children[0].value = "b"  # the learner moves the explorer
    explorer.children[1].value = 10
    np.testing.assert_array_equal(explorer.map_for("a", 5), maps["a", 5])
    with pytest.raises(ValueError, match=r"offers layers \['a', 'b'\] and perplexities \[5, 10\]"):
        explorer.map_for("a", 30)


def test_an_uncached_map_is_computed_with_a_progress_bar(capsys):
    explorer = widgets.tsne_explorer({"a": FEATURES["a"]}, LABELS, list("wxyz"), perplexities=(5,))
    assert "t-SNE, perplexity 5" in capsys.readouterr().err
    np.testing.assert_array_equal(explorer.result, embedding.tsne(FEATURES["a"], perplexity=5))
