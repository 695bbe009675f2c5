import numpy as np
import pytest
from PIL import Image

from helpers.imagefolder import load_image_folder


def _write_image(path, fmt, seed):
    pixels = np.random.default_rng(seed).integers(0, 256, size=(40, 30, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, format=fmt)


@pytest.fixture
def pets(tmp_path):
    root = tmp_path / "PetImages"
    (root / "Cat").mkdir(parents=True)
    (root / "Dog").mkdir()
    for i in range(3):
        _write_image(root / "Cat" / f"{i}.jpg", "JPEG", i)
    _write_image(root / "Dog" / "0.png", "PNG", 10)
    _write_image(root / "Dog" / "1.jpg", "JPEG", 11)
    good = (root / "Dog" / "1.jpg").read_bytes()
    (root / "Dog" / "2.jpg").write_bytes(good[: len(good) // 2])  # truncated JPEG
    (root / "Cat" / "notes.jpg").write_text("not an image")  # text named .jpg
    (root / "Cat" / "Thumbs.db").write_text("ignored: not an image suffix")
    return root


def test_reads_valid_images_and_skips_corrupt_ones_with_one_warning(pets):
    with pytest.warns(
        UserWarning, match=r"Skipped 2 unreadable image file\(s\): .*notes\.jpg"
    ) as record:
        folder = load_image_folder(pets, image_size=(32, 24))
    assert len(record) == 1
    assert "2.jpg" in str(record[0].message)
    assert folder.class_names == ("Cat", "Dog")
    assert folder.images.shape == (5, 32, 24, 3) and folder.images.dtype == np.uint8
    assert folder.labels.tolist() == [0, 0, 0, 1, 1]
    assert {p.name for p in folder.skipped} == {"notes.jpg", "2.jpg"}


def test_max_per_class_stops_before_the_corrupt_files(pets, recwarn):
    folder = load_image_folder(pets, image_size=(8, 8), max_per_class=1)
    assert len(recwarn) == 0
    assert folder.labels.tolist() == [0, 1]


def test_empty_class_folder_is_an_error(pets):
    (pets / "Bird").mkdir()
    with pytest.raises(ValueError, match=r"Class folder .*Bird has no readable image"):
        load_image_folder(pets)


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_image_folder(tmp_path / "nope")


def test_folder_without_classes_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="has no class sub-folders"):
        load_image_folder(tmp_path)
