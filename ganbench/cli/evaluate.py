"""``ganbench eval`` and ``ganbench eval-net``: thin commands over :mod:`ganbench.eval`."""

from __future__ import annotations

import json
from pathlib import Path

import click

EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


def _open_catalog(path: Path):
    from ganbench.data.catalog import Catalog

    try:
        return Catalog.open(path)
    except ValueError as error:
        raise click.ClickException(f"--catalog: {error}") from None


def _run_catalog(run_dir: Path, catalog_dir: Path | None):
    """The catalog to evaluate on: ``--catalog`` when given, else the one named in the run's config."""
    if catalog_dir is not None:
        return _open_catalog(catalog_dir)
    from ganbench.config import load_config
    from ganbench.data.catalog import Catalog
    from ganbench.train.runs import CONFIG

    config_path = run_dir / CONFIG
    if not config_path.is_file():
        raise click.ClickException(f"{run_dir} is not a run folder: {CONFIG} is missing")
    try:
        named = load_config(config_path).data.catalog
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    try:
        return Catalog.open(named)
    except ValueError as error:
        raise click.ClickException(f"the catalog named in {config_path} cannot be opened ({error}); if it "
                                   "has moved, pass its folder with --catalog PATH") from None


def _open_lookup(spec: str):
    import colorspace

    if spec == "default":
        return colorspace.default_lookup()
    if not Path(spec).is_file():
        raise click.ClickException(f"--colour-lookup: {spec} is neither 'default' nor a saved lookup table")
    return colorspace.LookupTable.load(spec)


def _eval_net_options(epochs: int, image_size: int, width: int, seed: int):
    from ganbench.eval.evalnet import EvalNetOptions

    return EvalNetOptions(epochs=epochs, image_size=image_size, width=width, seed=seed)


def _eval_net_flags(command):
    """The options that choose (and key) the evaluation network, shared by eval and eval-net train."""
    defaults = {"epochs": 8, "image_size": 64, "width": 16}
    for flag, name, help_text in (
        ("--net-epochs", "epochs", "Eval-net training epochs."),
        ("--net-image-size", "image_size", "Eval-net input size in pixels."),
        ("--net-width", "width", "Eval-net base channel width."),
    ):
        command = click.option(
            flag, name, type=click.IntRange(min=1), default=defaults[name], show_default=True, help=help_text
        )(command)
    command = click.option(
        "--colour-lookup",
        default="default",
        show_default=True,
        help="Colour lookup table of the colour head: 'default' or a file.",
    )(command)
    device = click.option("--device", default="auto", show_default=True,
                          help="torch device: auto (CUDA when available, else CPU), cpu or cuda.")
    return device(command)


def resolved_device(name: str) -> str:
    """``--device`` resolved (auto -> cuda or cpu), or one line saying what was expected."""
    from ganbench.train.precision import resolve_device

    try:
        return str(resolve_device(name))
    except ValueError:
        raise click.ClickException(f"--device {name}: no CUDA device is available; use auto or cpu") from None
    except RuntimeError:
        raise click.ClickException(f"--device {name}: expected auto, cpu, cuda or cuda:N") from None


@click.command("eval")
@click.argument("run_dir", type=EXISTING_DIR)
@click.option("--catalog", "catalog_dir", type=EXISTING_DIR,
              help="Catalog to evaluate on (default: the one in RUN_DIR/config.toml).")
