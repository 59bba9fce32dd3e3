"""Test accuracy and training time of both evaluation networks trained to convergence (issue 19).

Usage:
  python benchmarks/eval_convergence.py --catalog /tmp/synth600   # made by: ganbench data synth --n 600

Trains (``--retrain``: even when stored) the first network with the default [eval.net] and the second
with the default [eval.net2], and prints per-head test accuracy, epochs run, best val accuracy and
seconds. Figures measured with it are in the docstrings of ganbench.eval.convergence (first net, before
and after) and ganbench.eval.evalnet2. Threads default to 2 (the reference machine).
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def _line(name: str, net, seconds: float) -> str:
    heads = net.report["heads"].items()
    accuracy = {h: round(e["accuracy"], 3) for h, e in heads if e["accuracy"] is not None}
    training = {k: v for k, v in net.report.get("training", {}).items() if k != "history"}
    return f"{name}: {seconds:.1f} s, test accuracy {json.dumps(accuracy)}, training {json.dumps(training)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--retrain", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import colorspace
    from ganbench.config import EvalNetOptions, SecondNetOptions
    from ganbench.data.catalog import Catalog
    from ganbench.eval.evalnet2 import ensure_second_net
    from ganbench.eval.evalnet_train import ensure_eval_net

    catalog = Catalog.open(args.catalog)
    lookup = colorspace.open_lookup("default", setting="eval.colour_lookup")
    quiet = print if args.retrain else (lambda _: None)
    start = time.perf_counter()
    first = ensure_eval_net(catalog, lookup, EvalNetOptions(), "cpu", force=args.retrain, log=quiet)
    print(_line("first net", first, time.perf_counter() - start))
    start = time.perf_counter()
    second = ensure_second_net(catalog, lookup, first.classes, SecondNetOptions(), "cpu", log=quiet)
    print(_line("second net", second, time.perf_counter() - start))


if __name__ == "__main__":
    main()
