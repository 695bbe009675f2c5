import os
import re

import numpy as np
import pytest
from PIL import Image

from helpers.data.imagefolder import load_image_folder


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
    assert len(record) == 2
    assert "2.jpg" in str(record[0].message)
    assert re.search(
        r"Left out 1 entries: .*Thumbs\.db \(not an image suffix", str(record[1].message)
    )
    assert folder.class_names == ("Cat", "Dog")
    assert folder.images.shape == (5, 32, 24, 3) and folder.images.dtype == np.uint8
    assert folder.labels.tolist() == [0, 0, 0, 1, 1]
    assert {p.name for p in folder.skipped} == {"notes.jpg", "2.jpg"}


def test_max_per_class_stops_before_the_corrupt_files(pets, recwarn):
    folder = load_image_folder(pets, image_size=(8, 8), max_per_class=1)
    assert [str(w.message)[:8] for w in recwarn] == ["Left out"]  # Thumbs.db, not corrupt files
    assert folder.labels.tolist() == [0, 1]


def test_pipes_nested_folders_and_other_suffixes_are_left_out_and_named(pets):
    os.mkfifo(pets / "Cat" / "stream.jpg")  # opening it would block forever
    (pets / "Cat" / "more").mkdir()
    _write_image(pets / "Cat" / "3.webp", "WEBP", 3)
    _write_image(pets / "Cat" / "4.tif", "TIFF", 4)
    with pytest.warns(UserWarning) as record:
        folder = load_image_folder(pets, image_size=(8, 8))
    left_out = next(str(w.message) for w in record if str(w.message).startswith("Left out"))
    assert "stream.jpg (not a regular file)" in left_out
    assert "more (a nested folder" in left_out
    assert folder.labels.tolist().count(0) == 5  # 3 jpg + webp + tif


def test_images_are_read_as_a_viewer_shows_them(tmp_path):
    root = tmp_path / "photos" / "x"
    root.mkdir(parents=True)
    wide = np.full((4, 6), 32768, np.uint16)
    wide[:, :3] = 0
    Image.fromarray(wide).save(root / "16bit.png")  # mid-grey right half, 16-bit
    rgba = np.zeros((4, 6, 4), np.uint8)
    rgba[..., 0] = 255  # red hidden under full transparency
    Image.fromarray(rgba, "RGBA").save(root / "clear.png")
    tall = np.zeros((6, 4, 3), np.uint8)
    tall[0] = 255  # white top row
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.fromarray(tall).save(root / "rotated.jpg", exif=exif, quality=100)
    folder = load_image_folder(tmp_path / "photos", image_size=(4, 6))
    by_name = dict(zip(["16bit", "clear", "rotated"], folder.images, strict=True))
    assert 120 < by_name["16bit"][:, 4:].mean() < 136  # not saturated to 255
    assert by_name["16bit"][:, :2].max() < 5
    assert (by_name["clear"] > 250).all()  # transparent pixels on white, not hidden red
    # displayed 4 high x 6 wide, the white row now the right-most column
    assert by_name["rotated"][:, -1].mean() > 200 and by_name["rotated"][:, 0].mean() < 50


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
