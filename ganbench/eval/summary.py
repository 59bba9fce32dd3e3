"""The printed summary of a ``metrics.json``: one line per metric, mean ± std (n)."""

from __future__ import annotations

HEADLINE = (
    "is_type",
    "is_colour",
    "is_gender",
    "fid",
    "kid",
    "colour_de00_mean",
    "colour_de00_median",
    "colour_de00_within_5",
    "colour_de00_within_10",
)
REFINEMENT = (
    "retention_rate",
    "response_rate",
    "response_rate_raw",
    "refinement_score",
    "step_feature_distance",
    "precision_at_k",
    "precision_at_k_raw",
)
DIVERSITY = (  # ganbench.eval.diversity; intra_fid per type follows
    "query_diversity",
    "seed_pixel_difference",
    "real_pixel_difference",
    "improved_precision",
    "improved_recall",
    "intra_fid_mean",
)


def _cell(entry: dict | None) -> str:
    if not entry or entry.get("mean") is None:
        return f"{'n/a':>12} {'':>10} {entry.get('n', 0) if entry else 0:>7}"
    std = "" if entry.get("std") is None else f"± {entry['std']:.4g}"
    return f"{entry['mean']:>12.4g} {std:>10} {entry['n']:>7}"


def format_summary(metrics: dict) -> str:
    """A plain-text table of every headline metric of an evaluation."""
    rows = [(name, metrics.get(name)) for name in HEADLINE]
    rows += [(f"attribute_accuracy.{h}", e) for h, e in metrics.get("attribute_accuracy", {}).items()]
    rows += [(name, metrics.get(name)) for name in REFINEMENT]
    rows += [(name, metrics[name]) for name in DIVERSITY if name in metrics]
    rows += [(f"intra_fid.{t}", e) for t, e in metrics.get("intra_fid", {}).items()]
    width = max(len(name) for name, _ in rows)
    lines = [f"{'metric':<{width}} {'mean':>12} {'std':>10} {'n':>7}"]
    lines += [f"{name:<{width}} {_cell(entry)}" for name, entry in rows]
    k, features = metrics.get("settings", {}).get("retrieval_k"), metrics.get("fid_features")
    timing = metrics.get("timing", {})
    reference = metrics.get("reference", {})
    against = f" against {reference.get('n_images')} {reference.get('set')} images" if reference else ""
    lines.append(
        f"(n_samples {metrics.get('n_samples')}, seed {metrics.get('seed')}, FID/KID on {features}{against}, "
        f"precision@{k}, {timing.get('total_s', '?')} s)"
    )
    requested = metrics.get("streams", {}).get("n_samples_requested")
    if requested is not None and requested != metrics.get("n_samples"):
        lines.append(f"(n_samples {requested} rounded to {metrics.get('n_samples')}: whole passes over the "
                     f"{metrics['streams'].get('test_streams')} test streams, so every query counts equally)")
    if reference.get("note"):
        lines.append(f"(reference: {reference['note']})")
    lines += [f"warning: {warning}" for warning in metrics.get("warnings", [])]
    return "\n".join(lines)
