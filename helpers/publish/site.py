"""The scripts the built site needs offline: MathJax, and what draws the stored widgets.

Sphinx and MyST-NB load MathJax, RequireJS and the ``@jupyter-widgets/html-manager`` embed
bundle from CDNs by default. :func:`fetch` gets them once, online (``make setup`` calls it),
from the npm registry, checks each tarball's sha256 and keeps the files the pages use in
:data:`ASSETS_DIR`, inside the Python environment (``.venv/share/...``): a later
``make course`` with another, empty HOME and no network still finds them.
:func:`page_settings` points the site's pages at them; without them it returns ``{}`` (the
pages then use the CDNs, and say nothing offline).
"""

from __future__ import annotations

import fnmatch
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helpers.infra import sources

ASSETS_DIR = Path(sys.prefix) / "share" / "cnn-course" / "site-assets"


@dataclass(frozen=True)
class Asset:
    """Files kept from one npm tarball.

    Parameters
    ----------
    source
        Its key in :data:`helpers.infra.sources.SOURCES`.
    members
        Patterns (:func:`fnmatch.fnmatch`; ``*`` crosses folders) of the members to keep.
    prefix
        The part of each member's path replaced by ``folder`` when it is kept.
    folder
        Where its files go under :data:`ASSETS_DIR`: ``static/...`` is served from the
        site's ``_static/``, ``root/...`` from the site's top folder.
    entry
        One file it keeps, relative to :data:`ASSETS_DIR`: present when it was fetched.
    """

    source: str
    members: tuple[str, ...]
    prefix: str
    folder: str
    entry: str

    def wanted(self, member: str) -> bool:
        """Whether ``member`` of the tarball is kept."""
        return any(fnmatch.fnmatch(member, pattern) for pattern in self.members)

    def destination(self, member: str) -> Path:
        """Where ``member`` is kept."""
        return ASSETS_DIR / self.folder / member.removeprefix(self.prefix)


# The bundle's parts look for the widgets' icon fonts beside the page, each in the folder of
# its own module name: "@jupyter-widgets/controls" in @jupyter-widgets/,
# "@jupyter-widgets/html-manager/dist/libembed-amd" in @jupyter-widgets/html-manager/dist/.
WIDGET_FONT_FOLDERS = ("root/@jupyter-widgets", "root/@jupyter-widgets/html-manager/dist")
ASSETS = (
    Asset(
        "site/embed-amd.js",
        ("package/dist/embed-amd.js",),
        "package/dist/",
        "static",
        "static/embed-amd.js",
    ),
    *(
        Asset(
            "site/embed-amd.js",
            tuple(f"package/dist/*.{kind}" for kind in ("woff2", "woff", "ttf")),
            "package/dist/",
            folder,
            f"{folder}/1551f4f60c37af51121f.woff2",
        )
        for folder in WIDGET_FONT_FOLDERS
    ),
    Asset("site/require.js", ("package/require.js",), "package/", "static", "static/require.js"),
    # the combined TeX build, its fonts and what it loads on demand (TeX extensions, the
    # menu, assistive MathML); not the speech engine (sre/, 4 MB) nor the other builds
    Asset(
        "site/mathjax",
        tuple(
            f"package/es5/{path}"
            for path in ("tex-mml-chtml.js", "output/chtml/*", "input/*", "ui/*", "a11y/*")
        ),
        "package/es5/",
        "static/mathjax",
        "static/mathjax/tex-mml-chtml.js",
    ),
)


def fetch() -> list[Path]:
    """Download each tarball with a missing asset (checksum verified) once; keep its files.

    Returns
    -------
    list of Path
        Each asset's entry (the widget bundle, its fonts, RequireJS, MathJax).
    """
    missing = [asset for asset in ASSETS if not (ASSETS_DIR / asset.entry).is_file()]
    for source in dict.fromkeys(asset.source for asset in missing):
        with tempfile.TemporaryDirectory() as tmp:
            tarball = sources.download(sources.SOURCES[source], Path(tmp) / "p.tgz")
            with tarfile.open(tarball) as archive:
                for member in archive.getmembers():
                    for asset in missing:
                        if asset.source == source and member.isfile() and asset.wanted(member.name):
                            content = archive.extractfile(member).read()
                            sources.write_atomically(asset.destination(member.name), content)
    return [ASSETS_DIR / asset.entry for asset in ASSETS]


def page_settings() -> dict:
    """Sphinx settings that serve the kept files from the site itself.

    Returns
    -------
    dict
        ``html_static_path``, ``html_extra_path``, ``mathjax_path`` and ``nb_ipywidgets_js``
        when :func:`fetch` has kept every asset, else ``{}`` (the CDNs).
    """
    if not all((ASSETS_DIR / asset.entry).is_file() for asset in ASSETS):
        return {}
    return {
        "html_static_path": [str(ASSETS_DIR / "static")],
        "html_extra_path": [str(ASSETS_DIR / "root")],
        "mathjax_path": "mathjax/tex-mml-chtml.js",
        "nb_ipywidgets_js": {"require.js": {}, "embed-amd.js": {}},
    }
