"""Training runs: :func:`train_run` builds everything from validated settings and drives the
:class:`~ganbench.train.trainer.Trainer`; :func:`load_run` reopens a run with its EMA generator.

The model says how it reads text (``text_policy``) and which phases it trains for how long (``phases``);
every model gets the vocabulary extended with the colour-cluster tokens.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader

import colorspace
from ganbench.config import ConfigError, RunConfig, config_as_dict, flatten, load_config, write_config
from ganbench.data.batches import QueryBatchDataset, StepBatchSampler, class_names, collate, model_vocabulary
from ganbench.models.base import GanModel, ModelContext
from ganbench.models.diagnostics import conditioning_scalars, probe_streams
from ganbench.models.registry import get_model
from ganbench.text.store import prepare_text_encoder
from ganbench.train.checkpoint import load_checkpoint, restore_training_state, save_checkpoint
from ganbench.train.distributed import (
    SINGLE_PROCESS,
    Ranks,
    RankShardSampler,
    average_gradients_before_step,
    broadcast_weights,
    count_samples,
    gather_rng,
    launched_ranks,
    local_batch_size,
    restore_rank_rng,
    seed_rank,
    setup_distributed,
    use_sync_batchnorm,
)
from ganbench.train.ema import EMA
from ganbench.train.interrupt import ignore_sigint
from ganbench.train.logging import ScalarLog
from ganbench.train.precision import resolve_device, resolve_precision
from ganbench.train.progress import TrainingProgress
from ganbench.train.samples import draw_samples
from ganbench.train.seeding import seed_everything
from ganbench.train.tracking import open_tracker
from ganbench.train.trainer import Trainer, phase_schedule

CHECKPOINT, CONFIG, DONE = "checkpoint.pt", "config.toml", "done.json"
BUILT_IN_LOOKUPS = ("default", "none")  # data.colour_lookup values that are not paths
TRAINING_SECTIONS = ("data", "model", "train")  # what a resumed run must keep ([eval], [report] may change)
# training settings a resumed run may change without breaking the continuation
RESUMABLE_CHANGES = {"data.num_workers", "train.device", "train.log_every", "train.sample_every",
                     "train.checkpoint_every", "train.stage2_steps", "train.sample_queries",
                     "train.sync_batchnorm", "train.distributed_timeout_min"}


class RunError(ValueError):
    """A run folder that cannot be used as asked (e.g. an existing run without ``--resume``)."""


@dataclass
class LoadedRun:
    """A run reopened for sampling or evaluation; ``model.generator`` holds the EMA weights."""

    model: GanModel
    config: RunConfig
    catalog_path: Path
    step: int
    finished: bool
    run_dir: Path


def open_lookup(config: RunConfig) -> colorspace.LookupTable | None:
    """The run's colour lookup table (``data.colour_lookup``; "none": no colour clusters)."""
    return colorspace.open_lookup(config.data.colour_lookup, setting="data.colour_lookup", optional=True)


def open_catalog(path: str) -> Any:
    from ganbench.data.catalog import Catalog

    if not path:
        raise ConfigError("data.catalog is required: the catalog folder to train on (--catalog DIR)")
    return Catalog.open(path)


def build_model(config: RunConfig, catalog: Any, lookup: Any, device: torch.device) -> GanModel:
    """The configured model for ``catalog`` on ``device``, with its :class:`ModelContext`."""
    names = class_names(catalog.items, lookup)
    context = ModelContext(
        vocabulary=model_vocabulary(catalog.vocabulary, lookup), lookup=lookup,
        n_classes={attribute: len(labels) for attribute, labels in names.items()}, class_names=names,
        image_sizes=(config.data.stage1_size, config.data.stage2_size), device=device)
    return get_model(config.model.name)(config.model.options, context).to(device)


def _with_paths(config: RunConfig, convert) -> RunConfig:
    """``config`` with ``convert`` applied to its catalog path and to a colour lookup table's file path."""
    lookup = config.data.colour_lookup
    lookup = lookup if lookup in BUILT_IN_LOOKUPS else convert(lookup)
    data = config.data.model_copy(update={"catalog": convert(config.data.catalog), "colour_lookup": lookup})
    return config.model_copy(update={"data": data})


