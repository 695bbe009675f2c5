"""The harness every exercise runs on.

* **Questions** (``check_equal``, ``check_close``, ``check_names``, ``check_choice``): the
  learner types an answer; the check prints right or "Not yet" with a hint and returns a
  bool. ``None`` (the placeholder in the notebooks) counts as "not answered yet".
* **Coding exercises** (:func:`check_function`): the learner writes a technique's core
  function; the check runs it on seeded inputs the learner never sees and compares it with
  an independent reference (plain loops, not the course's own implementation), answering
  with a hint named after the likely mistake, never with the answer.
"""

from __future__ import annotations

import contextlib
import copy
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def report(correct: bool, praise: str, hint: str) -> bool:
    """Print the verdict of an exercise and return it."""
    print(("Correct! " + praise) if correct else ("Not yet. Hint: " + hint))
    return bool(correct)


def solution(check, *arguments, **keywords) -> None:
    """Run ``check(*arguments, **keywords)`` on a reference answer without printing its
    verdict (which would show the answer to a learner who runs every cell); a rejected answer
    is an error."""
    with contextlib.redirect_stdout(io.StringIO()) as said:
        correct = check(*arguments, **keywords)
    if not correct:
        raise AssertionError(
            f"the reference solution of {check.__name__} was rejected: {said.getvalue()}"
        )


def unanswered(answer) -> bool:
    if answer is None or answer is ...:
        print("No answer yet: replace the placeholder with your answer and run the cell again.")
        return True
    return False


def is_text(answer) -> bool:
    """Text, or a collection holding text: not numbers a next line of code can compute with."""
    if isinstance(answer, str | bytes):
        return True
    return isinstance(answer, list | tuple) and any(isinstance(a, str | bytes) for a in answer)


TEXT_HINT = (
    "give the number(s) themselves, not text ({answer!r} is a string): text would break the "
    "next line of code that computes with your answer."
)


def numbers_of(answer):
    """Numbers as an array (numbers, numpy scalars and arrays, tuples, lists); text and
    True/False are not numbers."""
    if is_text(answer):
        raise ValueError("text, not numbers")
    array = np.asarray(answer)
    if array.dtype.kind not in "iuf" or array.size == 0:
        raise ValueError("not numbers")
    return array.astype(float)


def same_value(answer, expected) -> bool:
    """Equal as values: numbers, numpy scalars and arrays, tuples and lists alike (text is
    not a number)."""
    if isinstance(expected, str):
        return str(answer).strip() == expected.strip()
    try:
        return bool(np.array_equal(numbers_of(answer).ravel(), numbers_of(expected).ravel()))
    except (TypeError, ValueError):
        return False


def one_of(answer):
    """A single name given in a list or tuple of one (``["Shirt"]``) as that name."""
    if isinstance(answer, list | tuple | np.ndarray) and len(answer) == 1:
        return answer[0]
    return answer


def names_of(answer) -> set[str]:
    """A collection of names, or one text listing them (``"Shirt, Coat"``), as a lower-case
    set."""
    if isinstance(answer, str):
        answer = answer.strip("()[]{} ").split(",")
    try:
        return {str(name).strip().strip("'\"").lower() for name in answer}
    except TypeError:
        return set()


def check_equal(answer, expected, praise: str, hint: str) -> bool:
    """Right when ``answer`` equals ``expected`` as a value (``3 == np.int64(3)``,
    ``(28, 28, 1) == [28, 28, 1] == np.array([28, 28, 1])``); numbers given as text are
    refused with a hint that says so."""
    if unanswered(answer):
        return False
    if not isinstance(expected, str) and is_text(answer):
        return report(False, praise, TEXT_HINT.format(answer=answer))
    return report(same_value(answer, expected), praise, hint)


def check_close(answer, expected: float, tolerance: float, praise: str, hint: str) -> bool:
    """Right when a number (one, not text and not a list holding it) is within ``tolerance``
    of ``expected``."""
    if unanswered(answer):
        return False
    if is_text(answer):
        return report(False, praise, TEXT_HINT.format(answer=answer))
    if np.ndim(answer) != 0:
        return report(False, praise, f"give one number, not {type(answer).__name__} {answer!r}.")
    try:
        given = float(numbers_of(answer))
    except (TypeError, ValueError):
        return report(False, praise, f"give a number. {hint}")
    return report(abs(given - expected) <= tolerance, praise, hint)


