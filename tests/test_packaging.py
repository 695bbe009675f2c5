"""The declared environment matches the code: every package the course imports is a declared
dependency; pyproject.toml states ranges (which Colab's preinstalled TensorFlow meets) and
constraints.txt the one exact pin of each, inside its range; environment.yml uses both."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(lines) -> dict[str, Requirement]:
    parsed = (Requirement(line) for line in lines)
    return {_normalise(r.name): r for r in parsed}


RUNTIME = _requirements(PROJECT["dependencies"])
EXTRAS = {name: _requirements(lines) for name, lines in PROJECT["optional-dependencies"].items()}
DECLARED = RUNTIME | EXTRAS["cpu"] | EXTRAS["gpu"] | EXTRAS["course"] | EXTRAS["dev"]
CONSTRAINTS = _requirements(
    line.split("#")[0].strip()
    for line in (ROOT / "constraints.txt").read_text().splitlines()
    if line.split("#")[0].strip()
)


REFERENCE_SCRIPTS = ROOT / "scripts" / "reference"  # one-off, in a separate venv with torch


def _imported_top_modules(folder: Path) -> set[str]:
    """Top-level modules imported anywhere in ``folder``'s Python files (lazy imports too),
    except the reference scripts, which run in their own venv."""
    modules = set()
    for path in folder.rglob("*.py"):
        if REFERENCE_SCRIPTS in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"helpers", "__future__"}


def _undeclared(modules: set[str], declared: dict) -> list[str]:
    """The modules that no declared distribution provides."""
    installed = importlib.metadata.packages_distributions()
    return sorted(
        m for m in modules if not {_normalise(d) for d in installed.get(m, [m])} & set(declared)
    )


def test_every_runtime_import_is_a_runtime_dependency_or_tensorflow():
    """TensorFlow comes from the cpu or gpu extra, or is Colab's own."""
    assert _undeclared(_imported_top_modules(ROOT / "helpers"), RUNTIME | EXTRAS["cpu"]) == []


def test_every_test_script_and_bench_import_is_declared():
    folders = ("tests", "scripts", "bench")
    modules = set().union(*(_imported_top_modules(ROOT / f) for f in folders))
    own = {p.stem for f in folders for p in (ROOT / f).glob("*.py")} | set(folders)
    assert _undeclared(modules - own, DECLARED) == []


def test_reference_scripts_say_they_run_apart_and_nothing_imports_them():
    scripts = sorted(REFERENCE_SCRIPTS.glob("*.py"))
    assert scripts
    for script in scripts:
        assert "separate venv" in ast.get_docstring(ast.parse(script.read_text()))
    stems = {script.stem for script in scripts}
    for folder in ("helpers", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or "", *(a.name for a in node.names)]
                assert not {n.rsplit(".", 1)[-1] for n in names} & stems, path


def test_requirements_are_ranges_that_colab_meets_and_never_install_tensorflow_there():
    for name, requirement in DECLARED.items():
        assert not any(s.operator == "==" for s in requirement.specifier), f"{name} is pinned"
    assert not {"tensorflow", "tensorflow-cpu"} & set(RUNTIME)


def test_constraints_pin_each_declared_package_once_inside_its_range():
    assert set(CONSTRAINTS) == set(DECLARED)
    for name, pin in CONSTRAINTS.items():
        (exact,) = pin.specifier
        assert exact.operator == "==", f"{name}: constraints.txt pins exact versions"
        assert DECLARED[name].specifier.contains(exact.version), (
            f"{name}=={exact.version} is outside pyproject's {DECLARED[name].specifier}"
        )


def test_environment_yml_installs_with_the_constraints_and_pins_nothing_itself():
    text = (ROOT / "environment.yml").read_text()
    lines = [line.strip().removeprefix("- ") for line in text.splitlines()]
    # what a learner on Binder needs: no test tools
    assert "-c constraints.txt" in lines and "-e .[cpu,course]" in lines
    assert not [ln for ln in lines if "==" in ln and not ln.startswith("#")]


def test_the_built_wheel_holds_every_sub_package_and_nothing_else(tmp_path):
    """``pip wheel`` of the project (offline: the venv's setuptools, no build isolation) ships
    each layer's folder, not only the top of ``helpers``, and no tests."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("cnn_course_helpers-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "helpers").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules <= shipped, sorted(modules - shipped)
    assert {"helpers/infra/sources.py", "helpers/course/nb07_cams.py"} <= shipped
    assert not [name for name in shipped if name.startswith(("tests/", "scripts/", "bench/"))]
