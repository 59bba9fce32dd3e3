"""``ganbench models``, ``ganbench train`` and ``ganbench generate``."""

import click


@click.command("models")
@click.argument("name", required=False)
def models_command(name: str | None) -> None:
    """List the registered models (built-ins and plugins), one line each; with NAME, that model's options.

    Options go in a run configuration under [model.options] or as --set model.options.KEY=VALUE;
    `ganbench config show --model NAME` lists them with every other configuration key.

    \b
    Examples:
      ganbench models
      ganbench models restgan
    """
    from ganbench.config.reference import option_rows
    from ganbench.models.registry import RegistryError, available_models, describe, get_model

    try:
        if name is None:
            models = available_models()
            width = max(map(len, models), default=0)
            for model_name, cls in models.items():
                click.echo(f"{model_name:<{width}}  {describe(cls)}")
            return
        cls = get_model(name)
    except RegistryError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{name}: {describe(cls)} ({cls.__module__}.{cls.__qualname__})")
    click.echo("options ([model.options]):")
    for row in option_rows(cls.options_class):
        about = f": {row.description}" if row.description else ""
        click.echo(f"  {row.key.removeprefix('model.options.')} ({row.type}) = {row.default}{about}")


@click.command("train")
@click.option("--model", "model_name", metavar="NAME", help="Registered model (see `ganbench models`).")
@click.option("--catalog", type=click.Path(file_okay=False), help="Catalog folder to train on.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Run folder to write.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Run configuration (TOML). Without it: the CPU-scale defaults.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override one setting, value read as TOML (repeatable).")
@click.option("--resume", is_flag=True, help="Continue the run in --out from its checkpoint.")
@click.option("--resume-if-checkpoint", is_flag=True,
              help="Continue when --out holds a checkpoint, start otherwise (torchrun --max-restarts, "
                   "requeued jobs).")
def train_command(model_name: str | None, catalog: str | None, out_dir: str, config_file: str | None,
                  overrides: tuple[str, ...], resume: bool, resume_if_checkpoint: bool) -> None:
    """Train a registered model on a catalog into a run folder (config, checkpoint, logs, samples).

    Settings come from --config (without it, the CPU-scale defaults: 32 -> 64
    px, batch 16, 900 + 30 steps, lr 1e-3, a few minutes per model on 2
    cores), then --model/--catalog, then every --set; all are validated
    before any work. `ganbench config show` lists every key. With --resume
    and no --config, the run's own config.toml is used.

    On a terminal progress bars show; otherwise (a file, a pipe) one line is
    printed every train.log_every steps. Ctrl-C (or SIGTERM, SIGUSR1, SIGUSR2,
    as schedulers send) finishes the current step, saves a checkpoint, prints
    the command that continues the run and exits with 128 + the signal.

    \b
    Examples:
      ganbench train --model restgan --catalog catalogs/synth --out runs/restgan
      ganbench train --model stackgan-bow --catalog catalogs/synth --out runs/bow --set train.batch_size=8
      ganbench train --config my_run.toml --out runs/r1 --set model.options.gf_dim=32
      ganbench train --out runs/restgan --resume --set train.stage2_steps=4000
    """
    from pathlib import Path

    from ganbench.config.profiles import cpu_defaults_line
    from ganbench.run.locks import CellBusy
    from ganbench.run.train_lock import run_folder_lock
    from ganbench.train.distributed import launched_ranks
    from ganbench.train.runs import CHECKPOINT
    from ganbench.train.start import train_in_group, training_settings

    resume = resume or (resume_if_checkpoint and (Path(out_dir) / CHECKPOINT).is_file())

    main_rank = launched_ranks().is_main  # under torchrun only rank 0 speaks; the others exit alike
    try:
        config, cpu_defaults = training_settings(out_dir, config_file, overrides, model_name, catalog, resume)
        if cpu_defaults and main_rank:
            click.echo(cpu_defaults_line())
        with run_folder_lock(Path(out_dir), main_rank):  # one training per run folder (srun -n4 ...)
            run_dir = train_in_group(config, out_dir, resume=resume)
    except (ValueError, CellBusy) as error:  # every user-facing error (config, catalog, run, a held folder)
        if not main_rank:
            raise SystemExit(1) from None
        raise click.ClickException(str(error)) from error
    except KeyboardInterrupt as stop:
        if main_rank:
            _report_interrupted_training(stop, Path(out_dir), (Path(out_dir) / CHECKPOINT).is_file())
        raise SystemExit(128 + getattr(stop, "signum", 2)) from None  # 130 for Ctrl-C, 143 for SIGTERM
    if main_rank:
        click.echo(f"trained {config.model.name}: {run_dir}")


def _report_interrupted_training(stop: KeyboardInterrupt, out_dir, has_checkpoint: bool) -> None:
    import shlex

    from ganbench.train.interrupt import TrainingInterrupted

    resume = f"ganbench train --out {shlex.quote(str(out_dir))} --resume"
    if isinstance(stop, TrainingInterrupted):
        shown = f"{stop.step}/{stop.total}" if stop.total is not None else str(stop.step)
        click.echo(f"interrupted at step {shown}: checkpoint saved in {out_dir / 'checkpoint.pt'}", err=True)
    elif has_checkpoint:
        click.echo("interrupted without saving this step; the last checkpoint is kept", err=True)
    else:
        click.echo("interrupted before any checkpoint was saved: nothing to resume; run the same command "
                   "again", err=True)
        return
    click.echo(f"continue with: {resume}", err=True)


def _parse_seeds(ctx: click.Context, param: click.Parameter, value: str) -> list[int]:
    try:
        seeds = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        seeds = []
    if not seeds:
        raise click.BadParameter(f"expected comma-separated integers such as 0,1,2, got {value!r}")
    return seeds


