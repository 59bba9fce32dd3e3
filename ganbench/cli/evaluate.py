"""``ganbench eval`` and ``ganbench eval-net``."""

import click


@click.group("eval-net")
def eval_net() -> None:
    """Train or inspect the attribute classifier used for evaluation."""


@click.command("eval")
def eval_command() -> None:
    """Evaluate a trained run (not built yet)."""
    raise click.ClickException("ganbench eval is not built yet")
