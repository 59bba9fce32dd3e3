"""``ganbench report``: every table, plot and strip of an experiment's results folder, then the index.

Reads only stored files: ``cells/*/metrics.json``, the run logs (``run/log.jsonl``) and the media each
cell stored (``media/``); it never trains, generates or evaluates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ganbench.config import ConfigError, RunConfig
from ganbench.config.loader import build_run_config
from ganbench.report import conditioning, evaluators, plots, strips
from ganbench.report import diversity as diversity_report
from ganbench.report.claims_report import claims_items
from ganbench.report.colour_study import colour_studies, study_markdown, write_summary
from ganbench.report.evalnet_figure import confusion_heatmaps, stored_eval_nets
from ganbench.report.index import Figure, Item, write_html, write_markdown
from ganbench.report.provenance import report_provenance
from ganbench.report.results import (
    DEFAULT_VARIANT,
    Results,
    ResultsError,
    cell_spread,
    load_results,
    summarise_over_seeds,
)
from ganbench.report.stale import remove_unreferenced_figures
from ganbench.report.tables import (
    BEYOND_COLUMNS,
    PAPER_COLUMNS,
    SECOND_COLUMNS,
    Table,
    build_table,
    change_caption,
    change_to_csv,
    position_summary,
    positions_to_csv,
    row_label,
    to_csv,
    to_latex,
    to_markdown,
)
from ganbench.report.word_response import word_response_items

CLUSTER_PREFIX = "colour_de00_by_cluster."


def write_report(results_dir: str | Path, out_dir: str | Path | None = None, figures: bool = True) -> Path:
    """Write the report of ``results_dir`` into ``out_dir`` (default: the results folder); returns
    the path of ``index.md``. ``figures=False`` writes the tables and the index only (fast). The
    experiment's stored settings say which model is proposed and what its paper reported."""
    results = load_results(results_dir)
    experiment = stored_experiment(results)
    out = Path(out_dir) if out_dir is not None else results.root
    (out / "tables").mkdir(parents=True, exist_ok=True)
    paper = build_table(results.metrics, PAPER_COLUMNS, proposed=experiment.run.proposed,
                        reported=experiment.report.reported_change, calibration=results.calibration)
    beyond = build_table(results.metrics, BEYOND_COLUMNS, proposed=experiment.run.proposed, reported={},
                         calibration=results.calibration)
    items = [_table_item(paper, out, "paper_table", "Paper table", _paper_caption(paper, results))]
    items += claims_items(results.metrics, experiment.run.proposed, PAPER_COLUMNS, out)
    items += [_table_item(beyond, out, "beyond_table", "Beyond the paper", _beyond_caption(beyond, results))]
    items += _second_evaluator_item(results, out, experiment)
    items += _conditioning_item(results, out)
    items += word_response_items(results, out, figures)
    items += _diversity_item(results, out)
    write_per_seed(results, out / "tables" / "per_seed.csv")
    if figures:
        items += _figure_items(results, paper, beyond, out / "figures", out)
        remove_unreferenced_figures(out, items)  # figures of an earlier build the new one does not show
    name = experiment.run.name or results.root.name
    description = experiment.run.description
    intro = (f"{description + ' ' if description else ''}"
             f"Results of experiment `{name}`: {len(results.cells)} finished cell(s)"
             f"{f', {len(results.missing)} without metrics' if results.missing else ''}. "
             "Every number is read from the cells' metrics.json files.")
    intro += "".join(f"\n\n**{warning}**" for warning in evaluators.weak_judge_warnings(results))
    provenance = report_provenance(results)
    write_html(out / "index.html", f"ganbench report: {name}", intro, items, provenance)
    return write_markdown(out / "index.md", f"ganbench report: {name}", intro, items, provenance)


def _table_item(table: Table, out: Path, stem: str, title: str, caption: str) -> Item:
    files = {"md": to_markdown(table), "tex": to_latex(table, caption, f"tab:{stem}"), "csv": to_csv(table)}
    for suffix, text in (("change.csv", change_to_csv(table)), ("position.csv", positions_to_csv(table))):
        if text is not None:
            files[suffix] = text
    for suffix, text in files.items():
        (out / "tables" / f"{stem}.{suffix}").write_text(text, encoding="utf-8")
    downloads = [f"tables/{stem}.{suffix}" for suffix in files if suffix != "md"]
    return Item(title, caption, markdown=files["md"], table=table, downloads=downloads)


