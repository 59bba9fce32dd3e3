"""Training speed: images per second of one full discriminator + generator iteration.

Measures (1) every registered model at the CPU configuration (its default options, the default image
sizes and batch size of ``[data]`` / ``[train]``), per training phase; (2) our Stage-I at the official
StackGAN-Pytorch architectures (GF_DIM 128 / DF_DIM 64 and GF_DIM 32 / DF_DIM 32, batch 64, 64 px); each
in float32 and in bf16 autocast + channels_last, on a synthetic batch. FLOPs per iteration are counted
with ``torch.utils.flop_counter.FlopCounterMode`` in a first untimed iteration (which also warms up);
the fraction of peak compares the achieved FLOP rate with a large matmul measured here in the same
dtype. Figures are medians over ``--iters`` timed iterations after ``--warmup`` further untimed ones.
The machine's load average is printed too: on a shared machine figures drop with it (the script sets
OMP_WAIT_POLICY=PASSIVE unless it is set: spinning OpenMP threads collapse under load). ``img/s`` counts
batch items; models that draw one image per query step (ReStGAN, stackgan-prefix) generate about three
images per item. Not a test.

\b
    python benchmarks/train_speed.py                       # everything, about 3 minutes on 2 cores
    python benchmarks/train_speed.py --models restgan --iters 5 --skip-official
    python benchmarks/train_speed.py --official-only --official-batch 64
"""

from __future__ import annotations

import os

# Spinning OpenMP threads lose their time slice to other processes on a shared machine, and every op then
# waits for them: measured 6 -> 35 img/s (GF32/DF32 fp32) at load 4-5 on 2 cores. Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from ganbench.config import DataConfig, TrainConfig  # noqa: E402
from ganbench.data.batches import TextPolicy, encode_for_generation, model_vocabulary  # noqa: E402
from ganbench.data.text import Vocabulary, tokenize  # noqa: E402
from ganbench.models.base import ModelContext  # noqa: E402
from ganbench.models.registry import available_models, get_model  # noqa: E402
from ganbench.train.precision import Precision, bf16_supported  # noqa: E402
from ganbench.train.trainer import to_device  # noqa: E402

QUERIES = [["women's black pants", "petite", "capri"], ["men's navy blue jeans", "slim", "distressed"],
           ["women's red shorts", "bermuda", "cuffed"], ["men's khaki pants", "relaxed", "cargo pockets"]]
TITLES = ["women's black skinny pants petite capri", "men's navy blue slim jeans distressed 32w x 30l",
          "women's red bermuda shorts cuffed", "men's khaki relaxed cargo pants"]
OFFICIAL = {"official GF128/DF64": {"gf_dim": 128, "df_dim": 64},
            "official GF32/DF32": {"gf_dim": 32, "df_dim": 32}}
# the rest of StackGAN-Pytorch's Stage-I: z 100, CA code 128, 1024-d text embedding
OFFICIAL_COMMON = {"z_dim": 100, "condition_dim": 128, "text_dim": 1024, "embedding_dim": 256}


class StandInLookup:
    """Two colour clusters for models whose colour model needs a lookup (speed does not depend on it)."""

    n_clusters, cluster_names = 2, ["dark", "bright"]

    def find_terms(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        return [(i, i + 1, t) for i, t in enumerate(tokens) if t in ("black", "red", "khaki")]

    def cluster_of(self, term: str) -> int | None:
        return 0 if term == "black" else 1

    def centroid(self, cluster_id: int) -> tuple[float, float, float]:
        return (20.0, 0.0, 0.0) if cluster_id == 0 else (50.0, 40.0, 30.0)


def matmul_peak(dtype: torch.dtype, n: int = 2048, reps: int = 5) -> float:
    """GFLOP/s of an n x n matmul in ``dtype`` (median of ``reps``)."""
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    a @ b
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def synthetic_context(sizes: tuple[int, int]) -> ModelContext:
    words = [t for text in TITLES + [s for q in QUERIES for s in q] for t in tokenize(text)]
    lookup = StandInLookup()
    names = {"type": ["jeans", "pants", "shorts"], "gender": ["men's", "unisex", "women's"],
             "colour": lookup.cluster_names}
    return ModelContext(vocabulary=model_vocabulary(Vocabulary.build([words]), lookup), lookup=lookup,
                        n_classes={k: len(v) for k, v in names.items()}, class_names=names, image_sizes=sizes)


def synthetic_batch(context: ModelContext, batch_size: int, policy: TextPolicy) -> dict[str, Any]:
    """A batch in the documented format: noise images, real query streams and titles, random labels."""
    generator = torch.Generator().manual_seed(0)
    streams = [QUERIES[i % len(QUERIES)] for i in range(batch_size)]
    batch = encode_for_generation(streams, context.vocabulary, context.lookup,
                                  TextPolicy("query_stream", policy.colour_tokens))
    titles = [context.vocabulary.encode(tokenize(TITLES[i % len(TITLES)])) for i in range(batch_size)]
    width = max(len(t) for t in titles)
    batch["title_tokens"] = torch.tensor([t + [0] * (width - len(t)) for t in titles])
    batch["title_lengths"] = torch.tensor([len(t) for t in titles])
    batch["images"] = {s: torch.rand(batch_size, 3, s, s, generator=generator) * 2 - 1
                       for s in context.image_sizes}
    batch["labels"] = {k: torch.randint(0, n, (batch_size,), generator=generator)
                       for k, n in context.n_classes.items()}
    batch["colour_lab"] = torch.rand(batch_size, 3, generator=generator) * 100
    batch["mismatch_index"] = torch.roll(torch.arange(batch_size), -1)
    return batch


def build(name: str, sizes: tuple[int, int], overrides: dict[str, Any]) -> Any:
    options_class = get_model(name).options_class
    known = {f.name for f in dataclasses.fields(options_class)}
    options = options_class(**{k: v for k, v in overrides.items() if k in known})
    torch.manual_seed(0)
    return get_model(name)(options, synthetic_context(sizes)), options


def measure(name: str, sizes: tuple[int, int], batch_size: int, phase: str, fast: bool, overrides: dict,
            iters: int, warmup: int) -> tuple[float, float]:
    """(seconds per iteration, GFLOP per iteration) of ``phase``; ``fast`` = bf16 autocast + channels_last."""
    model, options = build(name, sizes, overrides)
    precision = Precision(torch.device("cpu"), torch.bfloat16 if fast else None)
    if fast:
        model = model.to(memory_format=torch.channels_last)
    model.configure_optimizers(TrainConfig())
    model.train()
    batch = to_device(synthetic_batch(model.context, batch_size, model.text_policy()), precision.device, fast)
    counter = FlopCounterMode(display=False)
    with counter, precision.autocast():
        model.train_step(batch, 0, phase)
    times = []
    for step in range(warmup + iters):
        start = time.perf_counter()
        with precision.autocast():
            model.train_step(batch, step + 1, phase)
        if step >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times), counter.get_total_flops() / 1e9


