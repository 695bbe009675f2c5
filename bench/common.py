"""Shared bench utilities: timing and peak memory of a call, and interleaved repeats."""

from __future__ import annotations

import time
import tracemalloc


def measure(function, *args, **kwargs):
    """Run ``function`` once; return (result, seconds, peak MB of Python/NumPy allocations)."""
    tracemalloc.start()
    start = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def fastest_interleaved(calls: dict, repeats: int = 3) -> dict:
    """Best-of-``repeats`` seconds per named call, the calls taking turns, so a slow spell of
    a shared machine hits all of them rather than one. ``calls`` maps name -> zero-arg call."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