def _second_evaluator_item(results: Results, out: Path, experiment: RunConfig) -> list[Item]:
    """The second evaluator's table, its weak-judge warning, and each paper column's verdict under both
    evaluators with Kendall τ between their rankings; nothing for results without second_* metrics."""
    if not evaluators.has_second(results):
        return []
    proposed = experiment.run.proposed
    table = build_table(results.metrics, SECOND_COLUMNS, proposed=proposed, calibration=results.calibration)
    item = _table_item(table, out, "second_evaluator", "Second evaluator", _second_caption(table, results))
    models = [model for model, variant in table.rows if variant == DEFAULT_VARIANT]
    agreement = evaluators.agreement(results.metrics, proposed, models) if proposed else None
    warnings = [w for w in evaluators.weak_judge_warnings(results) if "second" in w]
    text = "".join(f"**{warning}**\n\n" for warning in warnings)
    if agreement is not None:
        text += ("Does the proposed model beat every baseline (intersection-union test, Holm over the four "
                 "columns, α 0.05) under each evaluator, and do the evaluators rank the models alike?\n\n"
                 + evaluators.agreement_markdown(agreement))
        agreement.to_csv(out / "tables" / "claims_second.csv", index=False, float_format="%.6g",
                         lineterminator="\n")
        item.downloads.append("tables/claims_second.csv")
    item.markdown += "\n" + text
    return [item]


def _second_caption(table: Table, results: Results) -> str:
    change = f" {change_caption(table)}." if table.change is not None and change_caption(table) else ""
    return (f"The paper metrics scored by a second, independent evaluator. {evaluators.net_caption(results)} "
            f"{table.caption_spread()}; best model per column in bold; {fid_sample_caption(results)}."
            f"{change} "
            f"{_calibration_caption(table, results)}").rstrip()


def _conditioning_item(results: Results, out: Path) -> list[Item]:
    """The conditioning check (:mod:`ganbench.report.conditioning`): its table, then a verdict per model;
    nothing when no cell has a conditioning strength or an attribute accuracy."""
    majority = conditioning.majority_rows(results.metrics)
    frames = [frame for frame in (results.calibration, majority) if not frame.empty]
    rows = pd.concat(frames, ignore_index=True) if frames else None
    table = build_table(results.metrics, conditioning.CONDITIONING_COLUMNS, calibration=rows)
    if not table.columns:
        return []
    item = _table_item(table, out, "conditioning_table", "Conditioning check", conditioning.caption(table))
    item.markdown += "\n" + conditioning.verdicts_markdown(table) + "\n"
    return [item]


def _diversity_item(results: Results, out: Path) -> list[Item]:
    """The diversity table (:mod:`ganbench.report.diversity`); nothing when no cell has its metrics."""
    table = diversity_report.diversity_table(results)
    if not table.columns:
        return []
    return [_table_item(table, out, "diversity_table", "Diversity", diversity_report.caption(table, results))]


def _paper_caption(table: Table, results: Results) -> str:
    features = _first_extra(results, "fid_features")
    space = f" on {features} features" if features else ""
    reference = _first_extra_dict(results, "reference")
    against = f"the catalog's {reference['set']} images" if reference.get("set") else "the catalog's images"
    change = ""
    if table.change is not None:
        reported = table.change["paper_percent"].notna().any()
        tested = change_caption(table)
        change = (f" The row '{table.proposed} vs best baseline' is {table.proposed} against the best other "
                  "model per column" + (", beside its paper's reported change" if reported else "")
                  + (f"; {tested}" if tested else "") + ".")
    return ("Per-attribute Inception Scores from the evaluation classifier (higher is better) and "
            f"FID{space} against {against} (lower is better); {table.caption_spread()}; best model per "
            f"column in bold; {fid_sample_caption(results)}.{change} {_calibration_caption(table, results)}"
            ).rstrip()


def fid_sample_caption(results: Results) -> str:
    """"FID over N drawn images per row (mean of K disjoint subsets for a model's images)" from the first
    cell's settings, else "FID over n images" from the stored FID entries' n."""
    settings = _first_extra_dict(results, "settings")
    samples, subsets = settings.get("fid_samples"), settings.get("fid_subsets")
    if isinstance(samples, int):
        kind = (f" (mean of {subsets} disjoint subsets for a model's images)"
                if isinstance(subsets, int) else "")
        return f"FID over {samples} drawn images per row{kind}"
    counts = pd.to_numeric(results.metrics.loc[results.metrics["metric"] == "fid", "n"], errors="coerce")
    counts = sorted(set(int(n) for n in counts.dropna()))
    return f"FID over {'/'.join(map(str, counts))} images" if counts else "FID sample size not stored"


