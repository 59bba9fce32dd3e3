"""``ganbench pretrained list | export``: the pretrained models shipped in the package."""

from __future__ import annotations

import click


@click.group("pretrained")
def pretrained_group() -> None:
    """Pretrained models shipped with ganbench (used by `generate --pretrained` and `explore`).

    \b
    Examples:
      ganbench pretrained list
      ganbench pretrained export results/pretrained    # after `ganbench run experiments/pretrained.toml`
    """


@pretrained_group.command("list")
def list_command() -> None:
    """Each shipped model: what it is, its size, what it was trained on and its metrics."""
    from ganbench.pretrained import available_pretrained

    models = available_pretrained()
    if not models:
        click.echo("no pretrained models installed; regenerate them with `make pretrained`")
    for name, info in models.items():
        data, metrics = info.data, info.data.get("metrics", {})
        shown = ", ".join(f"{key} {entry['mean']:.3g}" for key, entry in metrics.items()
                          if isinstance(entry, dict) and entry.get("mean") is not None)
        size = data.get("weights_bytes", 0) / 1e6
        click.echo(f"{name}: {info.model}, step {data.get('step')}, {size:.1f} MB")
        click.echo(f"  trained on: {data.get('trained_on')}")
        click.echo(f"  metrics: {shown}")


@pretrained_group.command("export")
@click.argument("results", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder to write (default: the package's ganbench/pretrained/).")
@click.option("--suffix", default="synth", show_default=True,
              help="Name suffix: MODEL-SUFFIX.pt, MODEL-SUFFIX.json, SUFFIX-eval-net.pt.")
@click.option("--experiment", default="experiments/pretrained.toml", show_default=True,
              help="The experiment file the results came from (recorded in the JSON).")
def export_command(results: str, out_dir: str | None, suffix: str, experiment: str) -> None:
    """Export the finished cells of a `ganbench run` RESULTS folder as pretrained models: the EMA
    generator's weights with the vocabulary, lookup table and format version, plus the catalog's
    evaluation network, the catalog's test query streams and each model's metrics row.

    \b
    Example (what `make pretrained` runs):
      ganbench run experiments/pretrained.toml --out results/pretrained --fresh
      ganbench pretrained export results/pretrained
    """
    from ganbench.pretrained.export import export_results
    from ganbench.pretrained.package import PACKAGE_DIR

    try:
        written = export_results(results, out_dir or PACKAGE_DIR, suffix, experiment)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        size = path.with_suffix(".pt").stat().st_size / 1e6
        click.echo(f"wrote {path.with_suffix('.pt')} ({size:.1f} MB) and {path.name}")
