"""The site's start page, written as MyST Markdown from each executed notebook's first cell.

Per notebook: its title (a link to its page), time estimate, run time or error, a thumbnail of
its first figure and its learning objectives, with their Markdown (code, formulas, emphasis)
rendered by the site's builder, not shown raw.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

TITLE = "What CNNs learn and how to reuse them"


def text(source: str | list[str]) -> str:
    """A cell's source as one string (a notebook's JSON may hold it as a list of lines)."""
    return source if isinstance(source, str) else "".join(source)


def summary(notebook: dict) -> dict:
    """Title, learning objectives and time estimate from a notebook's first cell.

    Returns
    -------
    dict
        ``title`` (the first ``# `` heading), ``objectives`` (the Markdown of each bullet under
        ``**Learning objectives**``) and ``time`` (what follows ``**Time**:``, up to a full
        stop); empty where the cell has none.
    """
    first = text(notebook["cells"][0]["source"]) if notebook["cells"] else ""
    title = next((line[2:].strip() for line in first.splitlines() if line.startswith("# ")), "")
    objectives = []
    if "**Learning objectives**" in first:
        for line in first.split("**Learning objectives**", 1)[1].strip().splitlines():
            if not line.startswith("* "):
                break
            objectives.append(line[2:].strip())
    time_estimate = re.search(r"\*\*Time\*\*:\s*([^.]+)", first)
    return {
        "title": title,
        "objectives": objectives,
        "time": time_estimate.group(1).strip() if time_estimate else "",
    }


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(error: str) -> str:
    """``error`` without the terminal colour codes of IPython's tracebacks."""
    return ANSI_ESCAPE.sub("", error)


def first_figure(notebook: dict) -> bytes | None:
    """The PNG bytes of the first figure a notebook's outputs show, if any."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                return base64.b64decode(text(png))
    return None


@dataclass(frozen=True)
class Entry:
    """One notebook on the start page.

    Parameters
    ----------
    name
        Its file name without ``.ipynb``; its page is ``name.html``.
    notebook
        The executed notebook (its JSON).
    seconds
        How long it ran in ``make course``; None when unknown.
    error
        The error that stopped it, or None.
    thumbnail
        The thumbnail's path relative to the start page, or None (no figure).
    """

    name: str
    notebook: dict
    seconds: float | None
    error: str | None
    thumbnail: str | None


def _section(entry: Entry) -> str:
    about = summary(entry.notebook)
    lines = [f"## [{about['title'] or entry.name}]({entry.name}.ipynb)", ""]
    if entry.thumbnail:
        lines += [
            f"```{{image}} {entry.thumbnail}",
            f":alt: the first figure of {entry.name}",
            ":width: 220px",
            ":align: right",
            "```",
            "",
        ]
    facts = [f"**Time**: {about['time']}"] if about["time"] else []
    if entry.error is None and entry.seconds is not None:
        facts.append(f"**Run time**: {entry.seconds:.0f} s headless")
    lines += [" · ".join(facts), ""] if facts else []
    if entry.error is not None:
        lines += [
            "::::{error}",
            "This notebook failed when the course was built"
            + (f" (after {entry.seconds:.0f} s)" if entry.seconds is not None else "")
            + f"; [its page]({entry.name}.ipynb) shows the error in the cell where it happened:",
            "",
            "```text",
            plain(entry.error),
            "```",
            "::::",
            "",
        ]
    if about["objectives"]:
        lines += ["**Learning objectives**", ""] + [f"* {item}" for item in about["objectives"]]
    return "\n".join(lines) + "\n"


def markdown(entries: list[Entry], profile: str) -> str:
    """The start page: a hidden table of contents (the sidebar and previous/next order), a
    line on the build, and one section per entry, in order."""
    failed = sum(entry.error is not None for entry in entries)
    toctree = ["```{toctree}", ":hidden:", ":maxdepth: 1", ""] + [e.name for e in entries]
    status = f"{len(entries) - failed} ran without error" + (
        f", {failed} failed (shown below with the error)" if failed else ""
    )
    return "\n".join(
        [
            f"# {TITLE}",
            "",
            "Notebooks, in order, on what convolutional networks learn (filters, unit activations, "
            "occlusion, feature maps, class activation maps) and how to reuse them (transfer "
            "learning, coarse classifiers, hierarchical classifiers). Each page below is a "
            "notebook executed headless, with its outputs and widgets; open it in Colab from "
            "its badge or download it from the download button at the top of its page.",
            "",
            f"Built in the `{profile}` profile: {status}.",
            "",
            *toctree,
            "```",
            "",
            *(_section(entry) for entry in entries),
        ]
    )
