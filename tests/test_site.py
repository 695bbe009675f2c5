"""The site's offline assets (fetched once with a checksum, kept in the environment), its
start page and its staged notebooks; tests/test_site_browser.py opens the built site."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile

import nbformat
import pytest

from helpers.course import timing
from helpers.infra import config
from helpers.publish import book, site, start_page
from tests.conftest import serve_source

MEMBERS = {
    "site/embed-amd.js": {
        "package/dist/embed-amd.js": b"// embed",
        "package/dist/1551f4f60c37af51121f.woff2": b"font",
        "package/dist/embed.js": b"// not kept",
    },
    "site/require.js": {"package/require.js": b"// require", "package/README.md": b"x"},
    "site/mathjax": {
        "package/es5/tex-mml-chtml.js": b"// mathjax",
        "package/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff": b"font",
        "package/es5/sre/speech.js": b"// not kept",
        "package/es5/tex-svg.js": b"// not kept",
    },
}


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
    """The site's sources served from local tarballs; the assets kept in tmp_path."""
    monkeypatch.setattr(site, "ASSETS_DIR", tmp_path / "assets")
    served = {}
    for name, files in MEMBERS.items():
        path = tmp_path / f"{name.replace('/', '_')}.tgz"
        serve_source(monkeypatch, name, path, checksum=tarball(path, files))
        served[name] = path
    return served


def test_without_the_assets_the_pages_keep_the_cdns(local_assets):
    assert site.page_settings() == {}


def test_fetch_keeps_the_files_the_pages_load_in_the_environment(local_assets):
    entries = site.fetch()
    assert [path.read_bytes() for path in entries] == [
        b"// embed",
        b"font",
        b"font",
        b"// require",
        b"// mathjax",
    ]
    kept = sorted(str(p.relative_to(site.ASSETS_DIR)) for p in site.ASSETS_DIR.rglob("*.*"))
    assert kept == [
        "root/@jupyter-widgets/1551f4f60c37af51121f.woff2",
        "root/@jupyter-widgets/html-manager/dist/1551f4f60c37af51121f.woff2",
        "static/embed-amd.js",
        "static/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "static/mathjax/tex-mml-chtml.js",
        "static/require.js",
    ]
    assert site.page_settings() == {
        "html_static_path": [str(site.ASSETS_DIR / "static")],
        "html_extra_path": [str(site.ASSETS_DIR / "root")],
        "mathjax_path": "mathjax/tex-mml-chtml.js",
        "nb_ipywidgets_js": {"require.js": {}, "embed-amd.js": {}},
    }


def test_fetch_downloads_only_what_is_missing(local_assets, monkeypatch):
    site.fetch()
    (site.ASSETS_DIR / "static" / "require.js").unlink()
    for name in ("site/embed-amd.js", "site/mathjax"):  # would fail if downloaded again
        serve_source(monkeypatch, name, local_assets[name], checksum="0" * 64)
    site.fetch()
    assert (site.ASSETS_DIR / "static" / "require.js").read_bytes() == b"// require"


def test_a_tampered_tarball_is_refused_and_leaves_nothing(local_assets, monkeypatch):
    serve_source(monkeypatch, "site/require.js", local_assets["site/require.js"], checksum="0" * 64)
    with pytest.raises(OSError, match=r"checksum mismatch for file://"):
        site.fetch()
    assert not (site.ASSETS_DIR / "static" / "require.js").exists()
    assert site.page_settings() == {}


def first_cell(title="09 · A test", objectives=("one `code` and $x^2$;", "two **bold**.")):
    bullets = "\n".join(f"* {item}" for item in objectives)
    return (
        f"# {title}\n\n[![Open In Colab]({book.COLAB_BADGE})](https://colab.example/09.ipynb)"
        f"\n\n**Learning objectives**\n{bullets}\n\n**Time**: 5 minutes. **Prerequisites**: none."
    )


