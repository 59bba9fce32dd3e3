"""Catalog PNG encoders compared on standardised 256 px synthetic photos: time per image, a 3,000-item
catalog's encoding time, file sizes, and that every encoder decodes to the same pixels.

    python benchmarks/png_writer_speed.py [--n 100] [--repeats 5] [--catalog 3000] [--levels 1 6]

Encoders: the hand-written Up-filter + ISA-L writer that ``ganbench/data/encode.py`` used until issue 20
(kept here, verbatim in behaviour, as the yardstick; needs ``pip install isal``, skipped without it) and
Pillow's ``Image.save(format="PNG", compress_level=L)`` for each level in ``--levels``. Per image: the
median over ``--repeats`` encodes of each of ``--n`` distinct photos, then the median over photos. The
catalog figure encodes ``--catalog`` images (the ``--n`` photos in turn) once, one process, as
``ganbench data synth --workers 1`` would. Times are this process's CPU time (``time.process_time``), not
wall time: on a shared machine other processes' load would otherwise swamp sub-millisecond figures (both
encoders are single-threaded). Not part of the tests.
"""

from __future__ import annotations

import argparse
import io
import statistics
import struct
import subprocess
import time
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

from ganbench.data.standardise import standardise
from ganbench.data.synth import make_items, render_at

Encoder = Callable[[np.ndarray], bytes]


def _isal_writer() -> Encoder | None:
    """The pre-issue-20 writer: every row Up-filtered (one numpy subtraction), deflated by ISA-L level 2."""
    try:
        from isal import isal_zlib
    except ImportError:
        return None

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    def encode(rgba: np.ndarray) -> bytes:
        height, width, _ = rgba.shape
        flat = np.ascontiguousarray(rgba).reshape(height, width * 4)
        rows = np.empty((height, width * 4 + 1), np.uint8)
        rows[:, 0] = 2
        rows[0, 1:] = flat[0]
        np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])
        header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", isal_zlib.compress(rows.tobytes(), 2)) + chunk(b"IEND", b""))

    return encode


def _pillow_writer(level: int) -> Encoder:
    def encode(rgba: np.ndarray) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=level)
        return buffer.getvalue()

    return encode


def _decoded(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGBA"))


def _median_ms(encode: Encoder, photos: list[np.ndarray], repeats: int) -> float:
    per_photo = []
    for rgba in photos:
        times = []
        for _ in range(repeats):
            start = time.process_time()
            encode(rgba)
            times.append(time.process_time() - start)
        per_photo.append(statistics.median(times))
    return 1000 * statistics.median(per_photo)


def _catalog_seconds(encode: Encoder, photos: list[np.ndarray], count: int) -> float:
    start = time.process_time()
    for index in range(count):
        encode(photos[index % len(photos)])
    return time.process_time() - start


def _cpu_model() -> str:
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no lscpu)"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name")), "unknown")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="distinct synthetic photos (seed 0, items 0..n-1)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--catalog", type=int, default=3000, help="images in the catalog-sized pass")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 6], help="Pillow compress levels")
    args = parser.parse_args()
    photos = [standardise(render_at(0, i, item)) for i, item in enumerate(make_items(0, range(args.n)))]
    encoders: dict[str, Encoder] = {}
    if (isal_encode := _isal_writer()) is not None:
        encoders["Up filter + ISA-L 2 (old)"] = isal_encode
    encoders |= {f"Pillow compress_level={level}": _pillow_writer(level) for level in args.levels}
    print(f"CPU: {_cpu_model()}; {args.n} photos of {photos[0].shape[1]} px, catalog pass of {args.catalog}")
    print(f"{'encoder':<30} {'ms/image':>9} {'catalog s':>10} {'KB/image':>9} {'size ratio':>10}")
    baseline: tuple[float, float] | None = None
    for label, encode in encoders.items():
        pngs = [encode(rgba) for rgba in photos]
        if any(not np.array_equal(_decoded(png), rgba) for png, rgba in zip(pngs, photos, strict=True)):
            raise SystemExit(f"{label}: decoded pixels differ from the encoded array")
        ms = _median_ms(encode, photos, args.repeats)
        seconds = _catalog_seconds(encode, photos, args.catalog)
        kilobytes = sum(len(png) for png in pngs) / len(pngs) / 1024
        baseline = baseline or (ms, kilobytes)
        print(f"{label:<30} {ms:9.2f} {seconds:10.2f} {kilobytes:9.1f} {kilobytes / baseline[1]:10.3f}"
              f"   (time ratio {ms / baseline[0]:.2f})")


if __name__ == "__main__":
    main()
