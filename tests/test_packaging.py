"""The declared environment matches the code: every package the course imports is pinned,
and ``environment.yml`` pins the same versions as ``pyproject.toml``."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*\"?([A-Za-z0-9_.\-]+)==([^;\s\"]+)")
# pyproject's runtime dependencies come before its optional (dev) ones
RUNTIME, DEV = (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements) -> dict[str, str]:
    return {_normalise(m[1]): m[2] for r in requirements if (m := PIN.match(r))}


def _imported_top_modules(folder: Path) -> set[str]:
    """Top-level modules imported anywhere in ``folder``'s Python files (lazy imports too)."""
    modules = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"helpers", "__future__"}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    installed = importlib.metadata.packages_distributions()
    return {m: {_normalise(d) for d in installed.get(m, [m])} for m in modules}


RUNTIME_PINS = _pins(RUNTIME.splitlines())
ALL_PINS = RUNTIME_PINS | _pins(DEV.splitlines())


def _unpinned(modules: set[str], pins: dict[str, str]) -> list[str]:
    """The modules no pinned distribution provides."""
    return sorted(m for m, dists in _distributions(modules).items() if not dists & set(pins))


def test_every_runtime_import_is_a_pinned_dependency():
    assert _unpinned(_imported_top_modules(ROOT / "helpers"), RUNTIME_PINS) == []


def test_every_test_import_is_pinned_for_development():
    folders = ("tests", "scripts", "bench")
    modules = set().union(*(_imported_top_modules(ROOT / f) for f in folders))
    own = {p.stem for f in folders for p in (ROOT / f).glob("*.py")} | set(folders)
    assert _unpinned(modules - own, ALL_PINS) == []


def test_environment_yml_pins_the_same_versions_as_pyproject():
    lines = [ln.strip().lstrip("- ") for ln in (ROOT / "environment.yml").read_text().splitlines()]
    pip = dict(ALL_PINS)
    pip["tensorflow"] = pip.pop("tensorflow-cpu")  # conda's pip section has no Linux-only wheel
    assert _pins(lines) == pip
