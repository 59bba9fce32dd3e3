"""IS, FID and KID judged by the second, independent evaluation network (``second_*`` in metrics.json).

The same drawn images as every other metric (no second draw), the same reference plan and FID subsets
as ``fid``/``kid``; only the judge differs (:mod:`ganbench.eval.evalnet2`: another architecture, trained
on the val split). Where the two judges disagree about a ranking, the ranking is the classifier's
opinion, not the images'.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.config import EvalConfig
from ganbench.eval.evalnet import EVAL_NET_DIRNAME, EvalNet
from ganbench.eval.evalnet2 import train_split_name
from ganbench.eval.extractor import POOLED, classifier_extractor, logits_feature
from ganbench.eval.features import cached_real_features, extract_features, inception_score, kid_entry
from ganbench.eval.fid import equal_n_fid_entry, fid_statistics
from ganbench.eval.reference import ReferencePlan
from ganbench.eval.uncertainty import metric_entry

SECOND_PREFIX = "second_"


def second_net_metrics(net: EvalNet, images: torch.Tensor, plan: ReferencePlan, subsets: list[np.ndarray],
                       catalog: Any, settings: EvalConfig, heads: tuple[str, ...],
                       log: Callable[[str], None] = print) -> dict:
    """``second_is_<head>``, ``second_fid``, ``second_kid`` and ``second_eval_net`` judged by ``net``
    (:func:`~ganbench.eval.evalnet2.ensure_second_net`) of the drawn final ``images`` (uint8, stream
    order); ``subsets`` index ``plan.generated`` as for ``fid``."""
    extractor = classifier_extractor(net, [POOLED, *(logits_feature(h) for h in net.classes)],
                                     settings.device)
    drawn = extract_features(images, extractor, batch_size=256, device=settings.device)
    cache = Path(catalog.root) / EVAL_NET_DIRNAME / "cache"
    real = cached_real_features(catalog, "all", np.arange(len(catalog.items)), int(images.shape[-1]),
                                extractor, net.weights_hash, cache, settings.device, log)[POOLED]
    out: dict[str, Any] = {}
    for head in heads:
        logits = drawn.get(logits_feature(head))
        out[f"{SECOND_PREFIX}is_{head}"] = (metric_entry(None, None, 0, "isc_splits") if logits is None
                                            else inception_score(logits, settings.seed))
    reference, fake = real[torch.from_numpy(plan.reference)], drawn[POOLED][torch.from_numpy(plan.generated)]
    out[f"{SECOND_PREFIX}fid"] = equal_n_fid_entry(fake, subsets, fid_statistics(reference), settings.seed)
    out[f"{SECOND_PREFIX}kid"] = kid_entry(fake, reference, settings.seed)
    out[f"{SECOND_PREFIX}eval_net"] = provenance(net, settings)
    return out


def provenance(net: EvalNet, settings: EvalConfig) -> dict:
    """What identifies the second net (read by the report as an extra, like ``eval_net``)."""
    return {
        "key": net.key,
        "weights_hash": net.weights_hash,
        "heads": list(net.classes),
        "test_accuracy": {h: e.get("accuracy") for h, e in net.report.get("heads", {}).items()},
        "train_split": train_split_name(settings.net2),
    }