def check_names(answer, expected, praise: str, hint: str) -> bool:
    """Right when a collection of names equals ``expected`` as a set (case ignored)."""
    if unanswered(answer):
        return False
    return report(names_of(answer) == {name.lower() for name in expected}, praise, hint)


def check_choice(answer, accepted, praise: str, hint: str) -> bool:
    """Right when a text answer names ``accepted`` or, given several (a tie), any one of
    them (case and surrounding spaces ignored)."""
    if unanswered(answer):
        return False
    names = [accepted] if isinstance(accepted, str) else list(accepted)
    correct = str(one_of(answer)).strip().strip("'\"").lower() in {
        str(n).strip().lower() for n in names
    }
    return report(correct, praise, hint)


def best_of(values, largest: bool = True) -> list[str]:
    """The names (index entries) of a Series' maximum (or minimum), all of them on a tie."""
    target = values.max() if largest else values.min()
    return [str(name) for name in values.index[values == target]]


RETURNED_NONE = "your function returned None: did you forget `return`?"
STUB_HINT = (
    "your function still raises NotImplementedError: write its body, run its cell, then run "
    "this check again."
)


class ReturnedWrong(Exception):
    """What the learner's function returned cannot be checked (raised by the checkers'
    adapters, e.g. a pair expected); the message says what came back."""


def described(value) -> str:
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} value(s)"
    return f"{type(value).__name__} {value!r:.60}"


def _returned_problem(got, expected) -> str | None:
    """Why ``got`` has the wrong kind of value for ``expected`` (None, text for a number,
    floats for integer indices), in words a learner can act on; None when the kind fits."""
    if got is None and expected is not None:
        return RETURNED_NONE
    expected_kind = np.asarray(expected).dtype.kind if expected is not None else ""
    if expected_kind not in "iufb":
        return None
    if is_text(got):
        return (
            f"your function returned text ({got!r:.60}), not numbers: return the number itself "
            "(text breaks the next line that computes with it)."
        )
    try:
        got_kind = np.asarray(got).dtype.kind
    except (TypeError, ValueError):
        return None
    if expected_kind in "iu" and got_kind == "f":
        return (
            "your function returned floats where whole numbers are expected (indices or "
            "counts): return integers, e.g. with .astype(int); floats cannot index an array."
        )
    return None


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong implementation and the hint that names it."""

    wrong: Callable
    hint: str


def _matches(got, expected) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and np.allclose(
        got, expected, rtol=1e-5, atol=1e-6, equal_nan=True
    )


def _shape(value) -> tuple:
    try:
        return np.shape(value)
    except (TypeError, ValueError):
        return ()


def check_function(
    learner: Callable,
    cases: Sequence[tuple],
    reference: Callable | Sequence,
    mistakes: Sequence[Mistake] = (),
    praise: str = "it matches the reference on every hidden input.",
    copy_inputs: bool = True,
) -> bool:
    """Run ``learner(*case)`` on each hidden case against the reference (a function of the
    case, or one expected value per case); on the first difference, name the matching mistake
    (or the shapes) as the hint. Inputs are deep-copied unless ``copy_inputs`` is False
    (Keras models), so a learner's in-place change cannot alter the check."""
    if learner is None:
        print("No answer yet: write the function in the cell above and pass it here.")
        return False

    def fresh(case):
        return copy.deepcopy(case) if copy_inputs else case

    for i, case in enumerate(cases):
        expected = reference(*fresh(case)) if callable(reference) else reference[i]
        try:
            got = learner(*fresh(case))
        except NotImplementedError:
            return report(False, praise, STUB_HINT)
        except ReturnedWrong as error:  # an adapter could not use what the function returned
            return report(False, praise, str(error))
        except Exception as error:  # the learner's code: any error becomes a hint
            return report(False, praise, f"your function raised {type(error).__name__}: {error}")
        problem = _returned_problem(got, expected)
        if problem:
            return report(False, praise, problem)
        if _matches(got, expected):
            continue
        suspects = [m for m in mistakes if _matches(got, m.wrong(*fresh(case)))]
        if len(suspects) > 1:  # e.g. True/False answers: keep the mistake true on every case
            answers = [quietly(learner, fresh(c)) for c in cases]
            suspects = [
                m
                for m in suspects
                if all(_matches(a, m.wrong(*fresh(c))) for a, c in zip(answers, cases, strict=True))
            ] or suspects
        if suspects:
            return report(False, praise, suspects[0].hint)
        return report(False, praise, difference(got, expected, case))
    return report(True, praise, "")


