"""``ganbench status``: every cell of an experiment's results folder and where it stands."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("status")
@click.argument("results_dir", type=click.Path(file_okay=False, path_type=Path))
def status_command(results_dir: Path) -> None:
    """Print every cell's state: done, running (a worker holds its lock), stale (its
    worker is gone), failed (with the last line of its error), queued (submitted
    to a launcher) or not started, with its job id and the time spent.

    Cells submitted with --launcher slurm also show their job's state from
    sacct (or squeue); an unfinished cell whose job has ended (cancelled, timed
    out, failed) is "gone", with the command that resumes it. Without sacct or
    squeue on PATH the output says the scheduler was not asked.

    \b
    Examples:
      ganbench status results/paper
    """
    from ganbench.run.experiment import ExperimentError
    from ganbench.run.status import StatusError, experiment_status_with_scheduler, format_status

    try:
        click.echo(format_status(*experiment_status_with_scheduler(results_dir)))
    except (StatusError, ExperimentError) as error:
        raise click.ClickException(str(error)) from None
