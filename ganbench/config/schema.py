"""The settings tree: one dataclass per TOML table, each key with its one default and its one check.

``RunConfig`` is the root. Its sections::

    [run]       what `ganbench run` runs: name, models, seeds, the proposed model, catalog recipe,
                per-model overrides, ablation variants (experiment files only)
    [data]      which catalog, at which sizes, which colour lookup table
    [model]     the registered model's name; [model.options] is checked against its ``options_class``
    [train]     the optimisation schedule and the harness's levers
    [eval]      how evaluation samples and scores (also what a run's config.toml records for it)
    [report]    what the report draws and compares
    [launcher]  the resources of cell jobs under submitit or SLURM (experiment files only)

Adding a setting is adding a typed field with a default to a section, with a one-line docstring under
it (``ganbench config show`` prints it), and, where some values are impossible, a line to its
``check``; :mod:`ganbench.config.validate` checks names and types from the annotations, so nothing else
changes. A field whose TOML key is not a Python name (``import``) says
so in ``metadata={"key": ...}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ganbench.config.checks import ConfigError, Problems, at_least
from ganbench.config.run_section import ExperimentConfig

__all__ = ["ConfigError", "DEFAULT_QUERIES", "EXPERIMENT_ONLY", "RUN_SECTIONS", "SECTIONS", "DataConfig",
           "EvalConfig", "EvalNetOptions", "ExperimentConfig", "LauncherConfig", "ModelConfig", "Problems",
           "ReportConfig", "RunConfig", "SLURM_ONLY", "SecondNetOptions", "TrainConfig"]

DEFAULT_QUERIES: tuple[tuple[str, ...], ...] = (
    ("women's black pants", "petite", "capri"),
    ("men's blue jeans", "slim", "distressed"),
    ("women's red shorts", "bermuda", "cuffed"),
    ("men's khaki pants", "cargo pockets", "relaxed"),
)
"""Query streams drawn during training (``train.sample_queries``) and in the report (``report.streams``)."""


def _queries() -> list[list[str]]:
    return [list(stream) for stream in DEFAULT_QUERIES]


def _query_streams_problem(streams: list[list[str]]) -> str | None:
    if not streams or any(not s or any(not step.strip() for step in s) for s in streams):
        return "must be a non-empty list of query streams, each a non-empty list of non-empty steps"
    return None


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


@dataclass
class DataConfig:
    """[data]: which catalog, at which sizes, read how.

    ``colour_lookup`` is ``"default"`` (colorspace's table over the catalog's colour terms), ``"none"`` (no
    colour clusters: no colour classes, no colour tokens) or the path of a saved ``LookupTable``. In an
    experiment ``catalog`` defaults to RESULTS/catalog.
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
        return problems + at_least(self, ("num_workers",), 0)


@dataclass
class ModelConfig:
    """[model]: the registered model's name; [model.options] is checked against its ``options_class``."""

    name: str = ""
    """Registered model (`ganbench models`); `ganbench train --model NAME` sets it."""
    options: Any = None
    """The model's options, [model.options] (`ganbench config show --model NAME`)."""


