"""Cats vs dogs (the ``full`` profile): Microsoft's PetImages folder, found or fetched."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from helpers.infra import config, sources
from helpers.infra.errors import DataNotFoundError


def pets_candidates() -> list[Path]:
    """The PetImages folders searched, in resolution order."""
    root = sources.course_data_dir()
    keras_datasets = sources.keras_home() / "datasets"
    candidates = [] if root is None else [root / "PetImages"]
    return candidates + [config.DATA_DIR / "PetImages", keras_datasets / "PetImages"]


def pets_folder(profile: str | None = None) -> Path:
    """The first PetImages folder (``Cat/``, ``Dog/``) found; downloaded in the ``full``
    profile when there is none."""
    for folder in pets_candidates():
        if folder.is_dir():
            return folder
    if config.get_profile(profile) != "full":
        raise DataNotFoundError(_pets_missing("the quick profile never downloads"))
    return fetch_pets()


def fetch_pets() -> Path:
    """Download Microsoft's cats-vs-dogs zip (825 MB, checked), unpack its PetImages folder
    into Keras' cache and delete the zip; nothing is left half-written on a failure."""
    target = pets_candidates()[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".PetImages.") as tmp:
        try:
            archive = sources.download(sources.SOURCES["pets"], Path(tmp) / "pets.zip")
            with zipfile.ZipFile(archive) as zipped:
                members = [m for m in zipped.namelist() if m.startswith("PetImages/")]
                zipped.extractall(tmp, members)
        except (OSError, zipfile.BadZipFile) as error:
            raise DataNotFoundError(_pets_missing(str(error))) from error
        os.replace(Path(tmp) / "PetImages", target)
    return target


def _pets_missing(why: str) -> str:
    places = pets_candidates()
    what = "The cats-vs-dogs photos (a PetImages folder with Cat/ and Dog/)"
    return sources.missing(what, places, why, sources.SOURCES["pets"].fetch_command, places[-1])
