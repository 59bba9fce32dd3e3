"""Which way is better for each metric of ``metrics.json`` (the report bolds and compares with this).

Names are the report's dotted names (``attribute_accuracy.type``); per-attribute tables take the
direction of their headline metric. ``step_feature_distance`` has none: an image should change as much
as the request needs, no more and no less; nor has ``query_diversity``, whose target is 1 (real photos).
"""

from __future__ import annotations

HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"

_EXACT = {
    "is_type": HIGHER, "is_colour": HIGHER, "is_gender": HIGHER,
    "fid": LOWER, "kid": LOWER,
    # the second, independent evaluation network (issue 19)
    "second_is_type": HIGHER, "second_is_colour": HIGHER, "second_is_gender": HIGHER,
    "second_fid": LOWER, "second_kid": LOWER,
    "colour_de00_mean": LOWER, "colour_de00_median": LOWER,
    "colour_de00_within_5": HIGHER, "colour_de00_within_10": HIGHER,
    "retention_rate": HIGHER, "response_rate": HIGHER, "response_rate_raw": HIGHER,
    "refinement_score": HIGHER, "step_feature_distance": NEUTRAL,
    "precision_at_k": HIGHER, "precision_at_k_raw": HIGHER,
    "improved_precision": HIGHER, "improved_recall": HIGHER, "intra_fid_mean": LOWER,
    # 1 = as varied as real photos; more is not better (noise is varied): no direction
    "query_diversity": NEUTRAL, "seed_pixel_difference": NEUTRAL, "real_pixel_difference": NEUTRAL,
}
_TABLES = {
    "attribute_accuracy.": HIGHER, "retention_by_attribute.": HIGHER, "response_by_attribute.": HIGHER,
    "response_by_word.": HIGHER,
    "colour_de00_by_cluster.": LOWER, "colour_de00_within_5_by_cluster.": HIGHER,
    "colour_de00_within_10_by_cluster.": HIGHER, "intra_fid.": LOWER,
}


def direction(metric: str) -> str:
    """``"higher"``, ``"lower"`` or ``"neutral"`` (also for names it does not know)."""
    if metric in _EXACT:
        return _EXACT[metric]
    return next((way for prefix, way in _TABLES.items() if metric.startswith(prefix)), NEUTRAL)
