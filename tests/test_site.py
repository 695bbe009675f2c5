"""The built pages' widget scripts: fetched once with a checksum, then served locally."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest

from helpers.publish import site
from tests.conftest import serve_source


def tarball(path, files: dict[str, bytes]) -> str:
    """Write a gzipped tarball of ``{member: content}``; return its sha256."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, content in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


@pytest.fixture
def local_assets(tmp_path, monkeypatch):
    """The two site sources served from local tarballs; the cache in tmp_path."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    assets = {}
    for name, member in (
        ("embed-amd.js", "package/dist/embed-amd.js"),
        ("require.js", "package/require.js"),
    ):
        path = tmp_path / f"{name}.tgz"
        digest = tarball(path, {member: f"// {name}".encode(), "package/README.md": b"x"})
        serve_source(monkeypatch, f"site/{name}", path, checksum=digest)
        assets[name] = path
    return assets


def test_without_the_scripts_the_pages_keep_the_cdn(local_assets, tmp_path):
    assert site.page_urls(tmp_path / "build") == {}
    assert not (tmp_path / "build" / "static").exists()


def test_fetched_scripts_are_served_from_build_static(local_assets, tmp_path):
    kept = site.fetch()
    assert [path.read_text() for path in kept] == ["// embed-amd.js", "// require.js"]
    urls = site.page_urls(tmp_path / "build")
    assert urls == {
        "require_js_url": "static/require.js",
        "widget_renderer_url": "static/embed-amd.js",
    }
    assert (tmp_path / "build" / "static" / "embed-amd.js").read_text() == "// embed-amd.js"


def test_a_tampered_tarball_is_refused_and_leaves_nothing(local_assets, tmp_path, monkeypatch):
    serve_source(monkeypatch, "site/require.js", local_assets["require.js"], checksum="0" * 64)
    with pytest.raises(OSError, match=r"checksum mismatch for file://"):
        site.fetch()
    assert not (site.assets_dir() / "require.js").exists()
    assert site.page_urls(tmp_path / "build") == {}
