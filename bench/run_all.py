"""Run every benchmark in bench/ (each prints its own ratios); `make bench`."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    selected = sys.argv[1:]
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        print(f"\n=== {path.stem} ===", flush=True)
        runpy.run_path(str(path), run_name="__main__")
