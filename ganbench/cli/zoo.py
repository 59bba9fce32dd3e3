"""``ganbench models``, ``ganbench train`` and ``ganbench generate``."""

import click


@click.command("models")
def models_command() -> None:
    """List registered models (not built yet)."""
    raise click.ClickException("ganbench models is not built yet")


@click.command("train")
def train_command() -> None:
    """Train a model (not built yet)."""
    raise click.ClickException("ganbench train is not built yet")


@click.command("generate")
def generate_command() -> None:
    """Generate a refinement strip (not built yet)."""
    raise click.ClickException("ganbench generate is not built yet")
