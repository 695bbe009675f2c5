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

from helpers import config

# name -> (npm tarball, its sha256, the member to keep)
ASSETS = {
    "embed-amd.js": (
        "https://registry.npmjs.org/@jupyter-widgets/html-manager/-/html-manager-1.0.14.tgz",
        "9d647396585ef74da93f87f645c5dcc14bebf5784192c577f72b199597614e81",
        "package/dist/embed-amd.js",
    ),
    "require.js": (
        "https://registry.npmjs.org/requirejs/-/requirejs-2.3.7.tgz",
        "31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d",
        "package/require.js",
    ),
}
STATIC = "static"  # the folder beside the pages


def assets_dir() -> Path:
    """Where the fetched scripts are kept: the course's user cache."""
    return config.user_cache_dir() / "site-assets"


def fetch() -> list[Path]:
    """Download each missing script's tarball (checksum verified), keep the one file."""
    from helpers.data import download_verified

    kept = []
    for name, (url, sha256, member) in ASSETS.items():
        dest = assets_dir() / name
        if not dest.is_file():
            with tempfile.TemporaryDirectory() as tmp:
                tarball = download_verified(url, Path(tmp) / "package.tgz", sha256)
                with tarfile.open(tarball) as archive:
                    content = archive.extractfile(member).read()
            dest.parent.mkdir(parents=True, exist_ok=True)
            config.write_atomically(dest, content)
        kept.append(dest)
    return kept


def page_urls(build: Path) -> dict:
    """nbconvert ``HTMLExporter`` settings: local copies of the scripts in ``build/static``
    when :func:`fetch` has kept them, else ``{}`` (the CDN)."""
    sources = [assets_dir() / name for name in ASSETS]
    if not all(path.is_file() for path in sources):
        return {}
    (build / STATIC).mkdir(parents=True, exist_ok=True)
    for path in sources:
        shutil.copyfile(path, build / STATIC / path.name)
    return {
        "require_js_url": f"{STATIC}/require.js",
        "widget_renderer_url": f"{STATIC}/embed-amd.js",
    }


if __name__ == "__main__":
    for path in fetch():
        print(f"kept {path}")
