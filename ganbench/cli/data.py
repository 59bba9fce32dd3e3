"""``ganbench data``: synthesise, import and inspect catalogs."""

import click


@click.group()
def data() -> None:
    """Synthesise, import and inspect product catalogs."""


@data.command("import", short_help="Import real product photos (Fashion Product Images, CSV/JSONL).")
@click.argument("src", type=click.Path(exists=True, path_type=str))
@click.option("--format", "source_format", required=True, help="Layout of SRC.",
              type=click.Choice(["fashion-product-images", "csv"]))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Catalog folder to write (must be new, empty, or an earlier catalog with --overwrite).")
@click.option("--seed", default=0, show_default=True, help="Seed of the train/val/test split.")
@click.option("--min-freq", default=2, show_default=True, help="Minimum token count for the vocabulary.")
@click.option("--min-side", default=64, show_default=True, type=click.IntRange(min=1),
              help="csv: skip images whose shorter side has fewer pixels (they would be upscaled to a blur).")
@click.option("--keep-unknown-type", is_flag=True,
              help="csv: keep items whose garment type is neither given nor found in the title.")
@click.option("--overwrite", is_flag=True, help="Replace an existing catalog in --out (and its eval_net/).")
def import_command(
    src: str, source_format: str, out_dir: str, seed: int, min_freq: int, min_side: int,
    keep_unknown_type: bool, overwrite: bool,
) -> None:  # fmt: skip
    """Import a real catalog from SRC: standardise images, parse titles, split, write a catalog.

    Inputs that cannot be used (unreadable or missing images, malformed rows, empty titles, text that
    is not UTF-8, items that are not pants/jeans/shorts; for csv also images smaller than --min-side
    and items of unknown type) are skipped; each reason is written to import_report.jsonl in the --out
    folder and the summary ends with read = kept + skipped.

    \b
    Examples:
      ganbench data import ~/fashion-dataset --format fashion-product-images --out catalogs/fpi
      ganbench data import photos/ --format csv --out catalogs/mine
      ganbench data import photos/index.jsonl --format csv --out catalogs/mine --min-side 96 --overwrite
    """
    from ganbench.data.catalog import CatalogError
    from ganbench.data.importers import CsvOptions, ImportFormatError, import_catalog

    context = click.get_current_context()
    given = [f"--{name.replace('_', '-')}" for name in ("min_side", "keep_unknown_type")
             if context.get_parameter_source(name) != click.core.ParameterSource.DEFAULT]  # fmt: skip
    if source_format != "csv" and given:
        raise click.UsageError(f"{' and '.join(given)} apply to --format csv only")
    csv_options = CsvOptions(min_side=min_side, keep_unknown_type=keep_unknown_type)
    try:
        catalog, report = import_catalog(src, source_format, out_dir, seed, min_freq=min_freq,
                                         csv_options=csv_options, overwrite=overwrite,
                                         progress=True)  # fmt: skip
    except (CatalogError, ImportFormatError, OSError) as error:
        raise click.ClickException(str(error)) from error
    counts = catalog.manifest["counts"]
    click.echo(f"wrote {catalog.root}: train {counts['train']}, val {counts['val']}, test {counts['test']}")
    click.echo(f"skipped inputs and reasons: {catalog.root / 'import_report.jsonl'}")
    click.echo(report.summary())


@data.command("info")
@click.argument("catalog_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("--top", default=12, show_default=True, help="Values shown per attribute distribution.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--verify", is_flag=True,
              help="Also read every image file and check it against the catalog's checksums and hash; "
                   "exit status 1 when a file is missing or changed.")
