"""The two scripts that let the built pages (build/*.html) draw their widgets offline.

nbconvert stores each widget's state in the page, but loads the code that draws it, the
``@jupyter-widgets/html-manager`` embed bundle and RequireJS, from a CDN. :func:`fetch` gets
both once, online (``make setup`` calls it), from the npm registry, checks their sha256 and
keeps them in the user cache; :func:`page_urls` then points the pages at local copies in
``build/static/``, and without them at the CDN as before.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path

from helpers.infra import config, sources

# name -> the member of its npm tarball (a source in helpers.infra.sources) to keep
ASSETS = {
    "embed-amd.js": "package/dist/embed-amd.js",
    "require.js": "package/require.js",
}
STATIC = "static"  # the folder beside the pages


def assets_dir() -> Path:
    """Where the fetched scripts are kept: the course's user cache."""
    return config.user_cache_dir() / "site-assets"


def fetch() -> list[Path]:
    """Download each missing script's tarball (checksum verified), keep the one file."""
    kept = []
    for name, member in ASSETS.items():
        dest = assets_dir() / name
        if not dest.is_file():
            with tempfile.TemporaryDirectory() as tmp:
                tarball = sources.download(sources.SOURCES[f"site/{name}"], Path(tmp) / "p.tgz")
                with tarfile.open(tarball) as archive:
                    content = archive.extractfile(member).read()
            sources.write_atomically(dest, content)
        kept.append(dest)
    return kept


def page_urls(build: Path) -> dict:
    """nbconvert ``HTMLExporter`` settings: local copies of the scripts in ``build/static``
    when :func:`fetch` has kept them, else ``{}`` (the CDN)."""
    kept = [assets_dir() / name for name in ASSETS]
    if not all(path.is_file() for path in kept):
        return {}
    (build / STATIC).mkdir(parents=True, exist_ok=True)
    for path in kept:
        shutil.copyfile(path, build / STATIC / path.name)
    return {
        "require_js_url": f"{STATIC}/require.js",
        "widget_renderer_url": f"{STATIC}/embed-amd.js",
    }
