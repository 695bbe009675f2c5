"""The families of bad input that used to pass without a word (issue: nothing accepted
silently): each now gets a clear error or hint that names the argument, the problem and the
fix."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from helpers import data, exercises
from helpers.data.imagefolder import load_image_folder
from tests.models import small_block

# --- arrays that do not belong together ----------------------------------------------------


def write_subset(path, n_train=5, n_labels=5, image_shape=(28, 28), last_label=4):
    rng = np.random.default_rng(0)
    labels = np.arange(n_labels, dtype=np.uint8)
    labels[-1] = last_label
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, *image_shape), dtype=np.uint8),
        y_train=labels,
        x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        y_test=np.array([0, 1], np.uint8),
        train_index=np.arange(n_train),
        test_index=np.arange(2),
    )
    return path


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"n_labels": 4}, r"5 train images but 4 labels and 5 positions: the arrays do not belong"),
        ({"image_shape": (28, 27)}, r"train images of shape \(28, 27\), not 28 x 28"),
        ({"last_label": 10}, r"train labels outside 0\.\.9"),
    ],
)
def test_a_subset_whose_arrays_do_not_belong_together_is_refused(tmp_path, arrays, message):
    path = write_subset(tmp_path / "subset.npz", **arrays)
    with pytest.raises(data.DataNotFoundError, match=message + r".*git checkout"):
        data.read_fashion_subset(path)


# --- image folders: counts, sizes, names, images too large ----------------------------------


@pytest.fixture
def pets(tmp_path):
    for name in ("Cat", "Dog"):
        (tmp_path / "pets" / name).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((12, 12, 3), 40 * i, np.uint8)).save(
                tmp_path / "pets" / name / f"{i}.png"
            )
    return tmp_path / "pets"


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"max_per_class": 2.5}, r"max_per_class must be a whole number, got 2\.5"),
        ({"max_per_class": 0}, r"max_per_class must be at least 1, got 0"),
        ({"image_size": 150}, r"image_size must be a pair \(height, width\) of whole numbers"),
        ({"image_size": (150.5, 150)}, r"image_size's height must be a whole number, got 150\.5"),
        ({"image_size": (8, 8, 3)}, r"image_size must be a pair \(height, width\)"),
    ],
)
def test_image_folder_counts_and_sizes_are_checked_before_reading(pets, keywords, message):
    with pytest.raises(ValueError, match=message):
        load_image_folder(pets, **keywords)


def test_whole_float_counts_are_still_accepted(pets):
    assert len(load_image_folder(pets, image_size=(8.0, 8), max_per_class=2.0).labels) == 4


def test_an_image_too_large_to_decode_safely_is_named_as_such(pets, monkeypatch):
    Image.fromarray(np.zeros((30, 30, 3), np.uint8)).save(pets / "Cat" / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200)  # 30 x 30 > 2 x 200: refused by PIL
    with pytest.warns(UserWarning, match=r"Left out 1 image\(s\) too large to decode safely"):
        folder = load_image_folder(pets, image_size=(8, 8))
    assert len(folder.labels) == 6 and not folder.skipped  # not called "unreadable"
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 60)  # now every image is too large
    with pytest.raises(
        ValueError, match=r"no readable image .*\(4 too large to decode safely: shrink them\)"
    ):
        load_image_folder(pets, image_size=(8, 8))


@pytest.mark.skipif(os.name != "posix", reason="bytes in file names: POSIX only")
def test_a_class_folder_named_in_latin_1_is_read_as_latin_1_with_a_warning(pets):
    os.rename(os.fsencode(pets / "Dog"), os.fsencode(pets) + b"/Chien \xe9t\xe9")
    with pytest.warns(UserWarning, match=r"not named in UTF-8: read as Latin-1, 'Chien été'"):
        folder = load_image_folder(pets, image_size=(8, 8))
    assert folder.class_names == ("Cat", "Chien été")
    print(folder.class_names)  # prints: no UnicodeEncodeError later


# --- exercise checkers: a type that would break the next line -------------------------------


def test_numbers_given_as_text_are_refused_with_a_hint_that_says_so(capsys):
    assert not exercises.check_pixel_range("0, 1", np.array([0.0, 1.0]))
    assert not exercises.check_num_classes("10", tuple("abcdefghij"))
    assert not exercises.check_box_criterion("0.5")
    out = capsys.readouterr().out
    assert out.count("give the number(s) themselves, not text") == 3


def test_one_number_in_a_list_is_refused_where_one_number_is_asked(capsys):
    assert not exercises.check_box_criterion([0.5])
    assert "give one number, not list [0.5]" in capsys.readouterr().out


def test_a_learner_function_that_forgets_return_is_told_so(capsys):
    def top_k_indices(activations, k):
        order = np.argsort(-activations, axis=0)[:k].T  # computed, never returned  # noqa: F841

    assert not exercises.check_top_k_indices(top_k_indices)
    assert "your function returned None: did you forget `return`?" in capsys.readouterr().out


def test_indices_returned_as_floats_are_refused(capsys):
    def top_k_indices(activations, k):
        return np.argsort(-activations, axis=0, kind="stable")[:k].T.astype(float)

    assert not exercises.check_top_k_indices(top_k_indices)
    assert "returned floats where whole numbers are expected" in capsys.readouterr().out


def test_a_number_returned_as_text_is_refused(capsys):
    def receptive_field(stack):
        size, jump = 1, 1
        for kernel, stride in stack:
            size, jump = size + (kernel - 1) * jump, jump * stride
        return str(size)

    assert not exercises.check_receptive_field(receptive_field)
    assert "your function returned text ('" in capsys.readouterr().out


def test_a_pair_returned_with_the_wrong_number_of_values_is_described(capsys):
    def coarse_unit(kernel, bias, scsm_row, k):
        members = scsm_row[:k]
        return kernel[:, members].mean(axis=1), bias[members].mean(), k  # one value too many

    assert not exercises.check_coarse_unit(coarse_unit)
    out = capsys.readouterr().out
    assert "your function returned a tuple of 3 value(s); return two values, (column, bias)." in out
    assert "raised" not in out


# --- unclear errors: wrong types, deep errors ------------------------------------------------


@pytest.mark.parametrize("profile", [3, ["quick"], b"quick"])
def test_a_profile_that_is_not_text_is_named(profile):
    from helpers.infra import config

    with pytest.raises(ValueError, match=r"The profile must be the text 'quick' or 'full', got"):
        config.get_profile(profile)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"perplexity": "5"}, r"perplexity must be a number, got '5'"),
        ({"pca_dims": 0}, r"pca_dims must be at least 2, got 0"),
        ({"iterations": 350.5}, r"iterations must be a whole number, got 350\.5"),
        ({"seed": -1}, r"seed must be at least 0, got -1"),
    ],
)
def test_t_sne_names_the_parameter_that_is_wrong(keywords, message):
    from helpers import embedding

    features = np.random.default_rng(0).random((40, 5))
    with pytest.raises(ValueError, match=message):
        embedding.tsne(features, **{"perplexity": 5, **keywords})


def test_an_empty_batch_into_hd_cnn_is_named_before_keras_sees_it():
    from helpers import hdcnn

    block, clusters = small_block(), [[0, 1], [2], [3]]
    components = [hdcnn.fine_component(block, "pool", c, f"c{k}") for k, c in enumerate(clusters)]
    model = hdcnn.HDCNN(block, components, clusters, "pool")
    for run in (model.outputs, model.predict):
        with pytest.raises(ValueError, match=r"images must be a non-empty batch \(N, 6, 6, 1\)"):
            run(np.zeros((0, 6, 6, 1), np.float32))


def test_the_top_m_explorer_refuses_outputs_of_no_image():
    from helpers import widgets

    with pytest.raises(ValueError, match=r"top_m_explorer needs at least 1 labelled image"):
        widgets.top_m_explorer(None, {"b": np.zeros((0, 2))}, np.zeros(0, int))


# --- files that are not what their name says -------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"is not an HDF5 weight file .*0 bytes.*cannot be MobileNetV2's ImageNet weights"),
        (b"<html>not found</html>", r"is not an HDF5 weight file"),
        (b"\x89HDF\r\n\x1a\n" + bytes(100), r"holds only 108 bytes: too small to be MobileNetV2"),
    ],
)
def test_a_weights_file_without_a_published_checksum_must_still_be_weights(
    tmp_path, content, message
):
    from helpers.models import weights

    spec = weights.weight_file("MobileNetV2", True)
    path = tmp_path / spec.file_name
    path.write_bytes(content)
    with pytest.raises(weights.WeightsNotFoundError, match=message + r".*left in place"):
        weights.resolve("MobileNetV2", path=path)
    assert path.read_bytes() == content  # never deleted


def test_classes_given_as_one_integer_or_name_are_named():
    subset = data.read_fashion_subset()
    for wrong in (3, "Coat"):
        with pytest.raises(ValueError, match=r"classes must be a list of class indices or names"):
            data.select_classes(subset, wrong)


@pytest.mark.parametrize("spelling", ["False", "no", 0, None])
def test_include_top_in_another_spelling_is_refused_not_read_as_true(spelling):
    from helpers.models import weights

    with pytest.raises(ValueError, match=r"include_top must be True or False, got"):
        weights.weight_file("VGG16", spelling)


def test_an_image_folder_that_is_a_file_is_called_a_file(tmp_path):
    (tmp_path / "pets.zip").write_bytes(b"PK")
    with pytest.raises(FileNotFoundError, match=r"pets.zip is a file, not a folder"):
        load_image_folder(tmp_path / "pets.zip")


def test_a_channel_mismatch_says_channel():
    from helpers.infra import arguments

    with pytest.raises(ValueError, match=r"3 channel\(s\) where the model takes 1: grey images"):
        arguments.model_batch(small_block(), np.zeros((2, 6, 6, 3), np.float32))


def test_a_record_with_an_array_in_its_content_says_what_to_convert(tmp_path):
    from helpers.course import shipped

    with pytest.raises(ValueError, match=r"JSON values only .*convert arrays with \.tolist\(\)"):
        shipped.save(tmp_path / "r.json", {"model": "x"}, {"maps": np.zeros(3)}, "rerun")
    assert not (tmp_path / "r.json").exists()


# --- widgets given nothing to show, a manifest without its checksums ------------------------


def test_widget_factories_given_no_image_name_what_is_missing():
    from helpers import widgets

    empty = np.zeros((0, 8, 8, 1), np.float32)
    nothing = data.Dataset(empty, np.zeros(0, int), empty, np.zeros(0, int), ("a", "b"), "x")
    with pytest.raises(ValueError, match=r"dataset_browser needs at least 1 image in the"):
        widgets.dataset_browser(nothing)
    with pytest.raises(ValueError, match=r"topk_explorer needs at least 1 image, got 0"):
        widgets.topk_explorer(np.zeros((0, 3)), empty, np.zeros(0, int), ["a"])
    with pytest.raises(ValueError, match=r"tsne_explorer needs at least 4 points \(labels\)"):
        widgets.tsne_explorer({"a": np.zeros((0, 3))}, np.zeros(0, int), ["a"])


def test_a_manifest_entry_without_its_checksum_or_a_missing_one_is_named(tmp_path, monkeypatch):
    import json

    from helpers.infra import config
    from helpers.models import zoo

    (tmp_path / "manifest.json").write_text(json.dumps({"models": [{"name": "a", "file": "a"}]}))
    monkeypatch.setattr(config, "MODELS_DIR", tmp_path)
    monkeypatch.setattr(zoo.config, "MODELS_DIR", tmp_path)
    with pytest.raises(zoo.ModelUnavailableError, match=r"entries of \['a'\] .* have no sha256"):
        zoo.manifest_sha256("a")
    with pytest.raises(zoo.ModelUnavailableError, match=r"holds no entry for \['b'\]"):
        zoo.manifest_sha256("b")


# --- a "Searched" list names an ignored COURSE_DATA -----------------------------------------


def test_the_searched_list_names_an_ignored_course_data(isolated_data, monkeypatch):
    from helpers.models import weights

    monkeypatch.setenv("COURSE_DATA", str(isolated_data / "nowhere"))
    monkeypatch.setenv("COURSE_FASHION_MNIST", "full")
    ignored = r"Searched:\n  \$COURSE_DATA=.*nowhere \(ignored: it does not exist\)"
    with pytest.warns(UserWarning, match="it is ignored"):
        with pytest.raises(data.DataNotFoundError, match=ignored):
            data.load_fashion_mnist("quick")
        with pytest.raises(weights.WeightsNotFoundError, match=ignored):
            weights.resolve("VGG16", include_top=False, profile="quick")
        with pytest.raises(data.DataNotFoundError, match=ignored):
            data.load_cifar(10, profile="quick")


# --- a download target that cannot be written, a control whose range is upside down --------


def test_a_download_target_blocked_by_a_file_is_named_not_called_missing(isolated_data):
    keras_home = isolated_data / "keras_home"
    keras_home.mkdir()
    (keras_home / "datasets").write_text("a file where a folder belongs")
    with pytest.raises(ValueError, match=r"datasets is a file, so .* cannot be written"):
        data.fetch_fashion_mnist()
    assert (keras_home / "datasets").read_text() == "a file where a folder belongs"


def test_a_control_range_with_max_below_min_is_named():
    from helpers import widgets

    with pytest.raises(ValueError, match=r"the control 'n' has max 1 below min 5"):
        widgets.linked(lambda n: n, str, n=(5, 1))


@pytest.mark.skipif(os.name != "posix", reason="bytes in file names: POSIX only")
def test_an_own_photo_named_in_latin_1_gets_a_printable_name(tmp_path, monkeypatch):
    from helpers.data import photos

    (tmp_path / "images").mkdir()
    raw = os.fsencode(tmp_path / "images") + b"/caf\xe9.png"
    Image.fromarray(np.full((20, 20, 3), 90, np.uint8)).save(raw.decode("utf-8", "surrogateescape"))
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    with pytest.warns(UserWarning, match=r"not named in UTF-8: read as Latin-1, 'café'"):
        shown = photos.course_photos(size=16, names=["coffee"])
    assert shown.names == ("coffee", "café")