def info_command(catalog_dir: str, top: int, as_json: bool, verify: bool) -> None:
    """Print a catalog's counts, splits, size on disk and attribute distributions.

    \b
    Examples:
      ganbench data info catalogs/synth
      ganbench data info catalogs/synth --verify
      ganbench data info catalogs/fpi --top 30
      ganbench data info catalogs/fpi --json > fpi_summary.json
    """
    import json

    from ganbench.data.catalog import Catalog, CatalogError
    from ganbench.data.info import catalog_summary, format_summary

    try:
        catalog = Catalog.open(catalog_dir)
        summary = catalog_summary(catalog)
        checked = catalog.check_files() if verify else None
    except CatalogError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        attributes = summary["attributes"]
        summary["attributes"] = {k: {str(v): n for v, n in d.items()} for k, d in attributes.items()}
        if checked is not None:
            summary["verify"] = checked.to_json()
        click.echo(json.dumps(summary, indent=1, ensure_ascii=False))
    else:
        click.echo(format_summary(summary, top=top))
        if checked is not None:
            click.echo("\n".join(checked.lines()))
    if checked is not None and not checked.ok:
        raise SystemExit(1)


@data.command("synth")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Catalog folder to write (must be new, empty, or an earlier catalog with --overwrite).")
@click.option("--n", "n_items", default=2000, show_default=True, type=click.IntRange(min=1),
              help="Number of items to synthesise.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seed: the same seed gives the same items and image bytes.")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Rendering processes (default: the CPU cores available, at most 4).")
@click.option("--overwrite", is_flag=True, help="Replace an existing catalog in --out (and its eval_net/).")
def synth_command(out_dir: str, n_items: int, seed: int, workers: int | None, overwrite: bool) -> None:
    """Synthesise a catalog of pants, jeans and shorts product photos (the default data set).

    Each item has a type, gender, colour term (60+ terms, Zipf frequencies) with the exact CIELAB it was
    painted with, fit, length, size line, details, a product title and a shopper query stream. Item i
    (its attributes, text and photo) depends only on --seed and i: a larger --n extends a smaller one.

    \b
    Examples:
      ganbench data synth --out catalogs/synth
      ganbench data synth --out catalogs/tiny --n 64 --seed 1
      ganbench data synth --out catalogs/synth --n 20000 --workers 2 --overwrite
    """
    import time

    from ganbench.data.catalog import CatalogError
    from ganbench.data.synth import SynthError, synthesise

    started = time.perf_counter()
    try:
        catalog = synthesise(out_dir, n_items, seed, workers=workers, overwrite=overwrite)
    except (CatalogError, SynthError, OSError) as error:
        raise click.ClickException(str(error)) from error
    counts = catalog.manifest["counts"]
    click.echo(f"wrote {catalog.root}: {len(catalog)} items (train {counts['train']}, val {counts['val']}, "
               f"test {counts['test']}) in {time.perf_counter() - started:.1f} s")


@data.command("streams")
@click.option("--catalog", "catalog_dir", required=True, help="Catalog folder.",
              type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("--split", default="test", show_default=True, type=click.Choice(["train", "val", "test"]),
              help="Split whose query streams to export (evaluation scores the test split).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="JSON-lines file to write: a header line, then {stream, item, steps} per stream.")
def streams_command(catalog_dir: str, split: str, out: str) -> None:
    """Export a split's query streams, numbered, for a model outside ganbench to draw.

    Draw every step of every stream and save the images as DIR/<stream>/<draw>/<step>.png (or list
    them in a CSV manifest of stream,step,seed,path), then score them with `ganbench eval --images DIR
    --catalog CATALOG --out metrics.json`; the line printed says how many draws per stream the default
    [eval] settings need (docs/evaluation.md).

    \b
    Example:
      ganbench data streams --catalog catalogs/synth --split test --out streams.jsonl
    """
    from ganbench.config import EvalConfig
    from ganbench.data.catalog import Catalog, CatalogError
    from ganbench.data.streams import stream_records, write_streams
    from ganbench.eval.image_folder import draws_per_stream, evaluation_draws

    try:
        catalog = Catalog.open(catalog_dir)
        records = stream_records(catalog, split)
        path = write_streams(records, out, catalog, split)
        needed = draws_per_stream(evaluation_draws(catalog, EvalConfig())) if split == "test" else None
    except (CatalogError, ValueError, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {path}: {len(records)} {split} query streams of {catalog.root}")
    if needed:
        most = max(needed.values())
        click.echo(f"for `ganbench eval --images` at the default [eval] settings, draw every stream {most} "
                   f"time(s) (draws 0..{most - 1}); it names any image it lacks before scoring")
