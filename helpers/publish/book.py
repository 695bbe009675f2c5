"""The course site: the executed notebooks in ``build/`` made into a static site in
``build/site/``, by Sphinx with MyST-NB and the Sphinx Book Theme (Jupyter Book 1's engine).

Every page has the sidebar, previous/next links, search (Sphinx's own index, in the site),
formulas (MathJax) and widgets drawn from their stored state, the "Open in Colab" badge and a
download button for its notebook; with :func:`helpers.publish.site.fetch` run once, nothing is
loaded from outside the site. The notebooks are not run again: they are copied to
``build/site-source/`` with the badge's image served locally and, for a notebook that failed,
a note at the top; the start page is written from their first cells
(:mod:`helpers.publish.start_page`). Sphinx runs in its own process (it comes with the
``course`` extra, not with the package) on a ``conf.py`` that reads :func:`sphinx_settings`
from ``settings.json``.

    python -m helpers.publish.book [BUILD]   # what `make site` runs; BUILD defaults to build/
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from helpers.infra import config, sources
from helpers.publish import colab, site, start_page

RUNS = "runs.json"  # what `make course` measured: per notebook its seconds and error
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
LOCAL_BADGE = "colab-badge.svg"
# drawn for the site: Colab's own badge is only on colab.research.google.com
BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="104" height="20" role="img" '
    'aria-label="Open in Colab"><rect width="104" height="20" rx="3" fill="#f9ab00"/>'
    '<rect width="56" height="20" rx="3" fill="#555"/>'
    '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
    '<text x="6" y="14">Open in</text><text x="61" y="14">Colab</text></g></svg>\n'
)


CONF_PY = """# written by helpers.publish.book: Sphinx's settings are in settings.json beside it
import json
from pathlib import Path

globals().update(json.loads((Path(__file__).parent / "settings.json").read_text()))
"""


def record_runs(build: Path, rows: list[dict]) -> Path:
    """Add each row's ``name``, ``seconds`` and ``error`` to ``build/runs.json`` (kept
    across partial runs) for the start page; return its path."""
    path = build / RUNS
    runs = json.loads(path.read_text()) if path.is_file() else {}
    runs.update({row["name"]: {"seconds": row["seconds"], "error": row["error"]} for row in rows})
    sources.write_atomically(path, json.dumps(runs, indent=1, sort_keys=True) + "\n")
    return path


def failure_note(error: str) -> str:
    """The Markdown at the top of a failed notebook's page."""
    return (
        "::::{error}\nThis notebook failed when the course was built:\n\n```text\n"
        f"{start_page.plain(error)}\n```\n\nThe cell where it happened shows the traceback "
        "below; the cells after it did not run.\n::::"
    )


def staged_notebook(notebook: dict, error: str | None) -> dict:
    """A copy of ``notebook`` (its JSON) for the site: the badge's image local, a failure
    noted in a Markdown cell after the first."""
    staged = copy.deepcopy(notebook)
    for cell in staged["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = start_page.text(cell["source"]).replace(COLAB_BADGE, LOCAL_BADGE)
    if error is not None:
        note = {"cell_type": "markdown", "metadata": {}, "source": failure_note(error)}
        staged["cells"].insert(1, note)
    return staged


def stage(build: Path) -> Path:
    """Write the site's sources to ``build/site-source/`` and return it: a copy of every
    executed notebook in ``build/``, their thumbnails, the badge, the start page and the
    Sphinx configuration."""
    source = build / "site-source"
    shutil.rmtree(source, ignore_errors=True)
    (source / "thumbnails").mkdir(parents=True)
    runs = json.loads((build / RUNS).read_text()) if (build / RUNS).is_file() else {}
    entries = []
    for path in sorted(build.glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        run = runs.get(path.stem, {"seconds": None, "error": None})
        staged = staged_notebook(notebook, run["error"])
        (source / path.name).write_text(json.dumps(staged, ensure_ascii=False))
        figure = start_page.first_figure(notebook)
        if figure is not None:
            (source / "thumbnails" / f"{path.stem}.png").write_bytes(figure)
        thumbnail = f"thumbnails/{path.stem}.png" if figure is not None else None
        entries.append(
            start_page.Entry(path.stem, notebook, run["seconds"], run["error"], thumbnail)
        )
    (source / LOCAL_BADGE).write_text(BADGE_SVG)
    (source / "index.md").write_text(start_page.markdown(entries, config.get_profile()))
    (source / "settings.json").write_text(json.dumps(sphinx_settings(), indent=1))
    (source / "conf.py").write_text(CONF_PY)
    return source


def sphinx_settings() -> dict:
    """The Sphinx configuration of the site (the staged ``conf.py`` reads it)."""
    return {
        "project": start_page.TITLE,
        "author": f"the {colab.REPOSITORY.split('/')[0]} contributors",  # the footer's "By ..."
        "html_title": start_page.TITLE,
        "extensions": ["myst_nb"],
        "myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence"],
        "nb_execution_mode": "off",  # `make course` ran them
        "html_theme": "sphinx_book_theme",
        "html_theme_options": {
            "repository_url": f"https://github.com/{colab.REPOSITORY}",
            "repository_branch": colab.BRANCH,
            "path_to_docs": "notebooks",
            "use_download_button": True,
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
        },
        "html_sourcelink_suffix": "",  # the download button gives the .ipynb itself
        "html_copy_source": True,
        **site.page_settings(),
    }


def build_site(build: Path) -> Path:
    """Build ``build/site/`` from the executed notebooks in ``build/``; return its start page.

    Sphinx's warnings go to stderr; a missing offline script is said once.

    Raises
    ------
    subprocess.CalledProcessError
        Sphinx failed.
    """
    if not site.page_settings():
        print(
            "MathJax and the widget scripts are not in this environment (run `python -m helpers "
            "fetch site-assets` once online): the site's pages load them from CDNs",
            file=sys.stderr,
        )
    source = stage(build)
    out = build / "site"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E"]
    command += ["-d", str(build / ".doctrees"), str(source), str(out)]
    subprocess.run(command, check=True)  # its warnings go to stderr
    return out / "index.html"


def main(argv: list[str]) -> int:
    build = Path(argv[0]) if argv else config.REPO_ROOT / "build"
    if not any(build.glob("*.ipynb")):
        print(f"no executed notebooks in {build}: run `make course` first", file=sys.stderr)
        return 1
    start = time.perf_counter()
    index = build_site(build)
    size = sum(path.stat().st_size for path in index.parent.rglob("*") if path.is_file())
    print(f"site: {index} ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
