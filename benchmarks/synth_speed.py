"""Speed of the synthetic catalog: rendering throughput (images/s at 256 px) and full synthesis.

Prints the median of several repeats for 1 process and for ``--workers`` processes (wall clock), the
single-process rate by CPU time (robust when other jobs share the machine), plus the time
to draw items (attributes, titles, queries) and, with ``--full``, end-to-end ``synthesise`` (which also
standardises and encodes the PNGs). Optionally writes a sample grid PNG.

``--cli N`` times what a user waits for: ``ganbench data synth --n N`` as a fresh process, start-up and
imports included, ``--repeats`` times; it prints the median items/s by wall clock and by CPU time (user +
system of the process and its workers: on a shared machine, wall clock drops with the load and CPU time
much less), the CPU model and the load average. ``--src DIR`` runs another source tree (for example an
older commit unpacked with ``git archive``) the same way, for before/after figures.

    python benchmarks/synth_speed.py                      # render speed, 1 and 2 processes
    python benchmarks/synth_speed.py --n 800 --repeats 7 --full
    python benchmarks/synth_speed.py --cli 1000 --repeats 5 [--src /tmp/old-ganbench]
    python benchmarks/synth_speed.py --grid docs/synth_grid.png
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from ganbench.data.synth import make_items, render_images, synthesise


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def render_rate(items: list[dict], seed: int, workers: int) -> tuple[float, float]:
    """Images/s by wall clock, and by this process's CPU time (meaningful for workers=1 only)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in render_images(items, seed, workers):
        pass
    return _rate(len(items), time.perf_counter() - wall), _rate(len(items), time.process_time() - cpu)


def write_grid(path: Path, seed: int, rows: int, cols: int, size: int) -> None:
    """The first rows*cols photos of the catalog with ``seed``, each downscaled to ``size`` px."""
    items = make_items(seed, range(rows * cols))
    tiles = [np.asarray(Image.fromarray(rgba[..., :3]).resize((size, size), Image.LANCZOS))
             for rgba in render_images(items, seed)]  # fmt: skip
    grid = np.concatenate([np.concatenate(tiles[r * cols:(r + 1) * cols], axis=1) for r in range(rows)])
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(path, optimize=True)
    print(f"grid: {path} ({rows}x{cols} at {size} px, {path.stat().st_size / 1024:.0f} KiB)")


def cpu_model() -> str:
    """The CPU's model name (lscpu's "Model name"), or the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cli_run(n: int, seed: int, out: Path, src: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, workers included) of one ``ganbench data synth``
    importing ganbench from the source tree ``src`` (run from ``out``'s folder, so that the current
    folder cannot shadow it)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [sys.executable, "-c", "import sys; from ganbench.cli import main; sys.exit(main())",
               "data", "synth", "--out", str(out), "--n", str(n), "--seed", str(seed), "--overwrite"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=out.parent, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def time_cli(n: int, seed: int, repeats: int, src: Path | None) -> None:
    """Median items/s of the whole command, by wall clock and by CPU time, with the machine's load."""
    load = os.getloadavg()[0]
    tree = (src or Path(__file__).resolve().parents[1]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [cli_run(n, seed, Path(tmp) / "catalog", tree) for _ in range(repeats)]
    wall, cpu = (sorted(r[i] for r in runs) for i in (0, 1))
    which = f"source {tree}"
    print(f"ganbench data synth --n {n} end to end ({which}; start-up included), {repeats} runs on "
          f"{cpu_model()}, {os.cpu_count()} CPUs, load average {load:.1f} before / "
          f"{os.getloadavg()[0]:.1f} after:")
    print(f"  wall clock: median {_rate(n, statistics.median(wall)):.0f} items/s "
          f"({statistics.median(wall):.1f} s; best {_rate(n, wall[0]):.0f}, worst {_rate(n, wall[-1]):.0f})")
    print(f"  CPU time (all processes): median {statistics.median(cpu):.1f} s = "
          f"{_rate(n, statistics.median(cpu)):.0f} items per CPU-second")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=400, help="images per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full", action="store_true", help="also time synthesise() end to end")
    parser.add_argument("--grid", type=Path, help="write a sample grid PNG here")
    parser.add_argument("--cli", type=int, metavar="N", help="only time `ganbench data synth --n N` runs")
    parser.add_argument("--src", type=Path, help="with --cli: run the ganbench source tree in this folder")
    args = parser.parse_args()
    if args.cli:
        time_cli(args.cli, args.seed, args.repeats, args.src)
        return

    make_items(args.seed, range(1))  # warm up: loads the colour vocabularies once
    started = time.perf_counter()
    items = make_items(args.seed, range(args.n))
    print(f"draw items: {_rate(args.n, time.perf_counter() - started):.0f} items/s")
    render_rate(items[:16], args.seed, 1)  # warm up caches (texture tiles, backgrounds)
    for workers in sorted({1, args.workers}):
        wall, cpu = zip(*(render_rate(items, args.seed, workers) for _ in range(args.repeats)), strict=True)
        print(f"render 256 px, {workers} process(es): median {statistics.median(wall):.0f} images/s "
              f"wall clock (min {min(wall):.0f}, max {max(wall):.0f}, {args.repeats} x {args.n} images)")
        if workers == 1:
            print(f"  CPU time of one core: median {statistics.median(cpu):.0f} images/s per core "
                  "(on a shared machine this is the figure that load does not distort)")
    if args.full:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            synthesise(Path(tmp) / "catalog", args.n, args.seed, workers=args.workers)
            rate = _rate(args.n, time.perf_counter() - started)
            print(f"synthesise end to end ({args.workers} workers, incl. standardise + PNG): "
                  f"{rate:.0f} items/s")
    if args.grid:
        write_grid(args.grid, args.seed, rows=4, cols=6, size=112)


if __name__ == "__main__":
    main()
