"""Training speed: images per second of one full discriminator + generator iteration.

Measures (1) every registered model at the CPU configuration (its default options; the image sizes,
batch size and step budget of ``[data]`` / ``[train]``, or of an experiment file's ``[config]`` with
``--experiment``), per training phase; (2) our Stage-I at the official StackGAN-Pytorch architectures
(GF_DIM 128 / DF_DIM 64 and GF_DIM 32 / DF_DIM 32, batch 64, 64 px); each in the ``--modes`` asked for
(fp32, fp32 + channels_last, bf16 autocast + channels_last), on a synthetic batch whose query streams have
3.5 steps on average, as the synthetic catalog's. FLOPs per iteration are counted with
``torch.utils.flop_counter.FlopCounterMode`` in a first untimed iteration (which also warms up); the
fraction of peak compares the achieved FLOP rate with a large matmul measured here in the same dtype.
Figures are medians over ``--iters`` timed iterations after ``--warmup`` further untimed ones.

On a shared machine wall-clock figures drop with the load (printed; the script sets
OMP_WAIT_POLICY=PASSIVE unless it is set: spinning OpenMP threads collapse under load), so the CPU time
per iteration (all threads) is printed too: it barely moves with the load and is the figure to compare
between two versions of the code. With ``--experiment`` the training time of the whole experiment is
estimated from the medians (steps x seconds per iteration, per model and phase), and its CPU time: on an
otherwise idle machine the wall time is about the CPU time divided by the threads' parallel efficiency.
``img/s`` counts batch items; models that draw one image per query step (ReStGAN, stackgan-prefix)
generate about 3.5 images per item. Not a test. To see an AVX2-only CPU's speed on one with AVX-512,
run with ONEDNN_MAX_CPU_ISA=AVX2.

\b
    python benchmarks/train_speed.py                       # everything, about 3 minutes on 2 cores
    python benchmarks/train_speed.py --models restgan --iters 5 --skip-official
    python benchmarks/train_speed.py --experiment experiments/quick.toml --modes fp32 --skip-official
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

from ganbench.config import RunConfig, TrainConfig  # noqa: E402
from ganbench.data.batches import TextPolicy, encode_for_generation, model_vocabulary  # noqa: E402
from ganbench.data.text import Vocabulary, tokenize  # noqa: E402
from ganbench.models.base import ModelContext  # noqa: E402
from ganbench.models.registry import available_models, get_model  # noqa: E402
from ganbench.run.experiment import load_experiment  # noqa: E402
from ganbench.train.precision import Precision, bf16_supported  # noqa: E402
from ganbench.train.trainer import phase_schedule, to_device  # noqa: E402

# 3.5 steps per stream on average, as in the synthetic catalog (3.57 over 600 items)
QUERIES = [["women's black pants", "petite", "capri"],
           ["men's navy blue jeans", "slim", "distressed", "cuffed"],
           ["women's red shorts", "slim", "short"],
           ["men's khaki pants", "relaxed", "cargo pockets", "full"]]
TITLES = ["women's black skinny pants petite capri", "men's navy blue slim jeans distressed 32w x 30l",
          "women's red bermuda shorts cuffed", "men's khaki relaxed cargo pants"]
OFFICIAL = {"official GF128/DF64": {"gf_dim": 128, "df_dim": 64},
            "official GF32/DF32": {"gf_dim": 32, "df_dim": 32}}
# the rest of StackGAN-Pytorch's Stage-I: z 100, CA code 128, 1024-d text embedding
OFFICIAL_COMMON = {"z_dim": 100, "condition_dim": 128, "text_dim": 1024, "embedding_dim": 256}


class StandInLookup:
    """Two colour clusters for models whose colour model needs a lookup (speed does not depend on it)."""

    n_clusters, cluster_names = 2, ["dark", "bright"]
    terms, hash = ["black", "red", "khaki"], "stand-in"

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
    known = set(options_class.model_fields)
    options = options_class(**{k: v for k, v in overrides.items() if k in known})
    torch.manual_seed(0)
    return get_model(name)(options, synthetic_context(sizes)), options


@dataclasses.dataclass(frozen=True)
class Mode:
    name: str
    bf16: bool
    channels_last: bool


MODES = {"fp32": Mode("fp32", False, False), "fp32-cl": Mode("fp32-cl", False, True),
         "bf16-cl": Mode("bf16-cl", True, True)}


@dataclasses.dataclass(frozen=True)
class Timing:
    seconds: float  # wall clock per iteration (median)
    cpu_seconds: float  # CPU time of all threads per iteration (median)
    gflop: float  # per iteration


def measure(name: str, sizes: tuple[int, int], batch_size: int, phase: str, mode: Mode, overrides: dict,
            iters: int, warmup: int) -> Timing:
    """Wall and CPU time and FLOPs of one iteration of ``phase`` in ``mode``."""
    model, options = build(name, sizes, overrides)
    precision = Precision(torch.device("cpu"), torch.bfloat16 if mode.bf16 else None)
    if mode.channels_last:
        model = model.to(memory_format=torch.channels_last)
    model.configure_optimizers(TrainConfig())
    model.train()
    batch = to_device(synthetic_batch(model.context, batch_size, model.text_policy()), precision.device,
                      mode.channels_last)
    counter = FlopCounterMode(display=False)
    with counter, precision.autocast():
        model.train_step(batch, 0, phase)
    walls, cpus = [], []
    for step in range(warmup + iters):
        wall, cpu = time.perf_counter(), time.process_time()
        with precision.autocast():
            model.train_step(batch, step + 1, phase)
        if step >= warmup:
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), counter.get_total_flops() / 1e9)


def report(label: str, phase: str, mode: Mode, batch_size: int, timing: Timing, peaks: dict[bool, float]
           ) -> None:
    achieved = timing.gflop / timing.seconds
    print(f"{label:<22} {phase:<7} {mode.name:<8} {batch_size / timing.seconds:9.1f} "
          f"{1000 * timing.cpu_seconds:10.0f} {timing.gflop:11.1f} {achieved:9.1f} "
          f"{100 * achieved / peaks[mode.bf16]:8.1f}%", flush=True)


HEADER = (f"{'model':<22} {'phase':<7} {'mode':<8} {'img/s':>9} {'cpu ms/it':>10} {'GFLOP/iter':>11} "
          f"{'GFLOP/s':>9} {'of peak':>9}")


@dataclasses.dataclass(frozen=True)
class Budget:
    """Image sizes, batch size and the settings the phases count their steps with, from the defaults or
    an experiment file (its first cell's settings)."""

    sizes: tuple[int, int]
    batch_size: int
    config: RunConfig
    source: str

    @property
    def steps(self) -> dict[str, int]:
        return {"stage1": self.config.train.stage1_steps, "stage2": self.config.train.stage2_steps}


def budget_of(experiment: str | None) -> Budget:
    config = load_experiment(experiment).cells[0].config if experiment else RunConfig()
    data = config.data
    return Budget((data.stage1_size, data.stage2_size), config.train.batch_size, config,
                  experiment or "defaults")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=2, help="timed iterations per measurement (median)")
    parser.add_argument("--warmup", type=int, default=0, help="untimed iterations after the FLOP count")
    parser.add_argument("--models", default="", help="comma-separated model names (default: all registered)")
    parser.add_argument("--experiment", default=None,
                        help="take sizes, batch size and steps from this experiment file (its first "
                             "cell) and estimate its training time")
    parser.add_argument("--modes", default="",
                        help=f"comma-separated, of {', '.join(MODES)} (default: all, bf16 where supported)")
    parser.add_argument("--skip-official", action="store_true", help="skip the official-architecture rows")
    parser.add_argument("--official-only", action="store_true", help="only the official-architecture rows")
    parser.add_argument("--official-batch", type=int, default=64, help="batch size of the official rows")
    args = parser.parse_args()

    bf16 = bf16_supported(torch.device("cpu"))
    modes = [MODES[m] for m in args.modes.split(",") if m]
    modes = modes or [m for m in MODES.values() if bf16 or not m.bf16]
    peaks = {bf: matmul_peak(torch.bfloat16 if bf else torch.float32) for bf in {m.bf16 for m in modes}}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average "
          f"{os.getloadavg()[0]:.1f}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY'] or 'unset'}, "
          f"ONEDNN_MAX_CPU_ISA={os.environ.get('ONEDNN_MAX_CPU_ISA', 'unset')}, native bf16: {bf16}; "
          "matmul peak: " + ", ".join(f"{'bf16' if k else 'fp32'} {v:.0f} GFLOP/s" for k, v in peaks.items()))
    budget = budget_of(args.experiment)
    print(f"budget ({budget.source}): {budget.sizes[0]} -> {budget.sizes[1]} px, batch {budget.batch_size}, "
          f"{budget.steps['stage1']} + {budget.steps['stage2']} steps")
    print(HEADER)
    if not args.official_only:
        names = [n for n in args.models.split(",") if n] or list(available_models())
        estimate: dict[str, dict[str, float]] = {m.name: {} for m in modes}
        cpu_total = {m.name: 0.0 for m in modes}
        for name in names:
            model, _ = build(name, budget.sizes, {})
            for phase in phase_schedule(model.phases(), budget.config):
                for mode in modes:
                    timing = measure(name, budget.sizes, budget.batch_size, phase.name, mode, {}, args.iters,
                                     args.warmup)
                    report(name, phase.name, mode, budget.batch_size, timing, peaks)
                    steps = phase.stop - phase.start
                    estimate[mode.name][name] = estimate[mode.name].get(name, 0.0) + steps * timing.seconds
                    cpu_total[mode.name] += steps * timing.cpu_seconds
        if args.experiment:
            for mode_name, seconds in estimate.items():
                models = ", ".join(f"{n} {s / 60:.1f}" for n, s in seconds.items())
                total = sum(seconds.values()) / 60
                print(f"estimated training time, {mode_name}: {total:.1f} min ({models}) at load "
                      f"{os.getloadavg()[0]:.1f}; CPU time {cpu_total[mode_name] / 60:.1f} min over "
                      f"{torch.get_num_threads()} threads")
    if not args.skip_official:
        for label, widths in OFFICIAL.items():
            for mode in modes:
                options = {**OFFICIAL_COMMON, **widths, "residual_blocks": 0}
                timing = measure("stackgan-bow", (64, 128), args.official_batch, "stage1", mode, options,
                                 args.iters, args.warmup)
                report(label, "stage1", mode, args.official_batch, timing, peaks)
        print("official StackGAN-Pytorch Stage-I on this machine kind (from the issue): GF128/DF64 11 img/s "
              "fp32, 28 img/s bf16+CL (659 GFLOP/iter); GF32/DF32 80 / 142 img/s")


if __name__ == "__main__":
    main()