def _resolved(config: RunConfig, run_dir: Path, resume: bool) -> RunConfig:
    """The config with absolute paths: relative ones are read from the working directory, except, on
    resume, the ones the run's own config.toml holds (relative to the run folder: ``train --resume``
    reads that file)."""
    if not config.data.catalog:
        raise ConfigError("data.catalog is required: the catalog folder to train on (--catalog DIR)")
    stored = load_config(run_dir / CONFIG).data if resume and (run_dir / CONFIG).is_file() else None
    own = {stored.catalog, stored.colour_lookup} if stored is not None else set()
    return _with_paths(config, lambda path: str(((run_dir / path) if path in own else Path(path)).resolve()))


def _portable(config: RunConfig, run_dir: Path) -> RunConfig:
    """The config as a run folder stores it: paths relative to the run folder (so a results folder
    can be moved or committed and its runs still find their catalog), absolute where no relative path
    exists (another drive)."""
    def relative(path: str) -> str:
        try:
            return os.path.relpath(path, run_dir.resolve())
        except ValueError:
            return path

    return _with_paths(config, relative)


def read_run_config(run_dir: str | Path) -> RunConfig:
    """A run folder's config.toml with its paths (relative to the run folder) made absolute."""
    run_dir = Path(run_dir)
    config = load_config(run_dir / CONFIG)
    return _with_paths(config, lambda path: str((run_dir / path).resolve()) if path else path)


def missing_checkpoint(run_dir: Path) -> str:
    """One line: the run folder has no checkpoint, and the command that recreates it."""
    cell = run_dir.parent
    results = cell.parent.parent
    if run_dir.name == "run" and (cell / "cell.json").is_file() and (results / "experiment.toml").is_file():
        how = (f"`ganbench run {results / 'experiment.toml'} --out {results}` retrains every cell, or "
               f"`ganbench train --config {run_dir / CONFIG} --catalog CATALOG --out NEW_RUN` this one")
    else:
        how = f"`ganbench train --config {run_dir / CONFIG} --catalog CATALOG --out NEW_RUN`"
    return (f"{run_dir} has no {CHECKPOINT} (committed or copied run folders leave checkpoints out); "
            f"recreate it with {how}")


def _check_run_dir(config: RunConfig, run_dir: Path, resume: bool) -> None:
    if not resume:  # a folder with only config/logs (a run that died before its first checkpoint) is reused
        if (run_dir / CHECKPOINT).exists() or (run_dir / DONE).exists():
            raise RunError(f"{run_dir} already holds a run; pass --resume to continue it, or choose "
                           "another --out")
        return
    if not (run_dir / CHECKPOINT).is_file():
        raise RunError(f"{run_dir} has no {CHECKPOINT} to resume from")
    saved = flatten(config_as_dict(read_run_config(run_dir), TRAINING_SECTIONS))
    given = flatten(config_as_dict(config, TRAINING_SECTIONS))
    changed = sorted(k for k in set(saved) | set(given)
                     if saved.get(k) != given.get(k) and k not in RESUMABLE_CHANGES)
    if changed:
        raise RunError(f"cannot resume {run_dir}: the configuration differs from its {CONFIG} in {changed}; "
                       f"only {sorted(RESUMABLE_CHANGES)} may change on resume")


def _data_loaders(dataset: QueryBatchDataset, config: RunConfig, ranks: Ranks = SINGLE_PROCESS):
    """(first step, stop step) -> a loader of exactly those steps' batches (this rank's share of each)."""

    def batches(first: int, last: int) -> DataLoader:
        sampler = StepBatchSampler(len(dataset), config.train.batch_size, config.train.seed, first, last)
        sampler = RankShardSampler(sampler, ranks) if ranks.distributed else sampler
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate,
                          num_workers=config.data.num_workers,
                          worker_init_fn=ignore_sigint if config.data.num_workers else None,
                          generator=torch.Generator().manual_seed(config.train.seed))

    return batches


def _counted(loaders, ranks: Ranks, reads: str):
    """Under torchrun, each batch's sample count weights the averages over ranks (see count_samples)."""
    if not ranks.distributed:
        return loaders
    return lambda first, last: count_samples(loaders(first, last), ranks, reads)


