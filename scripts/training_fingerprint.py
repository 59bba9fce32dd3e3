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

With a catalog folder as the only argument, every model trains on that catalog instead of a freshly
synthesised 64-item one: give both runs the same folder when the change touches how catalogs are written
(their bytes, and so the catalog hash a checkpoint records, follow the PNG writer).
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


def checkpoint_digests(obj) -> dict[str, str]:
    """Hashes of a checkpoint's tensors and, apart, of its other values (step, names, the catalog's hash),
    each in key order (the zip container's metadata left out). They are apart because the catalog hash
    follows the PNG bytes the catalog was written with, not the training (issue 20 changed the writer)."""
    tensors, values = io.BytesIO(), io.BytesIO()

    def walk(node, prefix: str) -> None:
        if isinstance(node, torch.Tensor):
            tensors.write(prefix.encode())
            tensors.write(node.detach().cpu().contiguous().numpy().tobytes())
        elif isinstance(node, dict):
            for key in sorted(node, key=str):
                walk(node[key], f"{prefix}/{key}")
        elif isinstance(node, (list, tuple)):
            for index, item in enumerate(node):
                walk(item, f"{prefix}/{index}")
        elif isinstance(node, (int, float, str, bool)) or node is None:
            values.write(f"{prefix}={node!r}".encode())

    walk(obj, "")
    return {"checkpoint_tensors": digest(tensors.getvalue()), "checkpoint_values": digest(values.getvalue())}


def main(given_catalog: str | None = None) -> None:
    out: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(given_catalog).resolve() if given_catalog else Path(tmp) / "catalog"
        if not given_catalog:
            ganbench("data", "synth", "--out", str(catalog), "--n", "64", "--seed", "1", "--workers", "1")
        for model in MODELS:
            run_dir = Path(tmp) / model
            sets = [arg for setting in SETTINGS for arg in ("--set", setting)]
            ganbench("train", "--model", model, "--catalog", str(catalog), "--out", str(run_dir), *sets)
            checkpoint = torch.load(run_dir / "checkpoint.pt", map_location="cpu", weights_only=True)
            out[model] = {"losses": losses_digest(run_dir / "log.jsonl")} | checkpoint_digests(checkpoint)
            print(model, out[model], file=sys.stderr)
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
