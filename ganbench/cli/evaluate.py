"""``ganbench eval`` and ``ganbench eval-net``: thin commands over :mod:`ganbench.eval`.

Their options are [eval] settings (see :mod:`ganbench.cli.settings_options`): ``ganbench eval`` starts
from the [eval] table the run recorded in its config.toml, so it evaluates as the experiment did.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ganbench.cli.settings_options import SettingFlag, given_settings, setting_flags

EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)

EVAL_NET_FLAGS = (
    SettingFlag("--net-epochs", "eval.net.epochs", click.INT,
                "Eval-net training epochs at most (it stops once val accuracy stops improving)."),
    SettingFlag("--net-image-size", "eval.net.image_size", click.INT, "Eval-net input size in pixels."),
    SettingFlag("--net-width", "eval.net.width", click.INT, "Eval-net base channel width."),
    SettingFlag("--colour-lookup", "eval.colour_lookup", str,
                "Colour lookup table of the colour head: 'default' or a file."),
    SettingFlag("--device", "eval.device", str, "torch device: auto (CUDA if any), cpu, cuda, cuda:N."),
)
EVAL_FLAGS = (
    SettingFlag("--n-samples", "eval.n_samples", click.INT,
                "Query streams to generate (unset: one per test item; cycles through them if larger)."),
    SettingFlag("--seed", "eval.seed", click.INT, "Seed of the generated images."),
    SettingFlag("--inception-weights", "eval.inception_weights", click.Path(exists=True, dir_okay=False),
                "Local Inception-v3 weights (torch-fidelity format): FID/KID on Inception features."),
    SettingFlag("--inception-feature", "eval.inception_feature", click.Choice(["64", "192", "768", "2048"]),
                "Inception layer for FID/KID (smaller layers suit small sample counts)."),
    SettingFlag("--k", "eval.k", click.INT, "k of precision@k."),
    SettingFlag("--batch-size", "eval.batch_size", click.INT, "Query streams per generate call."),
    SettingFlag("--reference", "eval.reference", str,
                "Real images FID/KID compare with: train, test or heldout (val + test)."),
    *EVAL_NET_FLAGS,
)
NET_TRAIN_FLAGS = (SettingFlag("--seed", "eval.net.seed", click.INT, "Training seed."), *EVAL_NET_FLAGS)


def _eval_settings(config_file: Path | None, flags: tuple[SettingFlag, ...], values: dict, overrides=()):
    """The [eval] settings: ``config_file`` (or the defaults), then the given flags, then ``--set``."""
    from ganbench.config.loader import load_section

    return load_section("eval", config_file, overrides, given_settings(flags, values))


def _open_catalog(path: Path, option: str = "--catalog"):
    from ganbench.data.catalog import Catalog

    try:
        return Catalog.open(path)
    except ValueError as error:
        raise click.ClickException(f"{option}: {error}") from None


def _run_catalog(run_dir: Path, catalog_dir: Path | None):
    """The catalog to evaluate on: ``--catalog`` when given, else the run's ``data.catalog``."""
    from ganbench.train.runs import CONFIG, read_run_config

    if catalog_dir is not None:
        return _open_catalog(catalog_dir)
    named = read_run_config(run_dir).data.catalog
    return _open_catalog(named, f"the catalog named in {run_dir / CONFIG} (moved? pass its folder with "
                                "--catalog PATH)")


def _to_stderr(line: str) -> None:
    click.echo(line, err=True)


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
@click.argument("run_dir", type=EXISTING_DIR, required=False)
@click.option("--baseline", default=None,
              help="Score a calibration row instead of a run: real (the catalog's own photos) or mean-image.")
@click.option("--images", type=click.Path(exists=True, path_type=Path), default=None,
              help="Score images made by any model: a folder DIR/<stream>/<draw>/<step>.png or a CSV "
                   "manifest (stream,step,seed,path); see docs/evaluation.md.")
@click.option("--image-size", "baseline_size", type=click.IntRange(min=8), default=None,
              help="Image size of a --baseline row (default: the eval net's input size; use the models').")
@click.option("--catalog", "catalog_dir", type=EXISTING_DIR,
              help="Catalog to evaluate on (default: the one in RUN_DIR/config.toml; needed by --baseline).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write metrics.json (default: RUN_DIR/metrics.json).")
@click.option("--set", "overrides", multiple=True, metavar="eval.KEY=VALUE",
              help="Override one [eval] setting, value read as TOML (repeatable).")