def executed(png: bytes | None = b"\x89PNG fake") -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(first_cell())])
    outputs = [nbformat.v4.new_output("stream", text="no figure yet\n")]
    if png is not None:
        data = {"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"}
        outputs.append(nbformat.v4.new_output("display_data", data))
    notebook.cells.append(nbformat.v4.new_code_cell("draw()", outputs=outputs))
    return notebook


def test_summary_reads_title_objectives_and_time_as_markdown():
    assert start_page.summary(executed()) == {
        "title": "09 · A test",
        "objectives": ["one `code` and $x^2$;", "two **bold**."],
        "time": "5 minutes",
    }
    empty = {"title": "", "objectives": [], "time": ""}
    assert start_page.summary(nbformat.v4.new_notebook()) == empty


def test_summary_of_a_course_notebook():
    path = config.REPO_ROOT / "notebooks" / "03_tsne.ipynb"
    summary = start_page.summary(json.loads(path.read_text()))
    assert summary["title"] == "03 · t-SNE of learned features"
    assert len(summary["objectives"]) == 3 and summary["objectives"][0].startswith("embed")
    assert summary["time"] == f"{timing.stated_minutes(path)} minutes"


def test_first_figure_is_the_first_png_output():
    assert start_page.first_figure(executed()) == b"\x89PNG fake"
    assert start_page.first_figure(executed(png=None)) is None


def test_start_page_has_a_section_per_notebook_and_shows_a_failure():
    entries = [
        start_page.Entry("09_test", executed(), 12.3, None, "thumbnails/09_test.png"),
        start_page.Entry("10_broken", executed(png=None), 1.5, "Boom: \x1b[31mbad\x1b[39m", None),
    ]
    page = start_page.markdown(entries, "quick")
    assert "```{toctree}\n:hidden:\n:maxdepth: 1\n\n09_test\n10_broken\n```" in page
    assert "## [09 · A test](09_test.ipynb)" in page and "## [09 · A test](10_broken.ipynb)" in page
    assert "```{image} thumbnails/09_test.png" in page and page.count("{image}") == 1
    assert "**Time**: 5 minutes · **Run time**: 12 s headless" in page
    assert "* one `code` and $x^2$;\n* two **bold**." in page  # Markdown left to MyST
    assert "Built in the `quick` profile: 1 ran without error, 1 failed" in page
    failure = page[page.index("::::{error}") :]
    assert "(after 2 s); [its page](10_broken.ipynb)" in failure
    assert "```text\nBoom: bad\n```" in failure and "Run time" not in failure


def test_a_staged_notebook_serves_the_badge_locally_and_notes_a_failure():
    staged = book.staged_notebook(
        executed(), "CellExecutionError: \x1b[31mZeroDivisionError\x1b[39m"
    )
    assert book.COLAB_BADGE not in staged["cells"][0]["source"]
    assert f"[![Open In Colab]({book.LOCAL_BADGE})]" in staged["cells"][0]["source"]
    assert staged["cells"][1]["source"] == book.failure_note(
        "CellExecutionError: ZeroDivisionError"
    )
    assert "```text\nCellExecutionError: ZeroDivisionError\n```" in staged["cells"][1]["source"]
    assert [cell["cell_type"] for cell in staged["cells"]] == ["markdown", "markdown", "code"]
    assert len(book.staged_notebook(executed(), None)["cells"]) == 2


def test_record_runs_keeps_earlier_notebooks(tmp_path):
    book.record_runs(tmp_path, [{"name": "00", "seconds": 3.0, "error": None, "slowest": None}])
    book.record_runs(tmp_path, [{"name": "01", "seconds": 4.0, "error": "E", "slowest": None}])
    assert json.loads((tmp_path / book.RUNS).read_text()) == {
        "00": {"error": None, "seconds": 3.0},
        "01": {"error": "E", "seconds": 4.0},
    }