def train_run(config: RunConfig, out_dir: str | Path, resume: bool = False,
              stop_after: int | None = None, progress: TrainingProgress | None = None) -> Path:
    """Train the configured model into ``out_dir`` (or continue it); returns the run folder.

    Everything is checked before any work. ``stop_after`` stops at that global step (with a checkpoint),
    as an interruption would. Ctrl-C checkpoints the step it is in and raises
    :class:`~ganbench.train.interrupt.TrainingInterrupted`. ``progress`` defaults to bars on a terminal
    and plain lines otherwise. Under torchrun (``WORLD_SIZE`` > 1) it joins the process group and trains
    data-parallel (:mod:`ganbench.train.distributed`); the caller leaves the group when done.
    """
    run_dir = Path(out_dir)
    config = _resolved(config, run_dir, resume)
    _check_run_dir(config, run_dir, resume)
    catalog, lookup = open_catalog(config.data.catalog), open_lookup(config)
    per_rank = local_batch_size(config.train.batch_size, launched_ranks())  # before joining the group
    ranks, device = setup_distributed(resolve_device(config.train.device),
                                      timeout_min=config.train.distributed_timeout_min)
    precision = resolve_precision(config.train.precision, device)
    seed_everything(config.train.seed)
    model = build_model(config, catalog, lookup, device)
    schedule = phase_schedule(model.phases(), config)
    if not resume and ranks.is_main:  # other ranks get the weights from broadcast_weights below
        prepare_text_encoder(model, catalog, lookup, device)
    if config.train.sync_batchnorm:
        model = use_sync_batchnorm(model, ranks, device)
    if config.train.channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizers = model.configure_optimizers(config.train)
    average_gradients_before_step(optimizers, ranks)
    broadcast_weights(model, ranks)
    seed_rank(config.train.seed, ranks)
    ema = EMA(model.generator, config.train.ema_decay)
    dataset = QueryBatchDataset(catalog, "train", model.context.image_sizes, model.context.vocabulary, lookup,
                                model.text_policy().colour_tokens, model.context.class_names)
    if len(dataset) < config.train.batch_size:
        raise RunError(f"the train split of {config.data.catalog} has {len(dataset)} usable items "
                       f"({dataset.skipped} of {dataset.read} skipped: no usable query), fewer than "
                       f"train.batch_size = {config.train.batch_size}")
    path, start = run_dir / CHECKPOINT, 0
    if resume:
        payload = load_checkpoint(path, device)
        start = restore_training_state(payload, path, model_name=config.model.name, model=model, ema=ema,
                                       optimizers=optimizers)
        restore_rank_rng(payload.get("extra", {}), ranks, config.train.seed, start)
    ranks.barrier()  # every rank has read the run folder before rank 0 writes to it
    if ranks.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / DONE).unlink(missing_ok=True)  # a resumed run with more steps is not done until it ends
        write_config(_portable(config, run_dir), run_dir / CONFIG)
    progress = progress or TrainingProgress(config.model.name)
    say = progress.write if ranks.is_main else (lambda text: None)
    if precision.note:
        say(precision.note)
    say(f"{config.model.name}: {len(dataset)} training items ({dataset.skipped} of {dataset.read} "
        f"skipped: no usable query), {precision.name} on {device}, from step {start}")
    if ranks.distributed:
        say(f"data-parallel over {ranks.world_size} processes ({device.type}): global batch "
            f"{config.train.batch_size} = {ranks.world_size} x {per_rank} per process")
    identity = {"catalog_hash": catalog.hash, "vocabulary_hash": model.context.vocabulary.hash,
                "lookup_hash": lookup.hash if lookup is not None else ""}
    log = None
    if ranks.is_main:
        tracker = open_tracker(config.train.tracker, config.train.tracking_dir, run_dir,
                               config_as_dict(config), resume)
        log = ScalarLog(run_dir, resume_step=start if resume else None, tracker=tracker)
    probe = probe_streams(catalog.items, catalog.indices("train"))  # conditioning-strength texts
    trainer = Trainer(
        model=model, ema=ema, precision=precision, log=log, train=config.train, schedule=schedule,
        optimizers=optimizers, diagnostics=lambda: conditioning_scalars(model, probe),
        batches=_counted(_data_loaders(dataset, config, ranks), ranks, model.text_policy().reads),
        save_checkpoint=lambda step: _save(path, config, model, ema, optimizers, step, identity, ranks),
        draw_samples=lambda step: log.image(draw_samples(model, ema, config.train.sample_queries,
                                                         config.train.seed,
                                                         run_dir / "samples" / f"step_{step:06d}.png")),
        progress=progress, ranks=ranks)
    reached = 0
    try:
        reached = trainer.fit(start, stop_after)
    finally:
        if log is not None:
            log.close(finished=reached >= (schedule[-1].stop if schedule else 0))
    finished = reached >= (schedule[-1].stop if schedule else 0)
    if finished and ranks.is_main:
        done = {"step": reached, "model": config.model.name, "precision": precision.name,
                "device": str(device), "finished_at": datetime.now(UTC).isoformat(timespec="seconds")}
        (run_dir / DONE).write_text(json.dumps(done | identity, indent=1), encoding="utf-8")
    return run_dir


