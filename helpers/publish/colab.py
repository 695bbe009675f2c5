"""Google Colab, where most learners run the ``full`` profile on a free GPU: the "Open in
Colab" badge of each notebook, and the first code cell of every notebook, which inside Colab
(only) clones the course, installs it over Colab's own TensorFlow (the requirements are ranges
that Colab meets) and chooses the ``full`` profile. Elsewhere that cell does nothing."""

from __future__ import annotations

REPOSITORY = "cnn-course/cnn-course"  # owner/name on GitHub, where the course is published
BRANCH = "main"
CLONE = "/content/cnn-course"  # Colab's working folder

FIRST_CELL = f'''# Google Colab only: get the course, use the full profile (elsewhere: nothing)
import os, sys
if "google.colab" in sys.modules:
    if not os.path.isdir("{CLONE}"):
        !git clone --quiet --depth 1 --branch {BRANCH} https://github.com/{REPOSITORY} {CLONE}
        %pip install --quiet -e {CLONE}
    sys.path.insert(0, "{CLONE}")
    os.environ.setdefault("COURSE_PROFILE", "full")'''


def notebook_url(notebook: str) -> str:
    """Where Colab opens ``notebook`` (a file name in ``notebooks/``) from GitHub."""
    return (
        f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}"
    )


def badge(notebook: str) -> str:
    """The Markdown "Open in Colab" badge of ``notebook``."""
    image = "https://colab.research.google.com/assets/colab-badge.svg"
    return f"[![Open In Colab]({image})]({notebook_url(notebook)})"
