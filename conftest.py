"""pytest settings for the notebooks (``tests/conftest.py`` holds the unit tests' fixtures)."""

import pytest


def pytest_itemcollected(item):
    """Under ``pytest -n N --dist loadgroup`` each notebook's nbval cells stay together, in
    order, on one worker (they share its kernel); every other test is scheduled on its own."""
    if item.path.suffix == ".ipynb":
        item.add_marker(pytest.mark.xdist_group(item.path.stem))
