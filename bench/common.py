"""Shared bench utilities: timing and peak memory of a call."""

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