@dataclass
class TrainConfig:
    """[train]: the optimisation schedule and the harness's levers.

    ``stage1_steps`` / ``stage2_steps`` are the step budgets a model's phases count on (see
    ``GanModel.phases``). ``precision = "auto"`` picks bf16 where the hardware supports it.
    ``sample_queries`` are the fixed query streams drawn every ``sample_every`` steps.
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
    lr_decay_every: int = 0
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
    distributed_timeout_min: int = 30
    """Under torchrun: minutes a collective (NCCL or gloo) waits for a slow or dead rank before failing."""
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
    sample_queries: list[list[str]] = field(default_factory=_queries)
    """Fixed query streams (each a list of steps) drawn in the sample grids."""

    def check(self) -> Problems:
        problems = at_least(self, ("log_every", "sample_every", "checkpoint_every",
                                   "distributed_timeout_min"), 1)
        if self.batch_size < 2:
            problems.append(("batch_size", f"must be at least 2 (mismatching pairs need two items), "
                                           f"got {self.batch_size}"))
        problems += at_least(self, ("stage1_steps", "stage2_steps"), 0)
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
        queries = _query_streams_problem(self.sample_queries)
        return problems + ([("sample_queries", queries)] if queries else [])


@dataclass(frozen=True)
class EvalNetOptions:
    """[eval.net]: training options of the evaluation network (all part of its cache key)."""

    image_size: int = 64
    """Input size in px the network resizes images to."""
    width: int = 16
    """Base channel width (the pooled feature has 8 x width values)."""
    epochs: int = 40
    """Most epochs over the train split: training stops earlier once val accuracy stops improving."""
    patience: int = 4
    """Stop after this many epochs without a better val-split accuracy (the best epoch's weights kept)."""
    min_epochs: int = 10
    """Never stop before this many epochs (early epochs' val accuracy is flat noise on small catalogs)."""
    batch_size: int = 64
    """Training batch size."""
    learning_rate: float = 3e-3
    """AdamW learning rate (cosine decay over epochs)."""
    seed: int = 0
    """Training seed."""

    def check(self) -> Problems:
        problems = at_least(self, ("image_size", "width", "epochs", "patience", "min_epochs", "batch_size"),
                            1)
        if self.learning_rate <= 0:
            problems.append(("learning_rate", f"must be positive, got {self.learning_rate}"))
        return problems


@dataclass(frozen=True)
class SecondNetOptions:
    """[eval.net2]: the second, independent evaluation network (a residual GroupNorm net trained on the
    val split, which no generator trains on; all part of its cache key)."""

    image_size: int = 64
    """Input size in px the network resizes images to."""
    width: int = 16
    """Base channel width (the pooled feature has 8 x width values)."""
    epochs: int = 150
    """Most epochs over 80% of the val split: training stops once the held-out 20% stops improving."""
    patience: int = 15
    """Stop after this many epochs without a better held-out accuracy (the best epoch's weights kept)."""
    min_epochs: int = 40
    """Never stop before this many epochs (few photos: few steps per epoch, early accuracy is noise)."""
    holdout: float = 0.2
    """Seeded fraction of the val split held out for stopping and model selection."""
    max_shift: int = 4
    """Random shifts of up to this many px at image_size (with flips; val is small)."""
    batch_size: int = 16
    """Training batch size."""
    learning_rate: float = 2e-3
    """AdamW learning rate (cosine decay over epochs)."""
    seed: int = 0
    """Training seed (also of the held-out draw)."""

    def check(self) -> Problems:
        problems = at_least(self, ("image_size", "width", "epochs", "patience", "min_epochs", "batch_size"),
                            1)
        problems += at_least(self, ("max_shift",), 0)
        if self.learning_rate <= 0:
            problems.append(("learning_rate", f"must be positive, got {self.learning_rate}"))
        if not 0 <= self.holdout < 1:
            problems.append(("holdout", f"must lie in [0, 1), got {self.holdout}"))
        return problems


@dataclass
class EvalConfig:
    """[eval]: how a run is evaluated; a run's config.toml records it and ``ganbench eval`` starts from it.

    FID/KID use the evaluation network's pooled features unless ``inception_weights`` names a local
    torch-fidelity Inception-v3 file; the colour head's table is ``colour_lookup``, the same for every
    run so evaluations compare.
    """

    n_samples: int | None = None
    """Query streams drawn from the test split (unset: one per test item), rounded to whole passes over
    the test streams so every query counts equally."""
    seed: int = 0
    """Seed of the evaluation's noise."""
    inception_weights: str | None = None
    """Path of torch-fidelity's Inception weights for standard FID (unset: the evaluation net's features)."""
    inception_feature: Literal["64", "192", "768", "2048"] = "2048"
    """Inception layer for FID/KID with inception_weights (smaller layers suit small sample counts)."""
    k: int = 10
    """k of precision@k."""
    batch_size: int = 64
    """Query streams per generate call."""
    device: str = "auto"
    """auto (CUDA when available, else the CPU), cpu, cuda or cuda:N."""
    bootstrap_rounds: int = 200
    """Rounds of the seeded bootstrap behind the spreads."""
    colour_lookup: str = "default"
    """Lookup table of the colour head and colour metrics: 'default' or a saved table's path."""
    net: EvalNetOptions = field(default_factory=EvalNetOptions)
    """Training options of the evaluation network, [eval.net]."""
    second_net: bool = True
    """Also score IS/FID/KID with a second, independent network trained on the val split (second_*)."""
    net2: SecondNetOptions = field(default_factory=SecondNetOptions)
    """Training options of the second evaluation network, [eval.net2]."""
    fid_samples: int | None = None
    """Images per FID (unset: one per test stream); FID is the mean over disjoint seeded subsets of this
    many drawn images, so every row's FID has the same sample size (FID is biased by it)."""
    reference: Literal["train", "test", "heldout"] = "train"
    """Real images FID/KID compare with: train (the largest split, never the photos the real-images row
    draws), test, or heldout (val + test); see ganbench.eval.reference."""
    diversity_samples: int = 3
    """Noise draws per query stream that per-query diversity compares (at least 2); when the passes give
    fewer, the streams of diversity_streams get extra draws (see ganbench.eval.diversity_samples)."""
    diversity_streams: int | None = 100
    """Test streams (a seeded subset) given extra draws when the passes give fewer than
    diversity_samples (unset: all); 100 streams x 2 extra draws cost about 2/3 of a pass."""
    prc_k: int = 3
    """Neighbourhood size k of improved precision and recall (Kynkäänniemi et al. 2019 use 3)."""

    def check(self) -> Problems:
        problems = at_least(self, ("k", "batch_size", "bootstrap_rounds", "prc_k"), 1)
        problems += at_least(self, ("diversity_samples",), 2)
        if self.diversity_streams is not None and self.diversity_streams < 1:
            problems.append(("diversity_streams",
                             f"must be at least 1 or unset, got {self.diversity_streams}"))
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            problems.append(("device", f"must be auto, cpu, cuda or cuda:N, got {self.device!r}"))
        if self.fid_samples is not None and self.fid_samples < 2:
            problems.append(("fid_samples", f"must be at least 2 or unset, got {self.fid_samples}"))
        if self.n_samples is not None and self.n_samples < 2:
            problems.append(("n_samples", f"must be at least 2 (distribution metrics need two images), "
                                          f"got {self.n_samples}"))
        return problems


@dataclass
class ReportConfig:
    """[report]: what the report draws and compares.

    ``streams``: query streams drawn as refinement strips and sample grids, for ``n_sample_seeds`` noise
    seeds. ``reported_change``: metric -> the change in percent that the proposed model's paper reports
    against the best baseline, shown beside the measured change (empty: not shown).
    """

    streams: list[list[str]] = field(default_factory=_queries)
    """Query streams drawn as refinement strips and sample grids."""
    n_sample_seeds: int = 3
    """Noise seeds drawn per stream (rows of the report's sample grid)."""
    reported_change: dict[str, float] = field(default_factory=dict)
    """Metric -> percent change the proposed model's paper reports over the best baseline."""

    def check(self) -> Problems:
        streams = _query_streams_problem(self.streams)
        return at_least(self, ("n_sample_seeds",), 1) + ([("streams", streams)] if streams else [])


@dataclass
class LauncherConfig:
    """[launcher]: the resources of a cell job under ``ganbench run --launcher submitit-local|slurm``
    (submitit executor parameters, see ``ganbench.run.launchers``). ``partition``, ``account``, ``nodes``,
    ``mem_gb``, ``array_parallelism`` and ``sbatch`` are SLURM-only (``SLURM_ONLY``)."""

    partition: str = ""
    """SLURM partition (slurm_partition)."""
    account: str = ""
    """SLURM account (slurm_account)."""
    nodes: int = 1
    """Nodes per cell: 1 (a multi-node run is `torchrun --nnodes N ... -m ganbench train` by hand)."""
    gpus_per_node: int = 0
    """GPUs per cell; more than 1 trains the cell through torchrun, one process per GPU."""
    cpus_per_task: int = 0
    """CPUs per cell job (0: the executor's default)."""
    mem_gb: int = 0
    """Memory per cell job in GB (0: the cluster's default)."""
    timeout_min: int = 60 * 24
    """A cell job's time limit in minutes; on expiry it is requeued and resumes from its checkpoint."""
    array_parallelism: int = 0
    """At most this many cells of the job array at once (0: no limit)."""
    sbatch: dict[str, str | int] = field(default_factory=dict)
    """Extra #SBATCH flags, e.g. { qos = "high", constraint = "a100" }."""
    max_requeues: int = 3
    """Times a cell job is requeued after reaching its time limit (submitit's max_num_timeout; preemptions
    are requeued without limit); each requeue resumes from the step saved when the signal came."""
    max_restarts: int = 0
    """torchrun --max-restarts of a multi-GPU cell: a failed worker group restarts from its checkpoint."""
    max_parallel: int = 0
    """submitit-local: at most this many cell jobs at once (0: one per gpus_per_node visible GPUs, all
    at once on a machine without GPUs)."""

    def check(self) -> Problems:
        problems = at_least(self, ("gpus_per_node", "cpus_per_task", "mem_gb", "timeout_min",
                                   "array_parallelism", "max_requeues", "max_restarts", "max_parallel"), 0)
        if self.nodes != 1:
            problems.append(("nodes", f"= {self.nodes}: a cell runs on one node (up to gpus_per_node GPUs "
                                      "through torchrun); for multi-node training run `torchrun --nnodes N "
                                      "... -m ganbench train` yourself"))
        return problems


SLURM_ONLY = ("partition", "account", "nodes", "mem_gb", "array_parallelism", "sbatch")


@dataclass
class RunConfig:
    """The whole settings tree; ``source`` names where it was read from.

    A training run uses [data], [model], [train], [eval] and [report] (its config.toml records them);
    [run] and [launcher] describe an experiment and appear only in experiment files.
    """

    run: ExperimentConfig = field(default_factory=ExperimentConfig)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    launcher: LauncherConfig = field(default_factory=LauncherConfig)
    source: str = field(default="<defaults>", compare=False)


SECTIONS: dict[str, type] = {
    "run": ExperimentConfig, "data": DataConfig, "model": ModelConfig, "train": TrainConfig,
    "eval": EvalConfig, "report": ReportConfig, "launcher": LauncherConfig,
}
RUN_SECTIONS = ("data", "model", "train", "eval", "report")
"""The sections a training run uses and records in its config.toml."""
EXPERIMENT_ONLY = ("run", "launcher")
