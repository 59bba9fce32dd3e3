"""``ganbench compare``: two models of an experiment on every metric, paired by seed."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("compare")
@click.argument("results_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("model_a")
@click.argument("model_b")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the comparison as CSV.")
def compare_command(results_dir: Path, model_a: str, model_b: str, csv_out: Path | None) -> None:
    """Compare MODEL_A with MODEL_B on every metric of RESULTS_DIR, paired by training seed.

    Prints each model's mean over the seeds both have, the relative change (A - B) / |B| with a 95%
    t-interval over seeds (three or more seeds), the paired t-test p on per-seed log-ratios, the exact
    sign-flip p, the t-test p Holm-corrected over all rows printed, * where that corrected p < 0.05, and
    which model the metric's direction favours. Name a variant as MODEL/VARIANT.

    \b
    Examples:
      ganbench compare results/paper restgan stackgan-lstm
      ganbench compare results/ablations restgan restgan/no-colour-model --csv change.csv
    """
    from ganbench.report.compare import compare_models, format_comparison
    from ganbench.report.results import ResultsError, load_results

    try:
        table = compare_models(load_results(results_dir), model_a, model_b)
    except ResultsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_comparison(table, model_a, model_b))
    if csv_out is not None:
        table.to_csv(csv_out, index=False, float_format="%.6g")
        click.echo(f"wrote {csv_out}")
