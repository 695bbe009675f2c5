"""The package's layers, bottom to top, each importing only from its own layer or below (any
import, also one inside a function). The tree shows them: ``infra/``, ``data/`` and
``models/``, the techniques flat in ``helpers/``, ``plots`` and ``widgets``, ``exercises/``,
``course/``, then ``publish/`` and ``python -m helpers``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "helpers"
PRESENTATION = {"plots", "widgets"}
ALLOWED = {  # layer -> the layers it may import from
    "infra": {"infra"},
    "data": {"infra", "data"},
    "models": {"infra", "data", "models"},
    "techniques": {"infra", "techniques"},
    "presentation": {"infra", "data", "techniques", "presentation"},  # widgets browse datasets
    "exercises": {"infra", "data", "models", "techniques", "presentation", "exercises"},
    "course": {"infra", "data", "models", "techniques", "presentation", "exercises", "course"},
    "publish": {"infra", "publish"},
    "entry": {"infra", "data", "models", "course", "publish"},
}


def layer_of(module: str) -> str:
    """The layer of a dotted module name below ``helpers``."""
    parts = module.split(".")
    if parts[0] == "__main__":
        return "entry"
    if parts[0] in ("infra", "data", "models", "exercises", "course", "publish"):
        return parts[0]
    return "presentation" if parts[0] in PRESENTATION else "techniques"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join(parts) or "__init__"


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every ``helpers`` module a file imports, with its line, at any depth of its code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "helpers":
                found += [(alias.name, node.lineno) for alias in node.names]
            elif node.module.startswith("helpers."):
                found.append((node.module.removeprefix("helpers."), node.lineno))
        elif isinstance(node, ast.Import):
            found += [
                (a.name.removeprefix("helpers."), node.lineno)
                for a in node.names
                if a.name.startswith("helpers.")
            ]
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def violations() -> list[str]:
    found = []
    for path in SOURCES:
        here = layer_of(module_name(path))
        for module, line in imported_modules(path):
            there = layer_of(module)
            if there not in ALLOWED[here]:
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                found.append(f"{where} ({here}) imports helpers.{module} ({there})")
    return found


def test_each_layer_imports_only_from_itself_and_below():
    assert violations() == []


def test_config_imports_nothing_of_the_package():
    assert imported_modules(PACKAGE / "infra" / "config.py") == []


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("occlusion", "course", False),  # a technique never knows the notebooks
        ("occlusion", "models.zoo", False),  # nor files of models
        ("widgets", "occlusion", True),
        ("data.photos", "models.zoo", False),
        ("course.nb07_cams", "widgets", True),
        ("publish.site", "course", False),
    ],
)
def test_the_rule_itself(importer, imported, allowed):
    assert (layer_of(imported) in ALLOWED[layer_of(importer)]) is allowed


def test_every_module_is_in_a_layer_the_rule_knows():
    assert {layer_of(module_name(p)) for p in SOURCES} <= set(ALLOWED)
