import json

import numpy as np
import pytest

from helpers import plots, widgets


def test_dataset_browser_callback_updates_result(subset):
    browser = widgets.dataset_browser(subset, per_page=4)
    label, start = browser.children[0], browser.children[1]
    first = browser.result
    assert first["label"] == 0 and len(first["indices"]) == 4
    assert (subset.y_test[first["indices"]] == 0).all()
    label.value = 8
    assert browser.result["label"] == 8
    assert (subset.y_test[browser.result["indices"]] == 8).all()
    before = browser.result["indices"].copy()
    start.value = 4
    assert not np.array_equal(browser.result["indices"], before)


def test_course_figures_stay_out_of_pyplots_open_figures(subset):
    # after a widget message on a kernel subshell, matplotlib's inline hook shows and closes
    # every figure pyplot holds, from that thread: a figure there can be taken mid-drawing
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    browser = widgets.dataset_browser(subset, per_page=4)  # draws its first page
    browser.children[0].value = 3
    grid = plots.image_grid(np.zeros((2, 4, 4, 1)))
    assert plt.get_fignums() == open_before
    assert len(grid.axes) == 2  # a figure all the same, shown wherever it is displayed


def test_dataset_browser_rejects_bad_split(subset):
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        widgets.dataset_browser(subset, split="val")


def test_linked_runs_compute_then_draw():
    seen = []
    widget = widgets.linked(lambda n: n * 2, lambda r: seen.append(r) or "drawn", n=(1, 5))
    widget.children[0].value = 4
    assert widget.result == 8 and seen[-1] == 8


def doubled(n):
    return n * 2


def test_linked_logs_each_callback_when_asked(tmp_path, monkeypatch):
    log = tmp_path / "callbacks.jsonl"
    monkeypatch.setenv("COURSE_WIDGET_LOG", str(log))
    widget = widgets.linked(doubled, lambda r: "drawn", n=(1, 5))  # logs its first draw
    widget.children[0].value = 4
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["widget"] for line in lines] == ["doubled", "doubled"]  # a factory's name
    # for the course's widgets, whose compute is defined inside the factory
    assert all(0 <= line["seconds"] < 5 for line in lines)
    monkeypatch.delenv("COURSE_WIDGET_LOG")
    widget.children[0].value = 2
    assert len(log.read_text().splitlines()) == 2  # no log file asked for: nothing written


def test_feature_maps_tile_each_channel_scaled_to_its_own_range():
    maps = np.zeros((2, 2, 3))
    maps[..., 0] = [[0, 1], [2, 3]]
    maps[..., 1] = [[-5, -5], [-5, 5]]
    maps[..., 2] = 7.0  # constant: shown dark, not a division by zero
    fig = plots.feature_map_figure(maps, title="t")
    ax = fig.axes[0]
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (2, 8)  # three 2x2 tiles, one-pixel gaps
    np.testing.assert_allclose(mosaic[:, :2], [[0, 1 / 3], [2 / 3, 1]])
    np.testing.assert_allclose(mosaic[:, 3:5], [[0, 0], [0, 1]])
    np.testing.assert_allclose(mosaic[:, 6:], 0)
    assert mosaic.mask[:, [2, 5]].all()  # the gaps are blank
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2"]
    assert ax.get_title() == "t: 3 of 3 maps, each scaled to its own range"
    many = plots.feature_map_figure(np.zeros((4, 4, 40)), max_maps=32).axes[0]
    assert many.texts[-1].get_text() == "31" and many.get_title().startswith("32 of 40 maps")


def test_image_grid():
    fig = plots.image_grid(np.zeros((5, 4, 4, 1)), titles=list("abcde"), ncols=3)
    assert len(fig.axes) == 6 and fig.axes[4].get_title() == "e"
    rgb = plots.image_grid([np.zeros((4, 4, 3))])
    assert rgb.axes[0].images[0].get_array().shape == (4, 4, 3)
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        plots.image_grid(np.zeros((3, 4, 4)), titles=["a", "b"])
    with pytest.raises(ValueError, match="at least one image"):
        plots.image_grid([])


def test_linked_shows_figures_as_png_and_remembers_each_setting(monkeypatch):
    import ipywidgets

    shown, computed = [], []
    monkeypatch.setattr(widgets, "display", lambda *items: shown.append(items))

    def compute(n):
        computed.append(n)
        return n

    def draw(n):
        figure, ax = plots.new_figure(figsize=(1, 1))
        ax.plot(range(n + 1))
        return f"n = {n}", figure

    slider = ipywidgets.IntSlider(value=1, min=1, max=5)
    widget = widgets.linked(compute, draw, n=slider)
    assert slider.continuous_update is False  # a slider updates when released
    slider.value = 2
    slider.value = 1
    assert computed == [1, 2]  # back at 1: shown again, not computed again
    assert shown[2] == shown[0] and shown[1] != shown[0]
    caption, image = shown[1]
    assert caption == "n = 2" and image.data.startswith(b"\x89PNG")
    assert widget.result == 1

    computed.clear()
    every_time = widgets.linked(compute, draw, remember=False, n=(1, 5))
    every_time.children[0].value = 2
    every_time.children[0].value = 3
    every_time.children[0].value = 2
    assert computed == [3, 2, 3, 2]  # the slider starts at 3
