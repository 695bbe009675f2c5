"""Notebook 04's measurements: measured, written with their checksums, read back, refused when
damaged, hand-edited, or measured with another base or split."""

import dataclasses
import json

import numpy as np
import pytest

from helpers import course, transfer
from helpers.course import nb04_transfer
from helpers.models.zoo import ModelUnavailableError
from tests.models import base_model, tiny_dataset

pytestmark = pytest.mark.xdist_group("comparison")  # one worker measures the fixture once

FAST = transfer.Schedule(
    head_epochs=3, frozen_epochs=1, fine_tune_epochs=1, scratch_epochs=3, learning_rate=1e-2
)


@pytest.fixture(scope="module")
def measured():
    dataset = tiny_dataset(n_per_class=130)  # each size also takes 100 validation images
    setting = transfer.Setting(
        base_model(), dataset, "features", "conv_b", "conv_b", 20, "tiny", seeds=2
    )
    split = transfer.small_split(dataset, per_class=20)
    return nb04_transfer.measure(setting, split, sizes=(10,), schedule=FAST), split


def test_measure_gives_every_number_the_notebook_shows(measured):
    result, split = measured
    assert len(result.methods) == 4 and result.earlier.method == "feature extraction + dense head"
    assert result.methods[-1].method == "from scratch + augmentation"
    assert list(result.sizes) == [10]
    # the setting's two seeds per arm, at every size (the split's own too)
    assert all(len(arm) == 2 for pair in result.sizes.values() for arm in pair)
    assert all(
        0 <= accuracy <= 1 for pair in result.sizes.values() for arm in pair for accuracy in arm
    )
    assert all(r.correct.shape == split.y_test.shape for r in [*result.methods, result.earlier])


def test_a_saved_record_reads_back_equal(measured, tmp_path):
    result, split = measured
    path = nb04_transfer.save(result, split, "abc", tmp_path / "record.json")
    back = nb04_transfer.load(split, "abc", path)
    assert [r.method for r in back.methods] == [r.method for r in result.methods]
    for kept, read in zip(
        [*result.methods, result.earlier], [*back.methods, back.earlier], strict=True
    ):
        np.testing.assert_array_equal(read.correct, kept.correct)
        assert read.epochs == kept.epochs and read.seconds == round(kept.seconds, 2)
    assert back.sizes == result.sizes and back.source.startswith("measured 20")


def test_bad_records_are_refused_with_the_command_that_remeasures(measured, tmp_path):
    result, split = measured
    path = nb04_transfer.save(result, split, "abc", tmp_path / "record.json")
    with pytest.raises(ModelUnavailableError, match="made with different base model"):
        nb04_transfer.load(split, "other", path)
    other_split = transfer.small_split(tiny_dataset(n_per_class=130), per_class=10)
    with pytest.raises(ModelUnavailableError, match="made with different split"):
        nb04_transfer.load(other_split, "abc", path)
    record = json.loads(path.read_text())
    record["methods"][0]["correct"] = "0" * len(record["methods"][0]["correct"])  # was all 1
    path.write_text(json.dumps(record))
    with pytest.raises(ModelUnavailableError, match="changed by hand or damaged.*train_zoo.py"):
        nb04_transfer.load(split, "abc", path)
    path.write_text('{"methods": [')
    with pytest.raises(ModelUnavailableError, match="is damaged"):
        nb04_transfer.load(split, "abc", path)
    with pytest.raises(ModelUnavailableError, match="is missing.*git checkout"):
        nb04_transfer.load(split, "abc", tmp_path / "nothing.json")


def test_a_record_that_does_not_fit_is_measured_here_and_the_notebook_goes_on(
    measured, tmp_path, monkeypatch, capsys
):
    result, split = measured
    setting = transfer.Setting(
        base_model(),
        tiny_dataset(n_per_class=130),
        "features",
        "conv_b",
        "conv_b",
        20,
        "tiny",
        schedule=FAST,
        shipped="tiny",
    )
    path = nb04_transfer.save(result, split, "abc", tmp_path / "record.json")
    monkeypatch.setattr(nb04_transfer, "base_sha256", lambda setting: "abc")
    assert nb04_transfer.course_comparison(setting, split, path=path).source.startswith(
        "measured 20"
    )
    monkeypatch.setattr(nb04_transfer, "base_sha256", lambda setting: "another base")
    calls = []

    def measure(*args, **kwargs):  # what measure returns is tested above; here: it is called
        calls.append((args, kwargs))
        return dataclasses.replace(result)  # a copy: the module's measurement stays as it was

    monkeypatch.setattr(nb04_transfer, "measure", measure)
    again = nb04_transfer.course_comparison(setting, split, path=path)
    assert again.source == (
        "measured here (the shipped record record.json does not fit this run: it was made "
        "with different base model)"
    )
    assert "Measuring here (the shipped record" in capsys.readouterr().out
    assert calls == [((setting, split, None), {"schedule": FAST})]  # this run's setting
    assert again.methods is result.methods


def test_the_shipped_record_fits_the_shipped_base_and_the_quick_split():
    setting = course.transfer("quick")
    split = transfer.small_split(setting.dataset, per_class=setting.per_class)
    shipped = nb04_transfer.load(
        split, nb04_transfer.base_sha256(setting), other_base=setting.other_base_id
    )
    assert [r.method.split(":")[0] for r in shipped.other] == ["ImageNet base"] * 2
    assert all(r.correct.shape == split.y_test.shape for r in shipped.other)
    assert tuple(shipped.sizes) == setting.sizes
    assert all(len(arm) == setting.seeds >= 3 for pair in shipped.sizes.values() for arm in pair)
    assert shipped.methods[0].method == "feature extraction + dense head"
    assert len(shipped.methods) == 4 and "train_zoo.py transfer" in shipped.source
