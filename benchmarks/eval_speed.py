"""How long the evaluation takes, and how accurate the evaluation network is, on a synthetic catalog.

Usage:
  python benchmarks/eval_speed.py --catalog catalogs/synth            # an existing catalog
  python benchmarks/eval_speed.py --synth 2000 --work /tmp/evalbench  # synthesise one first
  python benchmarks/eval_speed.py --catalog C --run runs/restgan --n-samples 2000

Steps, each timed: (1) train the catalog's evaluation network (``--retrain`` forces it; otherwise a
stored one is reused) and print its per-head test accuracy; (2) without ``--run``, train a tiny ReStGAN
run (64 -> 128 px, a few steps: only its generator's speed matters here); (3) ``ganbench eval`` of that
run for ``--n-samples`` query streams, printing the evaluation's own split (generation, features, metrics)
and the total. The second evaluation reuses the cached real-image features, as a repeated eval would.
Threads default to 2 (the reference machine). On a shared machine, run it alone.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch


def _timed(label: str, function):
    start = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - start:.1f} s")
    return result


def _catalog(args: argparse.Namespace) -> Path:
    if args.catalog:
        return Path(args.catalog)
    from ganbench.data.synth import synthesise

    out = Path(args.work) / f"synth{args.synth}"
    if not (out / "manifest.json").is_file():
        _timed(
            f"synthesise {args.synth} items",
            lambda: synthesise(out, args.synth, seed=0, workers=args.threads),
        )
    return out


def _tiny_run(catalog: Path, work: Path) -> Path:
    from ganbench.config import load_config
    from ganbench.train.runs import train_run

    run_dir = work / "restgan_tiny"
    if (run_dir / "checkpoint.pt").is_file():
        return run_dir
    overrides = [
        'model.name="restgan"',
        f'data.catalog="{catalog}"',
        "data.stage1_size=64",
        "data.stage2_size=128",
        "train.batch_size=8",
        "train.stage1_steps=2",
        "train.stage2_steps=2",
        'train.device="cpu"',
        "train.sample_every=1000",
        "train.checkpoint_every=1000",
    ]
    config = load_config(None, overrides)
    return _timed("train a tiny restgan run", lambda: train_run(config, run_dir))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalog", help="existing catalog folder")
    parser.add_argument("--synth", type=int, default=2000, help="items to synthesise when no --catalog")
    parser.add_argument("--work", default="/tmp/ganbench_eval_speed", help="folder for the catalog and run")
    parser.add_argument("--run", help="existing run folder to evaluate (default: train a tiny restgan run)")
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--retrain", action="store_true", help="retrain the evaluation network")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    Path(args.work).mkdir(parents=True, exist_ok=True)

    import colorspace
    from ganbench.data.catalog import Catalog
    from ganbench.eval.evalnet_train import ensure_eval_net, format_report
    from ganbench.eval.evaluate import evaluate_run

    catalog = Catalog.open(_catalog(args))
    lookup = colorspace.default_lookup()
    net = _timed(
        "evaluation network (train or reuse)",
        lambda: ensure_eval_net(catalog, lookup, force=args.retrain, log=lambda _: None),
    )
    print(format_report(net.report))
    print(f"eval-net training time recorded with it: {net.report.get('train_seconds')} s")
    run_dir = Path(args.run) if args.run else _tiny_run(catalog.root, Path(args.work))
    for attempt in ("first (extracts real features)", "second (cached real features)"):
        metrics = _timed(
            f"ganbench eval, {args.n_samples} samples, {attempt}",
            lambda: evaluate_run(run_dir, catalog, args.n_samples, 0, lookup=lookup, log=lambda _: None),
        )
        print("  split:", json.dumps(metrics["timing"]))


if __name__ == "__main__":
    main()
