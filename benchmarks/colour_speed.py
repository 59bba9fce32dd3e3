"""Speed of colorspace's sRGB -> Lab and CIEDE2000 against colour-science on a million pixels.

Usage:
  python benchmarks/colour_speed.py            # 1e6 pixels, 7 runs each, 2 threads
  python benchmarks/colour_speed.py --pixels 200000 --repeats 3

Prints median and best seconds for each implementation and the ratios (colour-science / ours) for
float pixels and for uint8 pixels (image data; decoded through a 256-entry table), the largest Lab
disagreement, and the time of a dominant colour on a 256 px image with and without pixel
deduplication. On a shared machine the best-of-N is the steadier figure.
"""

from __future__ import annotations

import os

# OpenMP threads that spin while waiting lose their time slice to other processes on a shared machine, and
# every torch operation then waits for one: up to 8x slower on 2 busy cores. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorspace import delta_e, dominant_colour, lab_to_srgb, srgb_to_lab  # noqa: E402
from colorspace.convert import srgb_to_lab_tensor  # noqa: E402
from colorspace.reference import delta_e_reference, srgb_to_lab_reference  # noqa: E402


def timings(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, best) wall seconds over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def report(title: str, reference: tuple[float, float], ours: dict[str, tuple[float, float]]) -> None:
    print(title)
    print(f"  colour-science         median {reference[0]:.4f} s  best {reference[1]:.4f} s")
    for name, (median, best) in ours.items():
        ratio = f"ratio median {reference[0] / median:.1f}x  best {reference[1] / best:.1f}x"
        print(f"  {name:<22} median {median:.4f} s  best {best:.4f} s  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--pixels", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}")
    rng = np.random.default_rng(0)
    rgb64 = rng.random((args.pixels, 3))
    rgb32 = rgb64.astype(np.float32)
    tensor32 = torch.from_numpy(rgb32)
    srgb_to_lab(rgb32[:1000])  # warm-up
    srgb_to_lab_reference(rgb64[:1000])

    reference = timings(lambda: srgb_to_lab_reference(rgb64), args.repeats)
    ours = {
        "colorspace numpy f32": timings(lambda: srgb_to_lab(rgb32), args.repeats),
        "colorspace torch f32": timings(lambda: srgb_to_lab_tensor(tensor32), args.repeats),
    }
    title = f"sRGB->Lab, {args.pixels:,} float px, {args.threads} threads, {args.repeats} runs:"
    report(title, reference, ours)
    truth = srgb_to_lab_reference(rgb64)
    print(f"  max |Lab difference| numpy {np.abs(srgb_to_lab(rgb32) - truth).max():.2e}"
          f"  torch {np.abs(srgb_to_lab_tensor(tensor32).numpy() - truth).max():.2e}")
    uint8_figures(rng, args.pixels, args.repeats)

    lab1, lab2 = truth, srgb_to_lab_reference(rng.random((args.pixels, 3)))
    t1, t2 = torch.from_numpy(lab1).float(), torch.from_numpy(lab2).float()
    reference = timings(lambda: delta_e_reference(lab1, lab2), args.repeats)
    ours = {"colorspace torch f32": timings(lambda: delta_e(t1, t2), args.repeats)}
    report(f"CIEDE2000, {args.pixels:,} pairs:", reference, ours)
    dominant_figures(args.repeats)


def uint8_figures(rng: np.random.Generator, pixels: int, repeats: int) -> None:
    """sRGB->Lab of image pixels (uint8); colour-science is timed from the uint8 array (incl. / 255)."""
    rgb8 = rng.integers(0, 256, (pixels, 3), dtype=np.uint8)
    tensor8 = torch.from_numpy(rgb8)
    reference = timings(lambda: srgb_to_lab_reference(rgb8 / 255.0), repeats)
    ours = {
        "colorspace numpy u8": timings(lambda: srgb_to_lab(rgb8), repeats),
        "colorspace torch u8": timings(lambda: srgb_to_lab_tensor(tensor8), repeats),
    }
    report(f"sRGB->Lab, {pixels:,} uint8 px:", reference, ours)
    truth = srgb_to_lab_reference(rgb8 / 255.0)
    print(f"  max |Lab difference| numpy {np.abs(srgb_to_lab(rgb8) - truth).max():.2e}"
          f"  torch {np.abs(srgb_to_lab_tensor(tensor8).numpy() - truth).max():.2e}")


def dominant_figures(repeats: int) -> None:
    """Dominant colour of a 256 px product-like image: deduplicated (the library) vs k-means on all pixels."""
    from sklearn.cluster import KMeans

    from colorspace.dominant import region_to_measure

    size = 256
    y, x = np.mgrid[0:size, 0:size] / size
    garment = (np.abs(x - 0.5) < 0.3) & (y > 0.1) & (y < 0.9)
    lab = np.where(garment[..., None], [[[30.0, 5.0, -30.0]]], [[[96.0, 0.5, 3.0]]])
    lab[..., 0] += garment * 6 * np.cos(12 * x)
    image = lab_to_srgb(lab, as_uint8=True).astype(np.int16)
    image += np.random.default_rng(0).integers(-3, 4, image.shape, dtype=np.int16)
    image = np.clip(image, 0, 255).astype(np.uint8)
    dominant_colour(image)  # warm-up (imports)
    ours = timings(lambda: dominant_colour(image), repeats)
    pixels_lab = srgb_to_lab(image[region_to_measure(image)[0]])
    naive = timings(lambda: KMeans(4, n_init=3, random_state=0).fit(pixels_lab), repeats)
    print(f"Dominant colour, {size} px image ({len(pixels_lab):,} foreground pixels):")
    rows = (("colorspace.dominant_colour (dedup)", ours), ("k-means on every pixel", naive))
    for name, (median, best) in rows:
        print(f"  {name:<36} median {median * 1000:.1f} ms  best {best * 1000:.1f} ms")


if __name__ == "__main__":
    main()