def _save(path: Path, config: RunConfig, model: GanModel, ema: EMA, optimizers: dict, step: int,
          identity: dict, ranks: Ranks) -> None:
    """Rank 0 writes the checkpoint; under torchrun it also holds every rank's RNG state."""
    extra = identity | ({"rank_rng": gather_rng(ranks)} if ranks.distributed else {})
    if ranks.is_main:
        save_checkpoint(path, model_name=config.model.name, model=model, ema=ema, optimizers=optimizers,
                        step=step, extra=extra)


def _check_identity(saved: dict, model: GanModel, lookup: Any, run_dir: Path, config: RunConfig) -> None:
    """The vocabulary and colour clusters the run was trained with must be the ones rebuilt now."""
    lookup_hash = lookup.hash if lookup is not None else ""
    if saved.get("lookup_hash", lookup_hash) != lookup_hash:
        raise RunError(f"{run_dir} was trained with other colour clusters than data.colour_lookup = "
                       f"{config.data.colour_lookup!r} gives now; pass the saved lookup table's path")
    if saved.get("vocabulary_hash", model.context.vocabulary.hash) != model.context.vocabulary.hash:
        raise RunError(f"{run_dir} was trained with another vocabulary than catalog {config.data.catalog} "
                       "has")


def load_run(run_dir: str | Path, device: str | torch.device = "cpu", catalog_path: str | Path | None = None
             ) -> LoadedRun:
    """Reopen a run: its config, its catalog (or ``catalog_path`` if moved) and the EMA generator."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file() and (run_dir / "run" / CONFIG).is_file():
        run_dir = run_dir / "run"  # a cell folder of `ganbench run`
    if not (run_dir / CONFIG).is_file():
        raise RunError(f"{run_dir} is not a run folder: {CONFIG} is missing")
    if not (run_dir / CHECKPOINT).is_file():
        raise RunError(missing_checkpoint(run_dir))
    config = read_run_config(run_dir)
    if catalog_path is not None:
        data = config.data.model_copy(update={"catalog": str(catalog_path)})
        config = config.model_copy(update={"data": data})
    device = torch.device(device)
    catalog, lookup = open_catalog(config.data.catalog), open_lookup(config)
    model = build_model(config, catalog, lookup, device)
    ema = EMA(model.generator, config.train.ema_decay)
    path = run_dir / CHECKPOINT
    payload = load_checkpoint(path, device)
    _check_identity(payload.get("extra", {}), model, lookup, run_dir, config)
    step = restore_training_state(payload, path, model_name=config.model.name, model=model, ema=ema,
                                  optimizers=None, rng=False)
    ema.copy_to(model.generator)
    model.eval()
    return LoadedRun(model=model, config=config, catalog_path=Path(config.data.catalog), step=step,
                     finished=(run_dir / DONE).is_file(), run_dir=run_dir)


def refinement_strip(run: LoadedRun, steps: list[str], seed: int = 0) -> tuple[torch.Tensor, list[str]]:
    """The run's images for every step of one query stream, uint8 (n_steps, 3, H, W), and the words the
    vocabulary does not know (they are read as ``<unk>``, not refused)."""
    from ganbench.data.batches import unknown_words

    context = run.model.context
    colour_tokens = run.model.text_policy().colour_tokens
    unknown = unknown_words(steps, context.vocabulary, context.lookup, colour_tokens)
    with torch.no_grad():
        strip = run.model.generate([list(steps)], seed)[0]
    return strip, unknown
