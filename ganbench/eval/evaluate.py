"""One evaluation of an image source: every metric of ``metrics.json`` from one pass over the images.

Flow: the catalog's evaluation network (trained once, reused) -> draw the test query streams (whole
passes) with a fixed seed, extracting classifier features per batch -> real-image features from the keyed
cache -> IS per head, FID (mean over disjoint subsets of ``fid_samples`` drawn images, so every row's
FID has the same N; see :mod:`ganbench.eval.fid`) / KID against the reference set, the same three judged
by the second evaluation network (``second_*``, :mod:`ganbench.eval.second_net`), colour fidelity,
attribute accuracy, refinement, retrieval. The source is a trained model (:func:`evaluate_model`,
:func:`evaluate_run`) or a calibration row (:mod:`ganbench.eval.calibration`); the metric code is the
same for all. Every metric is
``{"mean", "std", "n", "spread"}`` (see :mod:`ganbench.eval.uncertainty`); the file layout is documented
in docs/architecture.md ("metrics.json").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch

import colorspace
from ganbench.config import EvalConfig
from ganbench.data.files import read_json_object, write_json_atomic
from ganbench.eval.accuracy import MAJORITY_METRIC, attribute_accuracy, majority_rate
from ganbench.eval.attributes import LabelSpace, Requests, default_parser, parse_requests
from ganbench.eval.colour import colour_differences, colour_fidelity, term_labs, unclustered_count
from ganbench.eval.conditioning import conditioning_metrics
from ganbench.eval.diversity import EvaluationView, diversity_metrics
from ganbench.eval.evalnet import EVAL_NET_DIRNAME, EvalNet, file_hash
from ganbench.eval.evalnet2 import ensure_second_net
from ganbench.eval.evalnet_train import ensure_eval_net
from ganbench.eval.extractor import (
    CLASSIFIER_EXTRACTOR,
    INCEPTION_EXTRACTOR,
    POOLED,
    classifier_extractor,
    inception_extractor,
    logits_feature,
)
from ganbench.eval.features import (
    cached_real_features,
    extract_features,
    inception_score,
    is_split_count,
    kid_entry,
)
from ganbench.eval.fid import FID_BOOTSTRAP_ROUNDS, equal_n_fid_entry, fid_statistics, fid_subsets
from ganbench.eval.generation import (
    EvaluationStreams,
    GeneratedSet,
    ImageSource,
    ModelSource,
    evaluation_streams,
    generate_and_extract,
)
from ganbench.eval.provenance import provenance
from ganbench.eval.reference import ReferencePlan, dimension_warnings, plan_reference
from ganbench.eval.retention import refinement_metrics, undefined_refinement
from ganbench.eval.retrieval import NO_EXCLUSION, precision_at_k
from ganbench.eval.second_net import second_net_metrics
from ganbench.eval.uncertainty import metric_entry
from ganbench.eval.word_response import word_response_metrics
from ganbench.eval.word_swap import word_swap_metrics
from ganbench.train.precision import resolve_device
from ganbench.version import __version__

# /2: response and precision@k redefined (issue 11); /3: FID at an equal N (fid_samples, fid_subsets),
# the second evaluation network's second_* metrics, eval nets trained to convergence (issue 19)
METRICS_FORMAT = "ganbench-metrics/3"
IS_HEADS = ("type", "colour", "gender")
EVAL_PRECISION = "fp32"  # evaluation draws and classifies without autocast


def _versions() -> dict[str, str]:
    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "unknown"

    return {
        "ganbench": __version__,
        "torch": torch.__version__,
        "torch-fidelity": installed("torch-fidelity"),
        "numpy": np.__version__,
    }


def _distribution_metrics(
    generated: GeneratedSet,
    plan: ReferencePlan,
    subsets: list[np.ndarray],
    all_features: torch.Tensor,
    settings: EvalConfig,
    catalog: Any,
    log: Callable[[str], None],
) -> dict:
    """IS per head (all drawn images), FID (mean over the equal-N ``subsets`` of the plan's drawn images)
    and KID (all of them) against the plan's reference."""
    out: dict[str, Any] = {}
    for head in IS_HEADS:
        logits = generated.final_logits.get(head)
        out[f"is_{head}"] = (
            metric_entry(None, None, 0, "isc_splits")
            if logits is None
            else inception_score(logits, settings.seed)
        )
    chosen = torch.from_numpy(plan.generated)
    real, fake, name = all_features[torch.from_numpy(plan.reference)], generated.final_pooled[chosen], None
    if settings.inception_weights is not None:
        real, fake, name = _inception_features(generated, plan, catalog, settings, log)
    out["fid"] = equal_n_fid_entry(fake, subsets, fid_statistics(real), settings.seed)
    out["kid"] = kid_entry(fake, real, settings.seed)
    out["fid_features"] = name or CLASSIFIER_EXTRACTOR
    out["reference"] = plan.to_json()
    out["warnings"] = dimension_warnings(plan, int(real.shape[1]))
    for warning in out["warnings"]:
        log(f"eval: warning: {warning}")
    return out


def _equal_n_subsets(plan: ReferencePlan, streams: EvaluationStreams, settings: EvalConfig
                     ) -> tuple[list[np.ndarray], list[str]]:
    """The FID subsets (positions into ``plan.generated``): ``fid_samples`` images each (unset: one per
    test stream), and a warning when fewer images were drawn."""
    wanted, drawn = settings.fid_samples or streams.n_test, len(plan.generated)
    warnings = [] if drawn >= wanted else [
        f"FID on all {drawn} drawn images: fewer than fid_samples = {wanted}, so this FID is biased upwards "
        "against rows with the full sample size"]
    return fid_subsets(drawn, wanted, settings.seed), warnings


def _inception_features(
    generated: GeneratedSet,
    plan: ReferencePlan,
    catalog: Any,
    settings: EvalConfig,
    log: Callable[[str], None],
) -> tuple[torch.Tensor, torch.Tensor, str]:
    """Reference and drawn images' features on Inception-v3 (all catalog images cached once)."""
    size, cache = int(generated.final_images.shape[-1]), Path(catalog.root) / EVAL_NET_DIRNAME / "cache"
    layer = settings.inception_feature
    inception, weights_hash = inception_extractor(settings.inception_weights, settings.device, layer)
    everything = cached_real_features(
        catalog, "all", np.arange(len(catalog.items)), size, inception, weights_hash, cache,
        settings.device, log
    )[layer]
    chosen = generated.final_images[torch.from_numpy(plan.generated)]
    fake = extract_features(chosen, inception, device=settings.device)[layer]
    return everything[torch.from_numpy(plan.reference)], fake, f"{INCEPTION_EXTRACTOR}:{layer}"


def _all_features(
    catalog: Any, size: int, net: EvalNet, extractor: Any, settings: EvalConfig, log: Callable[[str], None]
) -> torch.Tensor:
    """Pooled classifier features of every catalog image (cached): the reference set and the gallery."""
    cache = Path(catalog.root) / EVAL_NET_DIRNAME / "cache"
    everything = np.arange(len(catalog.items))
    return cached_real_features(
        catalog, "all", everything, size, extractor, net.weights_hash, cache, settings.device, log
    )[POOLED]


def _attribute_metrics(
    generated: GeneratedSet,
    streams: EvaluationStreams,
    requests: Requests,
    space: LabelSpace,
    catalog: Any,
    all_features: torch.Tensor,
    settings: EvalConfig,
) -> dict:
    """Colour fidelity, attribute accuracy, refinement and retrieval (gallery: the train split)."""
    seed, rounds, n = settings.seed, settings.bootstrap_rounds, len(requests.n_steps)
    asked = requests.final_labels()
    differences = colour_differences(generated.final_images, requests.colour_terms, term_labs(space.lookup))
    clusters = asked[:, space.heads.index("colour")] if "colour" in space.heads else np.full(n, -1)
    metrics = colour_fidelity(differences, clusters, list(space.classes.get("colour", ())), seed, rounds)
    finals = generated.predicted[np.arange(n), requests.n_steps - 1]
    metrics["attribute_accuracy"] = attribute_accuracy(finals, asked, space.heads, seed, rounds)
    metrics[MAJORITY_METRIC] = majority_rate(asked, {head: space.classes[head] for head in space.heads})
    metrics.update(
        refinement_metrics(generated.predicted, generated.pooled, requests, space.heads, seed, rounds)
    )
    gallery = np.asarray(catalog.indices("train"), dtype=np.int64)
    position = {int(item): i for i, item in enumerate(gallery)}
    own = np.array([position.get(int(item), NO_EXCLUSION) for item in streams.items], dtype=np.int64)
    k = min(settings.k, len(gallery) - int((own >= 0).any()))
    labels = space.label_matrix([catalog.items[i] for i in gallery])
    metrics.update(precision_at_k(generated.final_pooled, all_features[torch.from_numpy(gallery)], labels,
                                  asked, k, seed, rounds, exclude=own))
    metrics["settings"] = {
        "retrieval_k": k,
        "retrieval_gallery": f"train ({len(gallery)} products, the query's own item excluded)",
        "colour_terms_without_cluster": unclustered_count(differences, clusters),
    }
    return metrics


def _provenance(
    net: EvalNet,
    space: LabelSpace,
    catalog: Any,
    settings: EvalConfig,
    n_samples: int,
) -> dict:
    """Everything that identifies how the numbers were made (read by the report as extras)."""
    return {
        "format": METRICS_FORMAT,
        "n_samples": n_samples,
        "seed": settings.seed,
        "versions": _versions(),
        "catalog": {"path": str(catalog.root), "hash": catalog.hash},
        "eval_net": {
            "key": net.key,
            "weights_hash": net.weights_hash,
            "heads": list(space.heads),
            "test_accuracy": {h: e.get("accuracy") for h, e in net.report.get("heads", {}).items()},
        },
    }


def evaluate_source(
    source: ImageSource, catalog: Any, lookup: Any, settings: EvalConfig,
    log: Callable[[str], None] = print,
) -> dict:
    """All metrics of the images ``source`` draws for ``catalog``'s test query streams (module doc)."""
    start = time.perf_counter()
    settings = settings.model_copy(update={"device": str(resolve_device(settings.device, "eval.device"))})
    streams = evaluation_streams(catalog, settings.n_samples)
    plan = plan_reference(catalog, settings.reference, streams.items, source.shows_catalog_photos,
                          settings.seed)  # before any work: a reference set that cannot work stops here
    net = ensure_eval_net(catalog, lookup, settings.net, settings.device, log=log)
    second = (ensure_second_net(catalog, lookup, net.classes, settings.net2, settings.device, log)
              if settings.second_net else None)  # before drawing: a catalog without val stops here
    space = LabelSpace(classes={h: tuple(n) for h, n in net.classes.items()}, lookup=lookup)
    requests = parse_requests(streams.steps, space, default_parser())
    extractor = classifier_extractor(
        net, [POOLED, *(logits_feature(h) for h in space.heads)], settings.device
    )
    log(f"eval: drawing {streams.describe()} (seed {settings.seed})")
    generated = generate_and_extract(
        source, streams, list(space.heads), extractor, settings.seed, settings.batch_size, settings.device
    )
    tick = time.perf_counter()
    size = int(generated.final_images.shape[-1])
    everything = _all_features(catalog, size, net, extractor, settings, log)
    subsets, subset_warnings = _equal_n_subsets(plan, streams, settings)
    metrics = _distribution_metrics(generated, plan, subsets, everything, settings, catalog, log)
    metrics["warnings"] += subset_warnings
    for warning in subset_warnings:
        log(f"eval: warning: {warning}")
    if second is not None:
        metrics.update(second_net_metrics(second, generated.final_images, plan, subsets, catalog, settings,
                                          IS_HEADS, log))
    attribute_metrics = _attribute_metrics(generated, streams, requests, space, catalog, everything, settings)
    if not source.refines:
        attribute_metrics.update(undefined_refinement(space.heads))
    metrics["settings"] = {
        "image_size": size,
        "bootstrap_rounds": settings.bootstrap_rounds,
        "fid_bootstrap_rounds": FID_BOOTSTRAP_ROUNDS,
        "fid_samples": len(subsets[0]),
        "fid_subsets": len(subsets),
        "is_splits": is_split_count(len(generated.final_images)),
        **attribute_metrics.pop("settings"),
    }
    metrics.update(attribute_metrics)
    metrics.update(word_response_metrics(streams.steps, generated.predicted, generated.pooled, requests,
                                         space.heads, settings.seed, settings.bootstrap_rounds,
                                         refines=source.refines))
    view = EvaluationView(streams, generated, requests.final_labels(), plan, everything, extractor)
    diversity = diversity_metrics(source, catalog, space, settings, view)
    metrics.update(diversity.metrics)
    metrics["settings"].update(diversity.settings)
    metrics["warnings"] += diversity.warnings
    metrics.update(conditioning_metrics(source, streams.steps, settings.seed, settings.bootstrap_rounds))
    test_items = [catalog.items[int(i)] for i in np.unique(streams.items)]
    metrics.update(word_swap_metrics(source, test_items, settings.seed, settings.bootstrap_rounds))
    metrics.update(_provenance(net, space, catalog, settings, len(streams)))
    metrics["provenance"] = provenance(settings.device, EVAL_PRECISION)
    metrics["streams"] = streams.to_json()
    metrics["timing"] = {
        "generate_s": round(generated.generate_seconds, 3),
        "features_s": round(generated.features_seconds, 3),
        "metrics_s": round(time.perf_counter() - tick, 3),
        "diversity_s": round(diversity.seconds, 3),  # part of metrics_s: extra draws included
        "total_s": round(time.perf_counter() - start, 3),
    }
    return metrics


def evaluate_model(
    model: Any, catalog: Any, lookup: Any, settings: EvalConfig, log: Callable[[str], None] = print
) -> dict:
    """All metrics of ``model`` (a GanModel) on ``catalog``'s test query streams; see the module doc."""
    return evaluate_source(ModelSource(model), catalog, lookup, settings, log)


def _hash_if_present(path: Path) -> str | None:
    return file_hash(path) if path.is_file() else None


def write_metrics(metrics: dict, out: str | Path) -> Path:
    """Write ``metrics.json`` atomically."""
    return write_json_atomic(Path(out), metrics)


def evaluate_run(
    run_dir: str | Path,
    catalog: Any,
    settings: EvalConfig | None = None,
    out: str | Path | None = None,
    *,
    log: Callable[[str], None] = print,
) -> dict:
    """Evaluate the EMA generator of ``run_dir`` on ``catalog`` (a folder or an opened Catalog) with
    ``settings`` (default: the [eval] settings recorded in the run's config.toml); writes ``out`` when
    given."""
    from ganbench.data.catalog import Catalog
    from ganbench.train.runs import load_run
    from ganbench.train.tracking import track_final_metrics

    run_dir = Path(run_dir)
    catalog = Catalog.open(catalog) if isinstance(catalog, str | Path) else catalog
    run = load_run(run_dir, "cpu", catalog_path=catalog.root)
    settings = settings or run.config.eval
    run.model.to(resolve_device(settings.device, "eval.device"))
    lookup = colorspace.open_lookup(settings.colour_lookup, setting="eval.colour_lookup")
    metrics = evaluate_model(run.model, catalog, lookup, settings, log)
    metrics["run"] = {
        "dir": str(run_dir),
        "step": run.step,
        "finished": run.finished,
        "checkpoint_hash": _hash_if_present(run_dir / "checkpoint.pt"),
        "training": read_json_object(run_dir / "done.json"),  # precision, device, finished_at
        "config_hash": _hash_if_present(run_dir / "config.toml"),
    }
    if out is not None:
        write_metrics(metrics, out)
    track_final_metrics(run_dir, metrics)  # to the run's MLflow run when train.tracker was on
    return metrics
