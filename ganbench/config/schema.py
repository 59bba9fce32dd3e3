"""The run configuration: one dataclass per TOML section.

Adding a setting is adding a typed field with a default to a section dataclass, with a one-line
docstring under it (``ganbench config show`` prints it), and, where some values are impossible, a line to
its ``check``; the loader validates names and types generically from the annotations. A new section is a
new dataclass plus one field on :class:`RunConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the key, the file and what was expected."""


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


Problems = list[tuple[str, str]]  # (key within the section, sentence)


@dataclass
class DataConfig:
    """[data]: which catalog, at which sizes, read how.

    ``colour_lookup`` is ``"default"`` (colorspace's table over the catalog's colour terms), ``"none"`` (no
    colour clusters: no colour classes, no colour model) or the path of a saved ``LookupTable``.
    """

    catalog: str = ""
    """Catalog folder to train on (`ganbench train --catalog DIR`)."""
    stage1_size: int = 64
    """Stage-I image size in px: a power of two, at least 16."""
    stage2_size: int = 128
    """Stage-II image size in px: a power of two, larger than stage1_size."""
    num_workers: int = 0
    """DataLoader worker processes (0: batches are read in the training process)."""
    colour_lookup: str = "default"
    """'default' (colorspace's table), 'none' (no colour clusters) or a saved lookup table's path."""

    def check(self) -> Problems:
        problems: Problems = []
        for key in ("stage1_size", "stage2_size"):
            size = getattr(self, key)
            if not (_is_power_of_two(size) and size >= 16):
                problems.append((key, f"must be a power of two of at least 16, got {size}"))
        if self.stage2_size <= self.stage1_size:
            problems.append(("stage2_size", f"must be larger than stage1_size ({self.stage1_size}): "
                                            f"Stage-II upsamples Stage-I; got {self.stage2_size}"))
        if self.num_workers < 0:
            problems.append(("num_workers", f"must be 0 or more, got {self.num_workers}"))
        return problems


@dataclass
class ModelConfig:
    """[model]: the registered model's name; [model.options] is checked against its ``options_class``."""

    name: str = ""
    """Registered model (`ganbench models`); `ganbench train --model NAME` sets it."""
    options: Any = None
    """The model's options, [model.options] (`ganbench config show --model NAME`)."""

    def check(self) -> Problems:
        return [] if self.name else [("name", "is required (a registered model, see `ganbench models`)")]


DEFAULT_SAMPLE_QUERIES: list[list[str]] = [
    ["women's black pants", "petite", "capri"],
    ["men's blue jeans", "slim", "distressed"],
    ["women's red shorts", "bermuda", "cuffed"],
    ["men's khaki pants", "relaxed", "cargo pockets"],
]


