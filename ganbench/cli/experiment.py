"""``ganbench run`` and ``ganbench report``."""

import click


@click.command("run")
def run_command() -> None:
    """Run an experiment file (not built yet)."""
    raise click.ClickException("ganbench run is not built yet")


@click.command("report")
def report_command() -> None:
    """Write a report from stored metrics (not built yet)."""
    raise click.ClickException("ganbench report is not built yet")