@click.option(
    "--n-samples",
    type=click.IntRange(min=2),
    default=None,
    help="Query streams to generate (default: one per test item; cycles through them if larger).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated images.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write metrics.json (default: RUN_DIR/metrics.json).",
)
@click.option(
    "--inception-weights",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Local Inception-v3 weights (torch-fidelity format): FID/KID on Inception instead of the eval net.",
)
@click.option(
    "--inception-feature",
    type=click.Choice(["64", "192", "768", "2048"]),
    default="2048",
    show_default=True,
    help="Inception layer for FID/KID (smaller layers suit small sample counts).",
)
@click.option("--k", type=click.IntRange(min=1), default=10, show_default=True, help="k of precision@k.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Query streams per generate call.",
)
@_eval_net_flags
def eval_command(
    run_dir: Path,
    catalog_dir: Path | None,
    n_samples: int | None,
    seed: int,
    out: Path | None,
    inception_weights: Path | None,
    inception_feature: str,
    k: int,
    batch_size: int,
    epochs: int,
    image_size: int,
    width: int,
    colour_lookup: str,
    device: str,
) -> None:
    """Evaluate a run's EMA generator on a catalog's test query streams; write metrics.json.

    The catalog is the one the run was trained on (from its config.toml) unless --catalog names
    another (or the same one, moved). Trains the catalog's evaluation network first if it has none for
    this lookup table (stored in CATALOG/eval_net/ and reused). Prints a summary table; the same
    checkpoint, catalog and seed give the same metrics.

    \b
    Examples:
      ganbench eval runs/restgan
      ganbench eval runs/restgan --catalog catalogs/synth
      ganbench eval runs/restgan --catalog catalogs/synth --n-samples 2000 --seed 1 --out m.json
      ganbench eval runs/bow --catalog catalogs/synth --inception-weights ~/weights-inception.pth
    """
    from ganbench.eval.evaluate import EvalSettings, evaluate_run
    from ganbench.eval.summary import format_summary

    settings = EvalSettings(k=k, batch_size=batch_size, device=resolved_device(device),
                            inception_feature=inception_feature,
                            eval_net=_eval_net_options(epochs, image_size, width, 0))
    catalog = _run_catalog(run_dir, catalog_dir)
    try:
        metrics = evaluate_run(
            run_dir,
            catalog,
            n_samples,
            seed,
            inception_weights,
            out or run_dir / "metrics.json",
            lookup=_open_lookup(colour_lookup),
            settings=settings,
            log=lambda line: click.echo(line, err=True),
        )
    except (ValueError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_summary(metrics))
    click.echo(f"wrote {out or run_dir / 'metrics.json'}")


@click.group("eval-net")
def eval_net() -> None:
    """Train or inspect the attribute classifier that evaluation uses (one per catalog and lookup table)."""


@eval_net.command("train")
@click.option("--catalog", "catalog_dir", required=True, type=EXISTING_DIR, help="Catalog folder.")
@click.option("--seed", type=int, default=0, show_default=True, help="Training seed.")
@click.option("--force", is_flag=True, help="Retrain even if a stored network matches.")
@_eval_net_flags
def eval_net_train(
    catalog_dir: Path,
    seed: int,
    force: bool,
    epochs: int,
    image_size: int,
    width: int,
    colour_lookup: str,
    device: str,
) -> None:
    """Train the catalog's evaluation network on its train split; print its per-head test accuracy.

    The network is stored in CATALOG/eval_net/KEY/ (KEY hashes the catalog, the lookup table and these
    options) and reused by `ganbench eval` until one of them changes. The test confusion matrices go to
    CATALOG/eval_net/KEY/confusion_HEAD.csv (and report.json); `ganbench report` draws them.

    \b
    Examples:
      ganbench eval-net train --catalog catalogs/synth
      ganbench eval-net train --catalog catalogs/synth --net-epochs 12 --force
    """
    from ganbench.eval.evalnet_train import ensure_eval_net, format_report

    try:
        net = ensure_eval_net(
            _open_catalog(catalog_dir),
            _open_lookup(colour_lookup),
            _eval_net_options(epochs, image_size, width, seed),
            resolved_device(device),
            force=force,
            log=lambda line: click.echo(line, err=True),
        )
    except (ValueError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_report(net.report, net.path.parent if net.path else None))
    click.echo(f"eval-net: {net.path}")


@eval_net.command("info")
@click.option("--catalog", "catalog_dir", required=True, type=EXISTING_DIR, help="Catalog folder.")
def eval_net_info(catalog_dir: Path) -> None:
    """List the evaluation networks stored with a catalog, their heads and test accuracies.

    \b
    Example:
      ganbench eval-net info --catalog catalogs/synth
    """
    from ganbench.eval.evalnet import EVAL_NET_DIRNAME, REPORT_FILE

    try:
        catalog = _open_catalog(catalog_dir)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    reports = sorted((Path(catalog.root) / EVAL_NET_DIRNAME).glob(f"*/{REPORT_FILE}"))
    if not reports:
        click.echo(
            f"no evaluation network stored in {catalog.root}; run: ganbench eval-net train --catalog "
            f"{catalog_dir}"
        )
        return
    for path in reports:
        report = json.loads(path.read_text())
        current = "current catalog" if report.get("catalog_hash") == catalog.hash else "older catalog"
        accuracies = ", ".join(
            f"{h} {e['accuracy']:.3f}" if e.get("accuracy") is not None else f"{h} n/a"
            for h, e in report.get("heads", {}).items()
        )
        click.echo(
            f"{path.parent.name}  ({current}, lookup {report.get('lookup_hash')}, "
            f"{report.get('train_seconds')} s): {accuracies}"
        )