def _beyond_caption(table: Table, results: Results) -> str:
    return ("Measurements the paper lacks: CIEDE2000 colour error to the requested term, attribute accuracy "
            "of the generated images, refinement when a word is added (Refinement = harmonic mean of "
            "Retention and Response, where Response counts only steps whose previous image did not already "
            "show the requested value; Retention and Response alone are not bolded, a static image wins "
            "Retention), retrieval precision@k normalised by min(k, relevant products) over the train "
            f"split, and KID; ↑ higher is better, ↓ lower is better, ↕ neither (Step distance: an image "
            "should move as much as the added words ask, no more, no less); "
            f"{table.caption_spread()}; best model per column in bold."
            f"{_change_sentence(table)} {_calibration_caption(table, results)}").rstrip()


def _change_sentence(table: Table) -> str:
    """The change row's reading for a caption (its tests are corrected within this table only)."""
    if table.change is None:
        return ""
    tested = change_caption(table)
    return (f" The row '{table.proposed} vs best baseline' is {table.proposed} against the best other model "
            "per column (none for a column without a better direction)" + (f"; {tested}" if tested else "")
            + ", separately from the paper table's columns.")


def _calibration_caption(table: Table, results: Results) -> str:
    """What the calibration rows are and where each model sits between them (or how to add them)."""
    if table.calibration_mean.empty:
        return ("No calibration rows stored (RESULTS/calibration/): `ganbench run --resume` computes them, "
                "or `ganbench eval --baseline real|mean-image --out RESULTS/calibration/NAME.json`.")
    return ("Calibration rows, scored by the same code and never bold: real images = each test item's own "
            "photo at every step (what real photos score; its FID compares disjoint real sets; one photo "
            "per item, so no refinement: n/a), mean image = the mean train photo for every query (the "
            "floor). " + position_summary(table)).rstrip()


def write_per_seed(results: Results, path: Path) -> Path:
    """Every metric of every cell (and calibration row) with the evaluation's own spread: one row per
    (model, variant, seed, metric)."""
    frame = pd.concat([results.metrics, results.calibration], ignore_index=True)
    frame.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return path


def _figure_items(results: Results, paper: Table, beyond: Table, figures: Path, out: Path) -> list[Item]:
    items: list[Item] = []

    def add(paths: list[Path] | None, title: str, caption: str) -> None:
        if paths:
            rel = [str(p.relative_to(out)) for p in paths]
            items.append(Item(title, caption, image=rel[0], downloads=rel[1:]))

    add(plots.metric_bars(paper, figures, "paper_metrics"), "Paper metrics",
        f"Paper metrics per model with error bars ({paper.caption_spread()}); one colour and hatch per "
        "model.")
    add(plots.metric_bars(beyond, figures, "beyond_metrics"), "Beyond-paper metrics",
        f"Colour fidelity, accuracy, retention, retrieval and KID per model ({beyond.caption_spread()}).")
    add(plots.training_curves(_training_logs(results), figures, "training_curves"), "Training curves",
        "Losses logged during training, one colour and marker per model (mean over seeds at each step).")
    media = strips.collect_media(results)
    add(strips.sample_grid(media, figures), "Samples",
        "One block per query: one column per model, one row per noise seed (the same seeds for every "
        "model), the image each model draws for the whole query. Under each model: how far its seeds' "
        "images differ (mean absolute pixel difference, 0-255); near 0 the model ignores its noise.")
    items += _strip_items(media, figures, out)
    items += _colour_study_items(results, figures / "colour_study", out)
    items += _eval_net_items(results, figures, out)
    clusters = colour_by_cluster(results)
    add(plots.grouped_bars(clusters, figures, "colour_by_cluster", "de00_mean", "cluster", "model",
                           error="de00_std", ylabel="ΔE00 (lower is better)",
                           title="Colour error per colour cluster", valid=plots.NON_NEGATIVE),
        "Colour fidelity per colour cluster",
        "CIEDE2000 between the requested colour term and the generated garment's dominant colour, per "
        "colour cluster of the lookup table, over the evaluation's test query streams.")
    return items


def _strip_items(media: list[strips.ModelMedia], figures: Path, out: Path) -> list[Item]:
    """All refinement strips in one gallery: each strip's PNG inline, its GIF and PDF linked."""
    written = strips.refinement_strips(media, figures)
    if not written:
        return []
    gallery = [Figure(str(png.relative_to(out)), " -> ".join(stream),
                      [str(gif.relative_to(out)), str(pdf.relative_to(out))])
               for stream, (png, pdf, gif) in zip(media[0].streams, written, strict=True)]
    return [Item("Refinement strips", "One strip per query: one row per model, one column per query step "
                 "(the first column answers the opening query, each next column adds the words above it), "
                 "the same noise throughout. Each strip's GIF shows one step per frame with the models "
                 "side by side.", gallery=gallery)]