def report(label: str, phase: str, fast: bool, batch_size: int, seconds: float, gflop: float,
           peaks: dict[bool, float]) -> None:
    achieved = gflop / seconds
    mode = "bf16+CL" if fast else "fp32"
    print(f"{label:<22} {phase:<7} {mode:<8} {batch_size / seconds:9.1f} {gflop:12.1f} {achieved:10.1f} "
          f"{100 * achieved / peaks[fast]:8.1f}%", flush=True)


HEADER = (f"{'model':<22} {'phase':<7} {'mode':<8} {'img/s':>9} {'GFLOP/iter':>12} {'GFLOP/s':>10} "
          f"{'of peak':>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=2, help="timed iterations per measurement (median)")
    parser.add_argument("--warmup", type=int, default=0, help="untimed iterations after the FLOP count")
    parser.add_argument("--models", default="", help="comma-separated model names (default: all registered)")
    parser.add_argument("--skip-official", action="store_true", help="skip the official-architecture rows")
    parser.add_argument("--official-only", action="store_true", help="only the official-architecture rows")
    parser.add_argument("--official-batch", type=int, default=64, help="batch size of the official rows")
    parser.add_argument("--no-bf16", action="store_true", help="measure float32 only")
    args = parser.parse_args()

    modes = [False] if args.no_bf16 or not bf16_supported(torch.device("cpu")) else [False, True]
    peaks = {False: matmul_peak(torch.float32)}
    if True in modes:
        peaks[True] = matmul_peak(torch.bfloat16)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average "
          f"{os.getloadavg()[0]:.1f}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY'] or 'unset'}; "
          "matmul peak: "
          + ", ".join(f"{'bf16' if k else 'fp32'} {v:.0f} GFLOP/s" for k, v in peaks.items()))
    print(HEADER)
    data, train = DataConfig(), TrainConfig()
    if not args.official_only:
        names = [n for n in args.models.split(",") if n] or list(available_models())
        for name in names:
            model, _ = build(name, (data.stage1_size, data.stage2_size), {})
            for phase in (p.name for p in model.phases()):
                for fast in modes:
                    seconds, gflop = measure(name, (data.stage1_size, data.stage2_size), train.batch_size,
                                             phase, fast, {}, args.iters, args.warmup)
                    report(name, phase, fast, train.batch_size, seconds, gflop, peaks)
    if not args.skip_official:
        for label, widths in OFFICIAL.items():
            for fast in modes:
                options = {**OFFICIAL_COMMON, **widths, "residual_blocks": 0}
                seconds, gflop = measure("stackgan-bow", (64, 128), args.official_batch, "stage1", fast,
                                         options, args.iters, args.warmup)
                report(label, "stage1", fast, args.official_batch, seconds, gflop, peaks)
        print("official StackGAN-Pytorch Stage-I on this machine kind (from the issue): GF128/DF64 11 img/s "
              "fp32, 28 img/s bf16+CL (659 GFLOP/iter); GF32/DF32 80 / 142 img/s")


if __name__ == "__main__":
    main()
