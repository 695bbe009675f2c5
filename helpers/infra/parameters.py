"""Parameters declared once: each field of a settings dataclass carries its default and its
constraint (a range or a set of options, and how a control steps through it), as
scikit-learn's ``_parameter_constraints`` sit beside an estimator's defaults. The dataclass
validates itself from them (:func:`validate`), and the widgets build their controls from them
(:func:`helpers.widgets.controls_for`), so no number is typed twice."""

from __future__ import annotations

import dataclasses

from helpers.infra import arguments


def ranged(default, low, high, step, label: str, whole: bool = False, shown_up_to=None):
    """A number in ``[low, high]`` (``high`` None: no upper bound; a whole number with
    ``whole``); a control moves by ``step`` up to ``shown_up_to`` (default ``high``) and shows
    ``label``."""
    spec = {"low": low, "high": high, "step": step, "label": label, "whole": whole}
    spec["shown_up_to"] = high if shown_up_to is None else shown_up_to
    return dataclasses.field(default=default, metadata=spec)


def one_of(default, options: tuple, label: str):
    """One of ``options``; a control shows ``label``."""
    return dataclasses.field(default=default, metadata={"options": options, "label": label})


def validate(settings) -> None:
    """Check every declared field of a frozen dataclass instance; whole numbers are stored as
    ints (``5.0`` becomes ``5``).

    Raises
    ------
    ValueError
        Naming the field, what it must be, and what it got.
    """
    for field in dataclasses.fields(settings):
        spec, value = field.metadata, getattr(settings, field.name)
        if "options" in spec and value not in spec["options"]:
            raise ValueError(f"unknown {field.name} {value!r}; use one of {spec['options']}")
        name = f"{field.name} ({spec['label']})" if "label" in spec else field.name
        if spec.get("whole"):
            checked = arguments.count(value, name, low=spec["low"], high=spec["high"])
            object.__setattr__(settings, field.name, checked)  # frozen
        elif "low" in spec:
            arguments.number(value, name, spec["low"], spec["high"])
