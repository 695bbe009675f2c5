"""The full profile, offline: every notebook runs to its end on stand-ins for the downloads
(random CIFAR archives, random-weight ImageNet files under Keras' names, a PetImages folder
with corrupt files) and reports the seeds' setting; without them, each setting stops with an
error naming the file, where it was looked for and the command that fetches it."""

from __future__ import annotations

import fcntl

import pytest

from helpers import course, data
from helpers.infra import config
from helpers.models import weights
from tests.conftest import load_script

pytestmark = pytest.mark.full

make_stand_ins = load_script("make_stand_ins")
run_course = load_script("run_course")
NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))

# What each notebook's setting line must say in the full profile: the seeds' settings.
SETTINGS = {
    "00": ["CIFAR-10"],
    "01": ["cifar10_cnn on CIFAR-10", "VGG16, stand-in weights"],
    "02": ["top-10 of", "occlusion window 11 x 11, stride 2, zero fill"],
    "03": ["cifar10_cnn on CIFAR-10"],
    "04": ["VGG16 (stand-in weights", "cats vs dogs"],
    "05": ["MobileNetV2", "classes 283 (Persian cat) and 248 (Eskimo dog), k = 3"],
    "06": ["cifar100_cnn + 9 fine components (9 clusters from its confusion)", "CIFAR-100"],
    "07": ["MobileNetV2", "Grad-CAM on VGG16", "at 224 px"],
    "08": ["cam_half_shuffled (trained on shuffled labels", "EfficientNet-Lite0 at 128 px"],
}
# A proxy that refuses every connection: a download attempted here fails at once.
NO_NETWORK = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def offline_full(monkeypatch, home, course_data):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("COURSE_DATA", str(course_data))
    monkeypatch.setenv("KERAS_HOME", str(home / "keras"))
    monkeypatch.setenv("COURSE_CACHE", str(home / "cache"))
    for name, value in NO_NETWORK.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def stand_ins(tmp_path_factory, worker_id):
    """A home per test worker whose ``data`` holds the stand-ins, built once for the whole
    run (about 12 s; a 553 MB VGG16 among them) by the first worker that needs them, under a
    lock, and only read afterwards; Keras' and the course's caches stay per worker."""
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # pytest-xdist: each worker's temp folder is in the run's
        run_folder = run_folder.parent
    shared = run_folder / "full_stand_ins"
    with open(run_folder / "full_stand_ins.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "complete").exists():
            make_stand_ins.build(shared)
            (shared / "complete").touch()
    home = tmp_path_factory.mktemp("full_home")
    (home / "data").symlink_to(shared, target_is_directory=True)
    return home


def runs_in_the_full_profile(notebook, capsys) -> None:
    """``notebook`` runs to its end and its setting line reports the seeds' setting."""
    executed, seconds, error = run_course.execute(notebook)
    assert error is None, error
    printed = "".join(
        output.get("text", "") for cell in executed.cells for output in cell.get("outputs", [])
    )
    assert "profile      : full (COURSE_FULL_LIMIT=1000" in printed
    for fact in SETTINGS[notebook.stem[:2]]:
        assert fact in printed, f"{notebook.stem} does not report {fact!r}"
    with capsys.disabled():
        print(f"\n{notebook.stem}: {seconds:.1f} s in the full profile on stand-ins")


# run after `prepare` built its setting (the last test), not alone
PREPARED = next(path for path in NOTEBOOKS if path.stem.startswith("06"))


@pytest.mark.parametrize(
    "notebook", [path for path in NOTEBOOKS if path != PREPARED], ids=lambda path: path.stem
)
def test_every_notebook_runs_in_the_full_profile_on_stand_ins(
    notebook, stand_ins, monkeypatch, capsys
):
    offline_full(monkeypatch, stand_ins, stand_ins / "data")
    monkeypatch.setenv("COURSE_FULL_LIMIT", "1000")  # the stand-ins' sizes; epochs 1
    runs_in_the_full_profile(notebook, capsys)


@pytest.mark.parametrize(
    ("setting", "error", "message"),
    [
        (course.start, data.DataNotFoundError, r"(?s)CIFAR-10 was not found .*Searched:.*10-py"),
        (course.filters, data.DataNotFoundError, r"python -m helpers fetch cifar10"),
        (course.hdcnn, data.DataNotFoundError, r"python -m helpers fetch cifar100"),
        (course.transfer, data.DataNotFoundError, r"(?s)PetImages.*Searched:.*fetch pets"),
        (course.cams, data.DataNotFoundError, r"PetImages folder with Cat/ and Dog/"),
        (course.coarse, weights.WeightsNotFoundError, r"fetch weights MobileNetV2"),
    ],
)
def test_without_stand_ins_each_setting_stops_naming_the_fetch_command(
    setting, error, message, tmp_path, monkeypatch
):
    (tmp_path / "empty").mkdir()
    offline_full(monkeypatch, tmp_path, tmp_path / "empty")
    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "repo_data")
    with pytest.raises(error, match=message) as raised:
        setting("full")
    assert "could not" in str(raised.value) or "not found" in str(raised.value)
    assert not list((tmp_path / "keras").rglob("*.part")), "no half-written download left"


def test_prepare_builds_a_setting_outside_the_notebook_which_then_only_reads_it(
    stand_ins, monkeypatch, capsys
):
    offline_full(monkeypatch, stand_ins, stand_ins / "data")
    monkeypatch.setenv("COURSE_FULL_LIMIT", "1000")
    monkeypatch.setenv("COURSE_CACHE", str(stand_ins / "prepared"))
    course.prepare([PREPARED.stem[:2]])
    assert "06: cifar100_cnn + 9 fine components" in capsys.readouterr().out
    cached = stand_ins / "prepared" / "models"
    models = [cached / "cifar100_cnn.keras", *(cached / "hdcnn_confusion").glob("*.keras")]
    assert models[0].is_file()
    assert len([m for m in models if m.name.startswith("hdcnn_fine_")]) == 9
    written = {model: model.stat().st_mtime_ns for model in models}
    runs_in_the_full_profile(PREPARED, capsys)
    assert {model: model.stat().st_mtime_ns for model in models} == written, "retrained"
    with pytest.raises(ValueError, match=r"unknown notebook\(s\) \['09'\]"):
        course.prepare(["09"])