def _colour_study_items(results: Results, folder: Path, out: Path) -> list[Item]:
    summary, written = colour_studies(results, folder)
    if summary.empty:
        return []
    folder.mkdir(parents=True, exist_ok=True)  # no model may have had enough terms for plots
    write_summary(summary, folder / "summary")
    caption = ("Do distances between a model's colour-term embeddings follow perceptual CIEDE2000 "
               "distances? Spearman ρ over term pairs with a permutation p-value, nearest-neighbour "
               "agreement and 5-NN overlap (colorspace.study). Compare models on the between-cluster "
               "columns (pairs of terms from different lookup-table clusters): a model that reads colour "
               "words as cluster tokens puts every within-cluster pair at distance 0 by construction, "
               "which inflates its all-pairs figures.")
    gallery = []
    for label, paths in written.items():  # paths: the per-term table first, then the plots
        pngs = [str(p.relative_to(out)) for p in paths if p.suffix == ".png"]
        gallery.append(Figure(pngs[0], label, pngs[1:] + [str(paths[0].relative_to(out))]))
    return [Item("Colour-term study", caption, markdown=study_markdown(summary),
                 downloads=[str((folder / "summary.csv").relative_to(out))]),
            Item("Colour-term study per model", "Embedding cosine distance against CIEDE2000 per term pair; "
                 "heatmaps, swatches and a*b* scatter alongside.", gallery=gallery)]


def _eval_net_items(results: Results, figures: Path, out: Path) -> list[Item]:
    """The evaluation network's confusion matrices on the catalog's test images, one figure per network;
    a network whose report is not found is listed with where it was looked for."""
    items = []
    for net in stored_eval_nets(results):
        title = f"Evaluation network {net.key}"
        if net.report is None:
            where = ", ".join(str(p) for p in net.looked_at)
            items.append(Item(title, f"Its report was not found (looked at {where}): the catalog has moved "
                              "or its evaluation network was removed, so no confusion matrices are shown."))
            continue
        paths = confusion_heatmaps(net.report, figures, f"eval_net_confusion_{net.key}")
        if paths:
            rel = [str(p.relative_to(out)) for p in paths]
            items.append(Item(title, "Confusion matrices of the attribute classifier that scores every "
                              "model, on the catalog's real test images: how far its IS, accuracy and "
                              "retention figures can be trusted per attribute.", image=rel[0],
                              downloads=rel[1:]))
    return items


def _training_logs(results: Results) -> dict[str, pd.DataFrame]:
    logs: dict[str, list[pd.DataFrame]] = {}
    for name, folder in results.cells.items():
        model, variant, seed = name.split("__")
        log = plots.read_log(folder / "run")
        if not log.empty:
            logs.setdefault(row_label(model, variant), []).append(log.assign(seed=seed))
    return {label: pd.concat(frames, ignore_index=True) for label, frames in logs.items()}


def colour_by_cluster(results: Results) -> pd.DataFrame:
    """Per (model row, colour cluster): the evaluation's mean dE00 (``colour_de00_by_cluster``), averaged
    over seeds, with the 95% t-interval over seeds (or, for one seed, the evaluation's bootstrap spread)."""
    chosen = results.metrics[results.metrics["metric"].str.startswith(CLUSTER_PREFIX)]
    if chosen.empty:
        return pd.DataFrame(columns=["model", "cluster", "de00_mean", "de00_std"])
    summary = summarise_over_seeds(chosen)
    spread = cell_spread(summary)
    return pd.DataFrame({
        "model": [row_label(m, v) for m, v in zip(summary["model"], summary["variant"], strict=True)],
        "cluster": summary["metric"].str.slice(len(CLUSTER_PREFIX)),
        "de00_mean": summary["mean"], "de00_std": spread})


def _first_extra(results: Results, key: str) -> str:
    for extras in results.extras.values():
        if isinstance(extras.get(key), str):
            return extras[key]
    return ""


def stored_experiment(results: Results) -> RunConfig:
    """The settings `ganbench run` stored with the results (``experiment.json``); defaults without one."""
    stored = results.root / "experiment.json"
    if not stored.is_file():
        return RunConfig()
    try:
        return build_run_config(json.loads(stored.read_text(encoding="utf-8")), str(stored), experiment=True)
    except (ConfigError, json.JSONDecodeError) as error:
        raise ResultsError(f"{stored} does not hold an experiment's settings ({error}); it may come from an "
                           "older ganbench: `ganbench run EXPERIMENT.toml --out RESULTS --resume` rewrites "
                           "it without training again") from None


def _first_extra_dict(results: Results, key: str) -> dict:
    for extras in results.extras.values():
        if isinstance(extras.get(key), dict):
            return extras[key]
    return {}
