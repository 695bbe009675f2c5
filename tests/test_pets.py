"""Cats vs dogs: the PetImages folder is found offline first; in the full profile Microsoft's
zip is downloaded, checked against its recorded sha256 and unpacked whole, or not at all."""

from __future__ import annotations

import zipfile

import pytest

from helpers import __main__ as cli
from helpers import data
from helpers.infra import config
from tests.conftest import serve_source


@pytest.fixture
def homes(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "course_data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "repo_data")
    (tmp_path / "course_data").mkdir()
    return tmp_path


@pytest.fixture
def served_zip(homes, monkeypatch):
    """A small zip laid out as Microsoft's, served from a file URL with its sha256 recorded."""
    path = homes / "kagglecatsanddogs.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("PetImages/Cat/0.jpg", b"cat")
        zipped.writestr("PetImages/Dog/0.jpg", b"dog")
        zipped.writestr("readme[1].txt", b"licence text")
    serve_source(monkeypatch, "pets", path)
    return path


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_fetch_unpacks_only_the_photos_into_keras_cache(served_zip, homes):
    assert cli.fetch(["pets"]) == f"PetImages ready in {homes / 'keras/datasets/PetImages'}"
    unpacked = homes / "keras" / "datasets" / "PetImages"
    assert (unpacked / "Cat" / "0.jpg").read_bytes() == b"cat"
    assert leftovers(homes / "keras" / "datasets") == ["PetImages"]  # no zip, no temp folder
    assert data.pets_folder("quick") == unpacked


def test_a_download_with_another_checksum_leaves_nothing(served_zip, homes, monkeypatch):
    serve_source(monkeypatch, "pets", served_zip, checksum="0" * 64)
    with pytest.raises(data.DataNotFoundError, match=r"(?s)checksum mismatch.*fetch pets"):
        data.pets_folder("full")
    assert leftovers(homes / "keras" / "datasets") == []


def test_course_data_comes_first_and_quick_never_downloads(homes):
    with pytest.raises(data.DataNotFoundError, match=r"(?s)quick profile never.*fetch pets"):
        data.pets_folder("quick")
    (homes / "course_data" / "PetImages").mkdir()
    (homes / "repo_data" / "PetImages").mkdir(parents=True)
    assert data.pets_folder("quick") == homes / "course_data" / "PetImages"
