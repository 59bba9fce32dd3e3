"""Speed of the catalog data layer on 256 px synthetic product photos (prints images per second).

    python benchmarks/data_catalog_speed.py [--n 200]

Measures: background removal by flood fill (RGB only), full standardisation with alpha and without,
and ``write_catalog`` end to end (standardise, PNG, checksums; the uint8 cache is built on first use, not
here). Not part of the tests.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable

import numpy as np

from ganbench.data.standardise import foreground_mask, standardise
from ganbench.data.synth import make_items, render_at
from ganbench.data.writer import write_catalog


def rate(label: str, n: int, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {n / seconds:8.1f} img/s  ({seconds:.2f} s for {n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    items = make_items(0, range(n))
    photos = [render_at(0, i, item) for i, item in enumerate(items)]
    opaque = [np.ascontiguousarray(p[:, :, :3]) for p in photos]
    rate("foreground mask (flood fill, RGB)", n, lambda: [foreground_mask(p) for p in opaque])
    rate("standardise (RGB, flood fill)", n, lambda: [standardise(p) for p in opaque])
    rate("standardise (RGBA, alpha mask)", n, lambda: [standardise(p) for p in photos])
    with tempfile.TemporaryDirectory() as tmp:
        rate("write_catalog (RGBA, no cache)", n,
             lambda: write_catalog(f"{tmp}/catalog", items, iter(photos), "synthetic", seed=0))  # fmt: skip


if __name__ == "__main__":
    main()
