import pytest

from helpers.infra import config
from tests.conftest import load_script

run_course = load_script("run_course")
NOTEBOOKS = config.REPO_ROOT / "notebooks"


def test_select_by_prefix_name_or_path_and_all_by_default():
    assert [p.name for p in run_course.select(["03"])] == ["03_tsne.ipynb"]
    assert [p.stem for p in run_course.select(["01_filters", "00"])] == [
        "01_filters",
        "00_start_here",
    ]
    path = NOTEBOOKS / "02_topk_occlusion.ipynb"
    assert run_course.select([str(path)]) == [path]
    assert run_course.select([]) == sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize(
    ("argument", "message"), [("9", "'9' matches no notebook"), ("0", "matches several")]
)
def test_select_names_what_was_wrong_and_what_exists(argument, message):
    with pytest.raises(SystemExit, match=f"{message}.*one of: 00_start_here, 01_filters"):
        run_course.select([argument])


def test_jobs_reads_course_jobs(monkeypatch):
    monkeypatch.setenv("COURSE_JOBS", "3")
    assert run_course.jobs() == 3
    monkeypatch.delenv("COURSE_JOBS")
    assert run_course.jobs() >= 1
    for bad in ("0", "two", "1.5"):
        monkeypatch.setenv("COURSE_JOBS", bad)
        with pytest.raises(SystemExit, match=r"COURSE_JOBS must be a whole number of at least 1"):
            run_course.jobs()


def test_slowest_cell_from_nbclients_timing():
    import nbformat

    def cell(began, ended):
        stamps = {"iopub.execute_input": began, "shell.execute_reply": ended}
        return nbformat.v4.new_code_cell("x", metadata={"execution": stamps})

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# t"),
            cell("2026-11-23T12:57:28.500000Z", "2026-11-23T12:57:35.250000Z"),  # 6.75 s
            cell("2026-11-23T12:57:35.300000Z", "2026-11-23T13:01:35.300000Z"),  # 240 s
            nbformat.v4.new_code_cell("never run"),
        ]
    )
    assert run_course.slowest_cell(notebook) == (2, 240.0)
    assert run_course.slowest_cell(nbformat.v4.new_notebook()) is None
