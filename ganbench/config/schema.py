"""The settings tree: one pydantic model per TOML table, each key with its one default and its one check.

``RunConfig`` is the root. Its sections::

    [run]       what `ganbench run` runs: name, models, seeds, the proposed model, catalog recipe,
                per-model overrides, ablation variants (experiment files only)
    [data]      which catalog, at which sizes, which colour lookup table
    [model]     the registered model's name; [model.options] is checked against its ``options_class``
    [train]     the optimisation schedule and the harness's levers
    [eval]      how evaluation samples and scores (also what a run's config.toml records for it)
    [report]    what the report draws and compares
    [launcher]  the resources of cell jobs under submitit or SLURM (experiment files only)

Adding a setting is adding one typed field with a default to a section, with a one-line docstring under
it (``ganbench config show`` prints it); impossible values are said in the type (``Literal``,
``Field(ge=...)``) or, where a check reads two fields, in a ``field_validator`` of the later one.
:mod:`ganbench.config.loader` validates a whole tree at once and :mod:`ganbench.config.validate` turns
pydantic's errors into sentences naming the dotted key and the file.
"""

from __future__ import annotations

import re
from importlib.util import find_spec
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PrivateAttr, ValidationInfo, field_validator

from ganbench.config.fields import ConfigError, ImageSize, Pair, QueryStreams, Section
from ganbench.config.run_section import ExperimentConfig