@setting_flags(EVAL_FLAGS)
def eval_command(run_dir: Path | None, baseline: str | None, images: Path | None, baseline_size: int | None,
                 catalog_dir: Path | None, out: Path | None, overrides: tuple[str, ...], **flags) -> None:
    """Evaluate a run's EMA generator on a catalog's test query streams; write metrics.json.

    The catalog is the one the run was trained on (from its config.toml) unless --catalog names
    another (or the same one, moved). Settings come from the [eval] table of the run's config.toml
    (what its experiment asked for), then the options below, then every --set. Trains the catalog's
    evaluation network first if it has none for this lookup table (stored in CATALOG/eval_net/ and
    reused). Prints a summary table; the same checkpoint, catalog and settings give the same metrics.
    With --baseline (and no RUN_DIR; settings: the defaults, the options, --set) it scores a calibration
    row with the same code: 'real' draws each test item's own photo at every step (the ceiling; FID/KID
    against real photos without those items), 'mean-image' the mean train photo for every query (the
    floor). With --images (and no RUN_DIR) it scores images made by any model for the catalog's test
    query streams (`ganbench data streams` lists them), laid out as DIR/<stream>/<draw>/<step>.png or
    listed in a CSV manifest; every image the settings need is checked before any work.

    \b
    Examples:
      ganbench eval runs/restgan
      ganbench eval runs/restgan --catalog catalogs/synth
      ganbench eval runs/restgan --catalog catalogs/synth --n-samples 2000 --seed 1 --out m.json
      ganbench eval runs/bow --catalog catalogs/synth --inception-weights ~/weights-inception.pth
      ganbench eval runs/bow --catalog catalogs/synth --set eval.bootstrap_rounds=200
      ganbench eval --baseline real --catalog catalogs/synth --image-size 64 --out real.json
      ganbench eval --baseline mean-image --catalog catalogs/synth --reference heldout --out mean.json
      ganbench eval --images my_model_images/ --catalog catalogs/synth --out mine.json
    """
    from ganbench.eval.summary import format_summary
    from ganbench.train.runs import CONFIG

    out = _eval_target(run_dir, baseline, images, out, catalog_dir)
    if baseline is None and images is None and not (run_dir / CONFIG).is_file():
        raise click.ClickException(f"{run_dir} is not a run folder: {CONFIG} is missing")
    try:
        if images is not None:
            settings = _eval_settings(None, EVAL_FLAGS, flags, overrides)
            metrics = _evaluate_images(images, _open_catalog(catalog_dir), settings, out)
        elif baseline is not None:
            settings = _eval_settings(None, EVAL_FLAGS, flags, overrides)
            metrics = _evaluate_baseline(baseline, _open_catalog(catalog_dir), settings, baseline_size, out)
        else:
            from ganbench.eval.evaluate import evaluate_run

            settings = _eval_settings(run_dir / CONFIG, EVAL_FLAGS, flags, overrides)
            metrics = evaluate_run(run_dir, _run_catalog(run_dir, catalog_dir), settings, out, log=_to_stderr)
    except (ValueError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_summary(metrics))
    click.echo(f"wrote {out}")


def _eval_target(run_dir: Path | None, baseline: str | None, images: Path | None, out: Path | None,
                 catalog_dir: Path | None) -> Path:
    """Where metrics.json goes; refuses no source or two (RUN_DIR, --baseline, --images), an unknown
    baseline, or a baseline or image folder without --catalog / --out."""
    from ganbench.eval.baseline_names import ROW_NAMES

    given = [text for text, value in ((f"RUN_DIR {run_dir}", run_dir), (f"--baseline {baseline}", baseline),
                                      (f"--images {images}", images)) if value is not None]
    if len(given) != 1:
        raise click.ClickException("give one of RUN_DIR, --images DIR or --baseline real|mean-image"
                                   + (f" (got {' and '.join(given)})" if given else ""))
    if baseline is not None and baseline not in ROW_NAMES:
        raise click.ClickException(f"--baseline: unknown baseline {baseline!r}; expected one of: "
                                   f"{', '.join(ROW_NAMES)}")
    if run_dir is None and catalog_dir is None:
        raise click.ClickException(f"{given[0]} needs --catalog DIR (it has no run whose catalog it could "
                                   "use)")
    if run_dir is None and out is None:
        raise click.ClickException(f"{given[0]} needs --out FILE (it has no run folder to write into)")
    return out or run_dir / "metrics.json"


def _evaluate_images(images: Path, catalog, settings, out: Path) -> dict:
    """The metrics of a folder or manifest of images, written to ``out``."""
    import colorspace
    from ganbench.eval.evaluate import write_metrics
    from ganbench.eval.image_folder import evaluate_images

    lookup = colorspace.open_lookup(settings.colour_lookup, setting="eval.colour_lookup")
    metrics = evaluate_images(images, catalog, lookup, settings, log=_to_stderr)
    write_metrics(metrics, out)
    return metrics


def _evaluate_baseline(baseline: str, catalog, settings, image_size: int | None, out: Path) -> dict:
    """A calibration row's metrics, written to ``out``."""
    import colorspace
    from ganbench.eval.calibration import evaluate_baseline
    from ganbench.eval.evaluate import write_metrics

    lookup = colorspace.open_lookup(settings.colour_lookup, setting="eval.colour_lookup")
    metrics = evaluate_baseline(baseline, catalog, lookup, settings, image_size, log=_to_stderr)
    write_metrics(metrics, out)
    return metrics


@click.group("eval-net")
def eval_net() -> None:
    """Train or inspect the attribute classifier that evaluation uses (one per catalog and lookup table)."""


@eval_net.command("train")
@click.option("--catalog", "catalog_dir", required=True, type=EXISTING_DIR, help="Catalog folder.")
@click.option("--force", is_flag=True, help="Retrain even if a stored network matches.")
@setting_flags(NET_TRAIN_FLAGS)
def eval_net_train(catalog_dir: Path, force: bool, **flags) -> None:
    """Train the catalog's evaluation network on its train split; print test accuracy and confusion matrices.

    The network is stored in CATALOG/eval_net/KEY/ (KEY hashes the catalog, the lookup table and these
    options) and reused by `ganbench eval` until one of them changes. The test confusion matrices go to
    CATALOG/eval_net/KEY/confusion_HEAD.csv (and report.json); `ganbench report` draws them.

    \b
    Examples:
      ganbench eval-net train --catalog catalogs/synth
      ganbench eval-net train --catalog catalogs/synth --net-epochs 12 --force
    """
    import colorspace
    from ganbench.eval.evalnet_train import ensure_eval_net, format_report

    try:
        settings = _eval_settings(None, NET_TRAIN_FLAGS, flags)
        lookup = colorspace.open_lookup(settings.colour_lookup, setting="--colour-lookup")
        net = ensure_eval_net(_open_catalog(catalog_dir), lookup, settings.net,
                              resolved_device(settings.device), force=force, log=_to_stderr)
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

    catalog = _open_catalog(catalog_dir)
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
