"""Speed of the synthetic catalog: rendering throughput (images/s at 256 px) and full synthesis.

Prints the median of several repeats for 1 process and for ``--workers`` processes (wall clock), the
single-process rate by CPU time (robust when other jobs share the machine), plus the time
to draw items (attributes, titles, queries) and, with ``--full``, end-to-end ``synthesise`` (which also
standardises, encodes PNGs and writes the cache). Optionally writes a sample grid PNG.

    python benchmarks/synth_speed.py                      # render speed, 1 and 2 processes
    python benchmarks/synth_speed.py --n 800 --repeats 7 --full
    python benchmarks/synth_speed.py --grid docs/synth_grid.png
"""

from __future__ import annotations

import argparse
import statistics
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
    args = parser.parse_args()

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
            print(f"synthesise end to end ({args.workers} workers, incl. standardise + PNG + cache): "
                  f"{rate:.0f} items/s")
    if args.grid:
        write_grid(args.grid, args.seed, rows=4, cols=6, size=112)


if __name__ == "__main__":
    main()