__all__ = ["ConfigError", "DEFAULT_QUERIES", "EXPERIMENT_ONLY", "RUN_SECTIONS", "SECTIONS", "DataConfig",
           "EvalConfig", "EvalNetOptions", "ExperimentConfig", "LauncherConfig", "ModelConfig",
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


def _device(text: str) -> str:
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        raise ValueError("must be auto, cpu, cuda or cuda:N")
    return text


Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


class DataConfig(Section):
    """[data]: which catalog, at which sizes, read how.

    ``colour_lookup`` is ``"default"`` (colorspace's table over the catalog's colour terms), ``"none"`` (no
    colour clusters: no colour classes, no colour tokens) or the path of a saved ``LookupTable``. In an
    experiment ``catalog`` defaults to RESULTS/catalog.
    """

    catalog: str = ""
    """Catalog folder to train on (`ganbench train --catalog DIR`)."""
    stage1_size: ImageSize = 64
    """Stage-I image size in px: a power of two, at least 16."""
    stage2_size: ImageSize = 128
    """Stage-II image size in px: a power of two, larger than stage1_size."""
    num_workers: Count = 0
    """DataLoader worker processes (0: batches are read in the training process)."""
    colour_lookup: str = "default"
    """'default' (colorspace's table), 'none' (no colour clusters) or a saved lookup table's path."""

    @field_validator("stage2_size")
    @classmethod
    def _larger_than_stage1(cls, size: int, info: ValidationInfo) -> int:
        stage1 = info.data.get("stage1_size")
        if stage1 is not None and size <= stage1:
            raise ValueError(f"must be larger than stage1_size ({stage1}): Stage-II upsamples Stage-I")
        return size


class ModelConfig(Section):
    """[model]: the registered model's name; [model.options] is checked against its ``options_class``."""

    name: str = ""
    """Registered model (`ganbench models`); `ganbench train --model NAME` sets it."""
    options: Any = None
    """The model's options, [model.options] (`ganbench config show --model NAME`)."""


class TrainConfig(Section):
    """[train]: the optimisation schedule and the harness's levers.

    ``stage1_steps`` / ``stage2_steps`` are the step budgets a model's phases count on (see
    ``GanModel.phases``). ``precision = "auto"`` picks bf16 where the hardware supports it.
    ``sample_queries`` are the fixed query streams drawn every ``sample_every`` steps.
    ``lr_decay_every`` > 0 multiplies every learning rate by ``lr_decay_factor`` after each that many steps
    of a phase, counted from the phase's start (StackGAN halves it every ``LR_DECAY_EPOCH`` epochs of
    each stage's own training; see ``ganbench.train.schedule``).
    """

    batch_size: int = Field(32, ge=2)
    """Catalog items per training step (at least 2: mismatching pairs need two)."""
    stage1_steps: Count = 2000
    """Stage-I iterations, each one discriminator and one generator update."""
    stage2_steps: Count = 2000
    """Stage-II iterations after Stage I (a joint model trains both sums at once)."""
    lr: float = Field(2e-4, gt=0)
    """Adam learning rate of the generator and the discriminators (StackGAN: 2e-4)."""
    lr_decay_every: Count = 0
    """Multiply every learning rate by lr_decay_factor after each N steps of a phase (0: constant)."""
    lr_decay_factor: float = Field(0.5, gt=0, le=1)
    """Factor of each learning-rate decay (StackGAN halves it)."""
    betas: Annotated[tuple[Annotated[float, Field(ge=0, lt=1)], Annotated[float, Field(ge=0, lt=1)]],
                     Pair] = (0.5, 0.999)
    """Adam betas (StackGAN: 0.5, 0.999)."""
    ema_decay: float = Field(0.999, ge=0, lt=1)
    """Decay of the generator weights' moving average used for samples and evaluation."""
    precision: Literal["auto", "bf16", "fp32"] = "auto"
    """'auto': bf16 autocast where the hardware has native bf16, else float32."""
    channels_last: bool = True
    """Channels-last images and convolution weights (faster on CPU and CUDA)."""
    sync_batchnorm: bool = False
    """Under torchrun: batch-norm statistics over the global batch (SyncBatchNorm, CUDA only)."""
    distributed_timeout_min: Positive = 30
    """Under torchrun: minutes a collective (NCCL or gloo) waits for a slow or dead rank before failing."""
    seed: int = 0
    """Seed of the weights, the noise and the batch order (same seed and settings, same run)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """'auto': CUDA when available, else the CPU."""
    log_every: Positive = 10
    """Log losses and img/s (log.jsonl, log.csv, a console line when not on a terminal) every N steps."""
    sample_every: Positive = 500
    """Draw the sample grid of sample_queries every N steps and at the end of each phase."""
    checkpoint_every: Positive = 500
    """Save checkpoint.pt every N steps (also at the end and on Ctrl-C)."""
    sample_queries: QueryStreams = Field(default_factory=_queries)
    """Fixed query streams (each a list of steps) drawn in the sample grids."""
    tracker: Literal["none", "mlflow"] = "none"
    """Also log losses, sample grids and final metrics to MLflow, offline in tracking_dir (extra tracking)."""
    tracking_dir: str = Field("mlruns", min_length=1)
    """The MLflow store's folder (SQLite database and artifacts), relative to the working folder."""

    @field_validator("tracker")
    @classmethod
    def _tracker_installed(cls, tracker: str) -> str:
        if tracker == "mlflow" and find_spec("mlflow") is None:
            raise ValueError("needs MLflow: pip install 'ganbench[tracking]'")
        return tracker


class EvalNetOptions(Section, frozen=True):
    """[eval.net]: training options of the evaluation network (all part of its cache key)."""

    image_size: Positive = 64
    """Input size in px the network resizes images to."""
    width: Positive = 16
    """Base channel width (the pooled feature has 8 x width values)."""
    epochs: Positive = 40
    """Most epochs over the train split: training stops earlier once val accuracy stops improving."""
    patience: Positive = 4
    """Stop after this many epochs without a better val-split accuracy (the best epoch's weights kept)."""
    min_epochs: Positive = 10
    """Never stop before this many epochs (early epochs' val accuracy is flat noise on small catalogs)."""
    batch_size: Positive = 64
    """Training batch size."""
    learning_rate: float = Field(3e-3, gt=0)
    """AdamW learning rate (cosine decay over epochs)."""
    seed: int = 0
    """Training seed."""


class SecondNetOptions(Section, frozen=True):
    """[eval.net2]: the second, independent evaluation network (a residual GroupNorm net trained on the
    val split, which no generator trains on; all part of its cache key)."""

    image_size: Positive = 64
    """Input size in px the network resizes images to."""
    width: Positive = 16
    """Base channel width (the pooled feature has 8 x width values)."""
    epochs: Positive = 150
    """Most epochs over 80% of the val split: training stops once the held-out 20% stops improving."""
    patience: Positive = 15
    """Stop after this many epochs without a better held-out accuracy (the best epoch's weights kept)."""
    min_epochs: Positive = 40
    """Never stop before this many epochs (few photos: few steps per epoch, early accuracy is noise)."""
    holdout: float = Field(0.2, ge=0, lt=1)
    """Seeded fraction of the val split held out for stopping and model selection."""
    max_shift: Count = 4
    """Random shifts of up to this many px at image_size (with flips; val is small)."""
    batch_size: Positive = 16
    """Training batch size."""
    learning_rate: float = Field(2e-3, gt=0)
    """AdamW learning rate (cosine decay over epochs)."""
    seed: int = 0
    """Training seed (also of the held-out draw)."""


class EvalConfig(Section):
    """[eval]: how a run is evaluated; a run's config.toml records it and ``ganbench eval`` starts from it.

    FID/KID use the evaluation network's pooled features unless ``inception_weights`` names a local
    torch-fidelity Inception-v3 file; the colour head's table is ``colour_lookup``, the same for every
    run so evaluations compare.
    """

    n_samples: Annotated[int, Field(ge=2)] | None = None
    """Query streams drawn from the test split (unset: one per test item), rounded to whole passes over
    the test streams so every query counts equally."""
    seed: int = 0
    """Seed of the evaluation's noise."""
    inception_weights: str | None = None
    """Path of torch-fidelity's Inception weights for standard FID (unset: the evaluation net's features)."""
    inception_feature: Literal["64", "192", "768", "2048"] = "2048"
    """Inception layer for FID/KID with inception_weights (smaller layers suit small sample counts)."""
    k: Positive = 10
    """k of precision@k."""
    batch_size: Positive = 64
    """Query streams per generate call."""
    device: Annotated[str, AfterValidator(_device)] = "auto"
    """auto (CUDA when available, else the CPU), cpu, cuda or cuda:N."""
    bootstrap_rounds: Positive = 200
    """Rounds of the seeded bootstrap behind the spreads."""
    colour_lookup: str = "default"
    """Lookup table of the colour head and colour metrics: 'default' or a saved table's path."""
    net: EvalNetOptions = Field(default_factory=EvalNetOptions)
    """Training options of the evaluation network, [eval.net]."""
    second_net: bool = True
    """Also score IS/FID/KID with a second, independent network trained on the val split (second_*)."""
    net2: SecondNetOptions = Field(default_factory=SecondNetOptions)
    """Training options of the second evaluation network, [eval.net2]."""
    fid_samples: Annotated[int, Field(ge=2)] | None = None
    """Images per FID (unset: one per test stream); FID is the mean over disjoint seeded subsets of this
    many drawn images, so every row's FID has the same sample size (FID is biased by it)."""
    reference: Literal["train", "test", "heldout"] = "train"
    """Real images FID/KID compare with: train (the largest split, never the photos the real-images row
    draws), test, or heldout (val + test); see ganbench.eval.reference."""
    diversity_samples: int = Field(3, ge=2)
    """Noise draws per query stream that per-query diversity compares (at least 2); when the passes give
    fewer, the streams of diversity_streams get extra draws (see ganbench.eval.diversity_samples)."""
    diversity_streams: Positive | None = 100
    """Test streams (a seeded subset) given extra draws when the passes give fewer than
    diversity_samples (unset: all); 100 streams x 2 extra draws cost about 2/3 of a pass."""
    prc_k: Positive = 3
    """Neighbourhood size k of improved precision and recall (Kynkäänniemi et al. 2019 use 3)."""


class ReportConfig(Section):
    """[report]: what the report draws and compares.

    ``streams``: query streams drawn as refinement strips and sample grids, for ``n_sample_seeds`` noise
    seeds. ``reported_change``: metric -> the change in percent that the proposed model's paper reports
    against the best baseline, shown beside the measured change (empty: not shown).
    """

    streams: QueryStreams = Field(default_factory=_queries)
    """Query streams drawn as refinement strips and sample grids."""
    n_sample_seeds: Positive = 3
    """Noise seeds drawn per stream (rows of the report's sample grid)."""
    reported_change: dict[str, float] = Field(default_factory=dict)
    """Metric -> percent change the proposed model's paper reports over the best baseline."""


class LauncherConfig(Section):
    """[launcher]: the resources of a cell job under ``ganbench run --launcher submitit-local|slurm``
    (submitit executor parameters, see ``ganbench.run.launchers``). ``partition``, ``account``, ``nodes``,
    ``mem_gb``, ``array_parallelism`` and ``sbatch`` are SLURM-only (``SLURM_ONLY``)."""

    partition: str = ""
    """SLURM partition (slurm_partition)."""
    account: str = ""
    """SLURM account (slurm_account)."""
    nodes: Positive = 1
    """Nodes per cell (SLURM): more than 1 runs nodes x tasks_per_node training processes, one per task,
    joined through submitit's TorchDistributedEnvironment (see ganbench.run.task_ranks)."""
    gpus_per_node: Count = 0
    """GPUs per node of a cell; more than 1 on one node trains the cell through torchrun, one process per
    GPU (with tasks_per_node or nodes > 1: one submitit task per GPU instead)."""
    cpus_per_task: Count = 0
    """CPUs per cell job (0: the executor's default)."""
    mem_gb: Count = 0
    """Memory per cell job in GB (0: the cluster's default)."""
    timeout_min: Count = 60 * 24
    """A cell job's time limit in minutes; on expiry it is requeued and resumes from its checkpoint."""
    array_parallelism: Count = 0
    """At most this many cells of the job array at once (0: no limit)."""
    sbatch: dict[str, str | int] = Field(default_factory=dict)
    """Extra #SBATCH flags, e.g. { qos = "high", constraint = "a100" }."""
    max_requeues: Count = 3
    """Times a cell job is requeued after reaching its time limit (submitit's max_num_timeout; preemptions
    are requeued without limit); each requeue resumes from the step saved when the signal came."""
    max_restarts: Count = 0
    """torchrun --max-restarts of a multi-GPU cell: a failed worker group restarts from its checkpoint."""
    max_parallel: Count = 0
    """submitit-local: at most this many cell jobs at once (0: one per gpus_per_node visible GPUs, all
    at once on a machine without GPUs)."""
    tasks_per_node: Count = 0
    """Training processes per node started as submitit tasks (each one rank); 0: one per GPU
    (max(gpus_per_node, 1)) when nodes > 1, else one task (with gpus_per_node > 1 it starts torchrun)."""

    @field_validator("tasks_per_node")
    @classmethod
    def _one_task_per_gpu(cls, tasks: int, info: ValidationInfo) -> int:
        gpus = info.data.get("gpus_per_node")
        if tasks and gpus and tasks != gpus:
            raise ValueError(f"is {tasks} but gpus_per_node is {gpus}: each task trains on one GPU of its "
                             f"node; set tasks_per_node to {gpus} (or 0, which means one task per GPU)")
        return tasks


SLURM_ONLY = ("partition", "account", "nodes", "mem_gb", "array_parallelism", "sbatch")


class RunConfig(Section):
    """The whole settings tree; ``source`` names where it was read from (not a setting: it is not
    compared, written or validated).

    A training run uses [data], [model], [train], [eval] and [report] (its config.toml records them);
    [run] and [launcher] describe an experiment and appear only in experiment files.
    """

    run: ExperimentConfig = Field(default_factory=ExperimentConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    launcher: LauncherConfig = Field(default_factory=LauncherConfig)
    _source: str = PrivateAttr("<defaults>")

    @property
    def source(self) -> str:
        return self._source

    def with_source(self, source: str) -> RunConfig:
        """This tree, saying it was read from ``source`` (a file, an experiment cell, the defaults)."""
        self._source = source
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunConfig) and all(getattr(self, n) == getattr(other, n) for n in SECTIONS)

    __hash__ = None  # mutable, like the sections


SECTIONS: dict[str, type[Section]] = {
    "run": ExperimentConfig, "data": DataConfig, "model": ModelConfig, "train": TrainConfig,
    "eval": EvalConfig, "report": ReportConfig, "launcher": LauncherConfig,
}
RUN_SECTIONS = ("data", "model", "train", "eval", "report")
"""The sections a training run uses and records in its config.toml."""
EXPERIMENT_ONLY = ("run", "launcher")