def describe_case(case: Sequence) -> str:
    """A hidden input in words, without its values: ``an array (20, 3) and 4``."""
    parts = []
    for value in case:
        if isinstance(value, np.ndarray):
            parts.append(f"an array {value.shape}")
        elif callable(value):
            parts.append("a function")
        elif isinstance(value, list | tuple):
            parts.append(f"a {type(value).__name__} of {len(value)}")
        else:
            parts.append(repr(value) if np.ndim(value) == 0 else type(value).__name__)
    return " and ".join(parts) if parts else "no arguments"


def difference(got, expected, case: Sequence = ()) -> str:
    """What differs between a learner's result and the expected one, in words a learner can
    act on, never the whole answer: a shape, a family of mistakes (transposed, sign, a
    constant factor or offset, off by one, the right values in another order), or else the
    first entry that differs, with its expected and given value."""
    on = f"on the hidden input {describe_case(case)}"
    got_shape, want_shape = _shape(got), _shape(expected)
    if got_shape != want_shape:
        if len(want_shape) == 2 and got_shape == want_shape[::-1]:
            return f"transposed {on}: expected shape {want_shape}, got {got_shape}."
        return f"wrong shape {on}: expected {want_shape}, got {got_shape}."
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    family = _mistake_family(got, expected)
    if family:
        return f"{family} ({on})."
    wrong = ~np.isclose(got, expected, rtol=1e-5, atol=1e-6, equal_nan=True)
    if expected.ndim == 0:
        return f"{on} the result should be {expected:.4g}, got {got:.4g}."
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (
        f"{on}, entry {first} should be {expected[first]:.4g} but is {got[first]:.4g} "
        f"({int(wrong.sum())} of {wrong.size} entries differ)."
    )


def _mistake_family(got: np.ndarray, expected: np.ndarray) -> str | None:
    """The usual families of wrong results, recognised on any exercise."""

    def close(a, b):
        return bool(np.allclose(a, b, rtol=1e-5, atol=1e-6))

    if close(got, 0) and not close(expected, 0):
        return "every value is 0: does the function fill in its result (or return the wrong array)?"
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and close(got, expected.T):
        return "transposed: rows and columns swapped"
    if close(got, -expected) and not close(expected, 0):
        return "the sign is flipped"
    if expected.size > 1 and close(np.sort(got, axis=None), np.sort(expected, axis=None)):
        return "the right values in another order"
    if expected.size > 1 and close(got - expected, (got - expected).ravel()[0]):
        shift = float((got - expected).ravel()[0])
        if np.allclose(np.round(expected), expected) and abs(shift) == 1:
            return f"off by one: every value is {shift:+.0f} from the expected one"
        return f"every value is off by the same {shift:+.4g}: a missing or extra term?"
    nonzero = np.abs(expected) > 1e-9
    if expected.size > 1 and nonzero.sum() > 1 and close(got[~nonzero], 0):
        ratios = got[nonzero] / expected[nonzero]
        if close(ratios, ratios[0]) and not np.isclose(ratios[0], 1):
            return (
                f"every value is {ratios[0]:.4g} times the expected one: a sum instead of a "
                "mean, a missing normalisation, or the other way round?"
            )
    return None


def quietly(learner, case):
    try:
        return learner(*case)
    except Exception:  # the learner's code; only used to tell mistakes apart
        return None