@dataclass
class TrainConfig:
    """[train]: the optimisation schedule and the harness's levers.

    ``stage1_steps`` / ``stage2_steps`` are generator+discriminator iterations per phase; a model that
    trains both stages jointly gets their sum. ``precision = "auto"`` picks bf16 where the hardware
    supports it. ``sample_queries`` are the fixed query streams drawn at every ``sample_every`` steps.
    ``lr_decay_every`` > 0 multiplies every learning rate by ``lr_decay_factor`` after each that many steps
    of a phase, counted from the phase's start (StackGAN halves it every ``LR_DECAY_EPOCH`` epochs of
    each stage's own training; see ``ganbench.train.schedule``).
    """

    batch_size: int = 32
    """Catalog items per training step (at least 2: mismatching pairs need two)."""
    stage1_steps: int = 2000
    """Stage-I iterations, each one discriminator and one generator update."""
    stage2_steps: int = 2000
    """Stage-II iterations after Stage I (a joint model trains both sums at once)."""
    lr: float = 2e-4
    """Adam learning rate of the generator and the discriminators (StackGAN: 2e-4)."""
    lr_decay_every: int = 0  # 0 = constant learning rate
    """Multiply every learning rate by lr_decay_factor after each N steps of a phase (0: constant)."""
    lr_decay_factor: float = 0.5
    """Factor of each learning-rate decay (StackGAN halves it)."""
    betas: tuple[float, float] = (0.5, 0.999)
    """Adam betas (StackGAN: 0.5, 0.999)."""
    ema_decay: float = 0.999
    """Decay of the generator weights' moving average used for samples and evaluation."""
    precision: Literal["auto", "bf16", "fp32"] = "auto"
    """'auto': bf16 autocast where the hardware has native bf16, else float32."""
    channels_last: bool = True
    """Channels-last images and convolution weights (faster on CPU and CUDA)."""
    sync_batchnorm: bool = False
    """Under torchrun: batch-norm statistics over the global batch (SyncBatchNorm, CUDA only)."""
    seed: int = 0
    """Seed of the weights, the noise and the batch order (same seed and settings, same run)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """'auto': CUDA when available, else the CPU."""
    log_every: int = 10
    """Log losses and img/s (log.jsonl, log.csv, a console line when not on a terminal) every N steps."""
    sample_every: int = 500
    """Draw the sample grid of sample_queries every N steps and at the end of each phase."""
    checkpoint_every: int = 500
    """Save checkpoint.pt every N steps (also at the end and on Ctrl-C)."""
    sample_queries: list[list[str]] = field(default_factory=lambda: [list(q) for q in DEFAULT_SAMPLE_QUERIES])
    """Fixed query streams (each a list of steps) drawn in the sample grids."""

    def check(self) -> Problems:
        problems: Problems = []
        for key in ("batch_size", "log_every", "sample_every", "checkpoint_every"):
            if getattr(self, key) < 1:
                problems.append((key, f"must be at least 1, got {getattr(self, key)}"))
        if self.batch_size < 2:
            problems.append(("batch_size", f"must be at least 2 (mismatching pairs need two items), "
                                           f"got {self.batch_size}"))
        for key in ("stage1_steps", "stage2_steps"):
            if getattr(self, key) < 0:
                problems.append((key, f"must be 0 or more, got {getattr(self, key)}"))
        if self.lr <= 0:
            problems.append(("lr", f"must be positive, got {self.lr}"))
        if self.lr_decay_every < 0:
            problems.append(("lr_decay_every", f"must be 0 (off) or a positive number of steps, "
                                               f"got {self.lr_decay_every}"))
        if not 0 < self.lr_decay_factor <= 1:
            problems.append(("lr_decay_factor", f"must lie in (0, 1], got {self.lr_decay_factor}"))
        if not all(0 <= b < 1 for b in self.betas):
            problems.append(("betas", f"must both lie in [0, 1), got {list(self.betas)}"))
        if not 0 <= self.ema_decay < 1:
            problems.append(("ema_decay", f"must lie in [0, 1), got {self.ema_decay}"))
        queries = self.sample_queries
        if not queries or any(not q or any(not s.strip() for s in q) for q in queries):
            problems.append(("sample_queries", "must be a non-empty list of query streams, each a non-empty "
                                               "list of non-empty steps"))
        return problems


@dataclass
class EvalConfig:
    """[eval]: evaluation settings (the evaluation package may add fields here).

    Not read by any command yet: ``ganbench eval`` takes its settings as options and an experiment file
    from its own [eval] table; the keys are accepted so a run config can record them.
    """

    n_samples: int = 1000
    """Generated images per evaluation."""
    seed: int = 0
    """Seed of the evaluation's noise."""
    inception_weights: str | None = None
    """Path of torch-fidelity's Inception weights for standard FID (unset: the evaluation net's features)."""
    batch_size: int = 50
    """Images per generation batch."""

    def check(self) -> Problems:
        problems: Problems = []
        if self.n_samples < 1:
            problems.append(("n_samples", f"must be at least 1, got {self.n_samples}"))
        if self.batch_size < 1:
            problems.append(("batch_size", f"must be at least 1, got {self.batch_size}"))
        return problems


@dataclass
class RunConfig:
    """The whole configuration of one training run; ``source`` names where it was read from."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    source: str = field(default="<defaults>", compare=False)

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "<dict>") -> RunConfig:
        """Validate a nested dict (as ``tomllib`` returns) into a config; raises :class:`ConfigError`."""
        from ganbench.config.validate import build_run_config

        return build_run_config(values, source)

    def to_dict(self) -> dict[str, Any]:
        from ganbench.config.validate import config_as_dict

        return config_as_dict(self)


SECTIONS: dict[str, type] = {
    "data": DataConfig, "model": ModelConfig, "train": TrainConfig, "eval": EvalConfig,
}