@click.command("generate")
@click.argument("run_and_steps", nargs=-1, required=True, metavar="[RUN] STEP...")
@click.option("--pretrained", metavar="NAME",
              help="A pretrained model shipped with ganbench instead of RUN (`ganbench pretrained list`).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="PNG file to write.")
@click.option("--seeds", default="0,1,2", show_default=True, callback=_parse_seeds,
              help="Noise seeds, comma-separated: one row per seed (same seed, same images).")
@click.option("--tile-size", type=click.IntRange(min=16), default=256, show_default=True,
              help="Pixels each image is shown at (nearest-neighbour upscaling keeps the pixels).")
@click.option("--labels/--no-labels", default=True, show_default=True,
              help="Write each step's words over its column and the seed beside each row.")
@click.option("--device", default="auto", show_default=True,
              help="Device to generate on: auto (CUDA when available, else CPU), cpu or cuda.")
@click.option("--catalog", type=click.Path(file_okay=False), help="The run's catalog, if it has moved.")
def generate_command(run_and_steps: tuple[str, ...], pretrained: str | None, out_path: str, seeds: list[int],
                     tile_size: int, labels: bool, device: str, catalog: str | None) -> None:
    """Write the refinement strip of a query stream: one image per step, drawn by the EMA generator of
    the run in RUN (or of a pretrained model), one row per noise seed.

    Each STEP adds words to the query; quote steps of several words. Words the model's vocabulary does
    not know are read as unknown and named in a warning; a query with no known word is an error.

    \b
    Examples:
      ganbench generate runs/restgan "women's black pants" petite capri --out strip.png
      ganbench generate --pretrained restgan-synth "women's black pants" petite capri --out strip.png
      ganbench generate runs/bow "men's navy blue jeans" slim --out bow.png --seeds 3 --no-labels
      ganbench generate runs/restgan "women's red shorts" cuffed --out s.png --seeds 0,1,2,3 --tile-size 128
    """
    from ganbench.cli.evaluate import resolved_device
    from ganbench.data.catalog import CatalogError
    from ganbench.train.runs import load_run, refinement_strip
    from ganbench.train.samples import save_strips

    run_dir, steps = _run_and_steps(run_and_steps, pretrained)
    try:
        run = (_load_pretrained(pretrained, resolved_device(device)) if pretrained
               else load_run(run_dir, device=resolved_device(device), catalog_path=catalog))
        _refuse_unknown_only(run, list(steps))
        strips, unknown = zip(*(refinement_strip(run, list(steps), seed) for seed in seeds), strict=True)
    except CatalogError as error:
        hint = "" if catalog else "; if the run's catalog has moved, pass its folder with --catalog PATH"
        raise click.ClickException(f"{error}{hint}") from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if unknown[0]:
        click.echo(f"warning: unknown words read as <unk>: {', '.join(dict.fromkeys(unknown[0]))}", err=True)
    name = run.config.model.name
    path = save_strips(strips, out_path, tile_size, steps=steps if labels else None,
                       row_labels=[f"seed {s}" for s in seeds] if labels else None,
                       title=f"{name}, step {run.step}" if labels else "")
    click.echo(f"wrote {path}: {len(seeds)} seed(s) x {len(steps)} steps, images at "
               f"{strips[0].shape[-1]} px shown at {tile_size} px ({name}, step {run.step})")


def _run_and_steps(arguments: tuple[str, ...], pretrained: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(RUN, STEPs) of ``generate``'s arguments: with --pretrained every argument is a step."""
    from pathlib import Path

    if pretrained:
        _refuse_paths(arguments, "with --pretrained NAME every argument is a query step: drop the path, or "
                                 "drop --pretrained to draw from a run folder")
        return None, arguments
    run_dir, steps = arguments[0], arguments[1:]
    if not Path(run_dir).is_dir():
        raise click.BadParameter(f"{run_dir!r} is not a folder; expected a run folder (or --pretrained NAME) "
                                 "followed by the query steps", param_hint="RUN")
    if not steps:
        raise click.BadParameter("give at least one query STEP after RUN", param_hint="STEP")
    _refuse_paths(steps, "give one RUN folder, then the query steps")
    return run_dir, steps


def _refuse_paths(steps: tuple[str, ...], advice: str) -> None:
    """A step without spaces that holds a ``/`` and is spelled as a path (``/x``, ``./x``, ``../x``, ``~/x``)
    or names an existing file or folder is a mistake, not query words (the tokeniser would read it as stray
    words). Our choice: "black/white" stays a query unless such a path exists."""
    from pathlib import Path

    for step in steps:
        if "/" not in step or any(c.isspace() for c in step):
            continue
        if step.startswith(("/", "./", "../", "~/")) or Path(step).exists():
            raise click.BadParameter(f"{step!r} is a path, not query words; {advice}", param_hint="STEP")


def _load_pretrained(name: str, device: str):
    from ganbench.pretrained import load_pretrained

    return load_pretrained(name, device)


def _refuse_unknown_only(run, steps: list[str]) -> None:
    """A query none of whose words the model knows would draw from ``<unk>`` alone: refuse it."""
    from ganbench.data.batches import step_tokens, unknown_words

    context = run.model.context
    colour_model = run.model.text_policy().colour_tokens
    words = [t for step in steps for t in step_tokens(step, context.lookup, colour_model)]
    unknown = unknown_words(steps, context.vocabulary, context.lookup, colour_model)
    if len(unknown) == len(words):
        raise click.ClickException("no word of the query is in the model's vocabulary: "
                                   f"{', '.join(dict.fromkeys(unknown)) or '(no words)'}")
