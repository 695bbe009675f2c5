"""Classroom sizing: each notebook kernel's peak memory and CPU seconds in the quick profile,
a Jupyter server's own memory, and from them how many learners a machine serves at once.

Each notebook runs alone, all its cells, in a fresh kernel (nbclient, as ``make course``
runs it, with every core); after its last cell the kernel's peak resident memory (VmHWM in
/proc) and its CPU seconds (user + system, all threads) are read. A learner holds one Jupyter
server (measured idle, as JupyterHub starts one per learner) and one running kernel at a time
(a kernel left running in another tab counts again). Learners per machine follow The Littlest
JupyterHub's rule, memory = learners x memory per learner + 128 MB for the hub, with 1 GB more
kept for the system. Linux only (/proc).

    .venv/bin/python bench/run_all.py bench_classroom
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("COURSE_PROFILE", "quick")

import importlib.util  # noqa: E402

import nbformat  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("run_course", ROOT / "scripts" / "run_course.py")
run_course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_course)  # its kernel client, which never misses a reply
MACHINES_GB = (8, 16, 32)
HUB_MB = 128  # The Littlest JupyterHub's allowance for the hub itself
SYSTEM_MB = 1024  # the operating system and its services, kept free
TICKS = os.sysconf("SC_CLK_TCK")


def peak_mb(pid: int) -> float:
    """The peak resident memory of process ``pid`` so far, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure_notebook(path: Path) -> tuple[float, float, float]:
    """Run ``path`` in a fresh kernel as ``make course`` does; its peak MB, CPU seconds and
    wall seconds."""
    notebook = nbformat.read(path, as_version=4)
    kernel = AsyncKernelManager(kernel_name="python3")
    kernel.client_factory = run_course.PromptKernelClient
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=run_course.CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        pid = client.km.provisioner.pid
        return peak_mb(pid), cpu_seconds(pid), time.perf_counter() - start


def server_mb() -> float:
    """The resident memory of an idle Jupyter server (JupyterLab's), once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1"]
    command += [f"--port={port}", "--IdentityProvider.token=", f"--ServerApp.root_dir={ROOT}"]
    command += ["--allow-root"]  # refused as root otherwise (containers, CI)
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(2)  # let it finish loading its extensions
        return peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def learners(machine_gb: int, per_learner_mb: float) -> int:
    """Learners a machine of ``machine_gb`` serves at once."""
    return int((machine_gb * 1024 - SYSTEM_MB - HUB_MB) // per_learner_mb)


def main() -> None:
    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        peak, cpu, wall = measure_notebook(path)
        rows.append((path.stem, peak, cpu, wall))
        print(
            f"{path.stem:<24} peak {peak:6.0f} MB  CPU {cpu:5.1f} s  wall {wall:5.1f} s", flush=True
        )
    server = server_mb()
    heaviest = max(rows, key=lambda row: row[1])
    per_learner = heaviest[1] + server
    print(f"Jupyter server (one per learner, idle): {server:.0f} MB")
    print(
        f"per learner: {per_learner:.0f} MB (the heaviest kernel, {heaviest[0]}, + the server); "
        f"CPU for the whole course: {sum(row[2] for row in rows):.0f} s"
    )
    for gb in MACHINES_GB:
        print(f"{gb:>3} GB machine: {learners(gb, per_learner)} learners at once")


if __name__ == "__main__":
    main()
