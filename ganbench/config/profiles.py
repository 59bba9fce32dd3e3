"""The CPU-scale defaults: what ``ganbench train`` uses when it is given no ``--config``.

The dataclass defaults of :mod:`ganbench.config.schema` are StackGAN's (64 -> 128 px, batch 32, 2,000 +
2,000 steps, lr 2e-4, EMA 0.999); experiment files build on them. Run by hand on a CPU they would take
hours and still draw noise, so a bare ``ganbench train`` starts from the budget of ``make run``
(experiments/quick.toml's [config]): a few minutes per model on 2 cores, garment-like shapes at the end.
"""

from __future__ import annotations

from typing import Any

CPU_PROFILE_NAME = "the CPU-scale defaults"

CPU_DEFAULTS: dict[str, Any] = {
    "data.stage1_size": 32,
    "data.stage2_size": 64,
    "train.batch_size": 16,
    "train.stage1_steps": 900,
    "train.stage2_steps": 30,
    "train.lr": 1e-3,  # 2e-4 draws noise within 900 steps (experiments/quick.toml)
    "train.ema_decay": 0.95,  # a 0.999 average of 930 steps is still mostly the initial generator
    "train.sample_every": 300,
    "train.checkpoint_every": 100,
}


def cpu_defaults_line() -> str:
    """One line naming the CPU-scale defaults, for ``ganbench train`` without ``--config``."""
    d = CPU_DEFAULTS
    return (f"no --config: using {CPU_PROFILE_NAME} ({d['data.stage1_size']} -> {d['data.stage2_size']} px, "
            f"batch {d['train.batch_size']}, {d['train.stage1_steps']} + {d['train.stage2_steps']} steps, "
            f"lr {d['train.lr']:g}, EMA {d['train.ema_decay']:g}); `ganbench config show` lists every key, "
            "--config FILE or --set KEY=VALUE change them")
