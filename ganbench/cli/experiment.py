"""``ganbench run`` and ``ganbench report``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ganbench.config import ConfigError


@click.command("run")
@click.argument("experiment", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Results folder (default: results/NAME, NAME from the experiment file).")
@click.option("--resume", is_flag=True,
              help="Continue the experiment in --out: skip finished cells, resume interrupted training.")
@click.option("--fresh", is_flag=True,
              help="Discard earlier cells in --out, trained checkpoints included, and start again.")
@click.option("--launcher", default=None, metavar="local|submitit-local|slurm",
              help="Where cells run: this process (default), submitit jobs on this machine, or a SLURM job "
                   "array with the experiment's [launcher] resources.")
@click.option("--jobs", default=1, show_default=True, type=int,
              help="With --launcher local: cells run at once (one GPU each when several are visible).")
def run_command(experiment: Path, out_dir: Path | None, resume: bool, fresh: bool, launcher: str | None,
                jobs: int) -> None:
    """Run every (model, variant, seed) cell of an experiment file, then write its report.

    Each cell trains, renders its report images and is evaluated into
    OUT/cells/MODEL__VARIANT__seedN/. A failing cell is reported (traceback in
    its error.txt) while the others still run; the command then exits with
    status 1. Without --resume an earlier experiment in OUT is replaced, unless
    it holds trained checkpoints (then --resume, --fresh or another --out).

    On a terminal progress bars show; otherwise (a file, a pipe) plain lines.
    Ctrl-C saves the training cell's checkpoint at its current step and prints
    the command that continues the experiment (exit status 130).

    \b
    Examples:
      ganbench run experiments/quick.toml --out reports/quick
      ganbench run experiments/ablations.toml --out results/ablations
      ganbench run experiments/paper.toml --out results/paper --resume
      ganbench run experiments/quick.toml --out reports/quick --fresh
      ganbench run experiments/ablations.toml --jobs 4
      ganbench run experiments/paper.toml --out results/paper --launcher slurm
    """
    from ganbench.run.experiment import load_experiment
    from ganbench.run.launcher_settings import check_launcher_choice
    from ganbench.run.launchers import launch
    from ganbench.run.runner import REPORT_ERROR_FILE, RunnerError, summarise

    out = out_dir
    try:
        out = out_dir if out_dir is not None else Path("results") / load_experiment(experiment).name
        spec = load_experiment(experiment, results_dir=out)
        given = spec.raw.get("launcher", {})  # the [launcher] keys the file sets
        chosen = check_launcher_choice(launcher, jobs, given, str(experiment))
        pipeline = _pipeline()
        started_ns = time.time_ns()
        outcomes = launch(spec, out, pipeline, chosen, jobs, resume=resume, fresh=fresh)
    except (ConfigError, RunnerError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt as stop:
        _report_interrupted_run(stop, experiment, out)
        raise SystemExit(130) from None
    if chosen == "slurm":
        return
    click.echo(summarise(outcomes, out))
    report_failed = (out / REPORT_ERROR_FILE).is_file()
    if not report_failed and _written_since(out / "index.md", started_ns):
        click.echo(f"report: {out / 'index.md'} (and index.html)")
    if report_failed or any(outcome.status == "failed" for outcome in outcomes):
        raise SystemExit(1)


@click.command("report")
@click.argument("results_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the report (default: RESULTS_DIR itself).")
@click.option("--tables-only", is_flag=True, help="Write the tables and the index, no figures (fast).")
def report_command(results_dir: Path, out_dir: Path | None, tables_only: bool) -> None:
    """Write the tables, plots, strips and index of an experiment's results.

    Reads only what `ganbench run` stored (metrics.json, run logs, report
    images); it never trains, generates or evaluates. Writes tables/ (Markdown,
    LaTeX booktabs, CSV), figures/ (PNG, PDF, GIF), index.md and a
    self-contained index.html.

    \b
    Examples:
      ganbench report reports/quick
      ganbench report results/paper --out reports/paper
      ganbench report results/ablations --tables-only
    """
    from ganbench.report.build import write_report
    from ganbench.report.results import ResultsError

    try:
        index = write_report(results_dir, out_dir, figures=not tables_only)
    except ResultsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"report: {index} (and {index.with_suffix('.html').name})")


def _written_since(path: Path, started_ns: int) -> bool:
    """Whether ``path`` was written by this run (an index.md of an earlier run does not count: the report is
    skipped while another worker holds cells)."""
    clock_slack_ns = 10_000_000  # file times come from a coarser kernel clock than time.time_ns()
    return path.is_file() and path.stat().st_mtime_ns >= started_ns - clock_slack_ns


def _report_interrupted_run(stop: KeyboardInterrupt, experiment: Path, out: Path | None) -> None:
    import shlex

    from ganbench.train.interrupt import TrainingInterrupted

    if out is None:
        click.echo("interrupted before the experiment started: nothing to resume", err=True)
        return
    saved = ""
    if isinstance(stop, TrainingInterrupted):
        saved = f" (training checkpoint saved at step {stop.step})"
    click.echo(f"interrupted{saved}; finished cells are kept", err=True)
    click.echo(f"continue with: ganbench run {shlex.quote(str(experiment))} --out {shlex.quote(str(out))} "
               "--resume", err=True)


def _pipeline():
    from ganbench.run.pipeline import real_pipeline

    return real_pipeline()
