"""Fingerprint a short training of every registered model: hashes of the logged losses and the checkpoint.

Run it before and after a refactor that should not change the numbers (issue 20's settings and library
swaps): the same seed and settings on the same machine must print the same fingerprints. Floating-point
results differ between CPUs (AVX2 against AVX-512) and torch builds, so compare fingerprints from one
machine, never against figures recorded elsewhere. Training runs on one thread: with two, restgan and
stackgan-prefix differed in the last bit of g_adversarial at step 1 between two runs of the same commit
(2-core AMD EPYC Zen 4, 2026-12-03), which a comparison of hashes cannot tell from a real change.

    python scripts/training_fingerprint.py > before.json
    ... change the code ...
    python scripts/training_fingerprint.py > after.json && diff before.json after.json
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
MODELS = ["stackgan-bow", "stackgan-lstm", "stackgan-ac", "stackgan-prefix", "restgan"]
# Small enough for a minute per model on 2 cores, long enough to reach both stages, a learning-rate
# decay step, a checkpoint and a resume-free EMA update.
SETTINGS = ["train.batch_size=8", "train.stage1_steps=12", "train.stage2_steps=6", "train.log_every=1",
            "train.sample_every=1000", "train.checkpoint_every=6", "train.precision=\"fp32\"",
            "train.device=\"cpu\"", "train.seed=3", "train.lr_decay_every=5", "data.stage1_size=32",
            "data.stage2_size=64"]
TIMING_KEYS = {"img_per_s", "seconds", "time", "wall_s", "elapsed_s"}


def ganbench(*args: str) -> None:
    env = os.environ | {"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "ganbench", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def losses_digest(log_path: Path) -> str:
    rows = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    kept = [{k: v for k, v in row.items() if k not in TIMING_KEYS} for row in rows]
    return digest(json.dumps(kept, sort_keys=True).encode())


def tensors_digest(obj) -> str:
    """A hash of every tensor in a checkpoint, in key order (the zip container's metadata left out)."""
    buffer = io.BytesIO()

    def walk(node, prefix: str) -> None:
        if isinstance(node, torch.Tensor):
            buffer.write(prefix.encode())
            buffer.write(node.detach().cpu().contiguous().numpy().tobytes())
        elif isinstance(node, dict):
            for key in sorted(node, key=str):
                walk(node[key], f"{prefix}/{key}")
        elif isinstance(node, (list, tuple)):
            for index, item in enumerate(node):
                walk(item, f"{prefix}/{index}")
        elif isinstance(node, (int, float, str, bool)) or node is None:
            buffer.write(f"{prefix}={node!r}".encode())

    walk(obj, "")
    return digest(buffer.getvalue())


def main() -> None:
    out: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "catalog"
        ganbench("data", "synth", "--out", str(catalog), "--n", "64", "--seed", "1", "--workers", "1")
        for model in MODELS:
            run_dir = Path(tmp) / model
            sets = [arg for setting in SETTINGS for arg in ("--set", setting)]
            ganbench("train", "--model", model, "--catalog", str(catalog), "--out", str(run_dir), *sets)
            checkpoint = torch.load(run_dir / "checkpoint.pt", map_location="cpu", weights_only=True)
            out[model] = {"losses": losses_digest(run_dir / "log.jsonl"),
                          "checkpoint": tensors_digest(checkpoint)}
            print(model, out[model], file=sys.stderr)
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
