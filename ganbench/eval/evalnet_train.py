"""Training the evaluation network on a catalog, its test-split report, and the keyed on-disk reuse.

Training (our choices): the sum of one cross-entropy per head (unknown labels ignored), a fixed seed,
and :mod:`ganbench.eval.convergence`'s rule: AdamW with cosine decay over at most ``epochs`` epochs,
random horizontal flips, stopping once the val split's accuracy has not improved for ``patience``
epochs, the best epoch's weights kept (``report.json`` records ``training``: epochs run, best epoch, best
val accuracy). Until issue 19 it trained a fixed 8 epochs (one-cycle schedule): 13.5 s on the
2,000-item synthetic catalog, but only 78% type accuracy on a 600-item one (figures before and after in
:mod:`ganbench.eval.convergence`).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import confusion_matrix

from ganbench.data.build_lock import build_lock
from ganbench.eval.attributes import UNKNOWN, LabelSpace
from ganbench.eval.convergence import FitResult, Schedule, fit_until_stable
from ganbench.eval.evalnet import (
    CLASSIFIER_FILE,
    AttributeClassifier,
    EvalNet,
    EvalNetOptions,
    eval_net_dir,
    eval_net_key,
    load_eval_net,
    save_eval_net,
)

Log = Callable[[str], None]
CONFUSION_PREFIX = "confusion_"  # CONFUSION_PREFIX + head + ".csv" in the eval-net folder


def catalog_images_chw(catalog: Any, min_size: int) -> tuple[torch.Tensor, int]:
    """All catalog images as uint8 (N, 3, S, S) at the smallest cached size >= ``min_size``."""
    sizes = sorted(int(s) for s in catalog.manifest.get("image_sizes", []))
    if not sizes:
        raise ValueError(f"catalog {catalog.root} lists no image_sizes in its manifest")
    size = next((s for s in sizes if s >= min_size), sizes[-1])
    return torch.from_numpy(np.ascontiguousarray(catalog.images(size))).permute(0, 3, 1, 2), size


def train_classifier(
    images: torch.Tensor,
    labels: torch.Tensor,
    classes: dict[str, list[str]],
    options: EvalNetOptions,
    device: str | torch.device = "cpu",
    log: Log = print,
    val: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[AttributeClassifier, FitResult]:
    """Train a fresh classifier on uint8 ``images`` (N, 3, S, S) with ``labels`` (N, n_heads) until its
    accuracy on ``val`` (images, labels) stops improving (see :mod:`ganbench.eval.convergence`)."""
    torch.manual_seed(options.seed)
    model = AttributeClassifier(classes, image_size=options.image_size, width=options.width).to(device)
    schedule = Schedule(options.epochs, options.patience, options.batch_size, options.learning_rate,
                        options.seed, min_epochs=options.min_epochs)
    val = val if val is not None else (images[:0], labels[:0])
    return model, fit_until_stable(model, (images, labels), val, schedule, log)


@torch.no_grad()
def classify(
    model: AttributeClassifier, images: torch.Tensor, batch_size: int = 256
) -> dict[str, np.ndarray]:
    """Predicted class per head for uint8 ``images`` (N, 3, H, W)."""
    model.eval()
    predictions: dict[str, list[np.ndarray]] = {head: [] for head in model.classes}
    for start in range(0, len(images), batch_size):
        _, logits = model(images[start : start + batch_size])
        for head, out in logits.items():
            predictions[head].append(out.argmax(dim=1).cpu().numpy())
    return {
        head: np.concatenate(parts) if parts else np.zeros(0, np.int64) for head, parts in predictions.items()
    }


def split_report(model: AttributeClassifier, images: torch.Tensor, labels: np.ndarray) -> dict:
    """Per-head accuracy and confusion matrix (rows: true class, columns: predicted) on labelled items."""
    predicted = classify(model, images)
    heads = {}
    for j, (head, names) in enumerate(model.classes.items()):
        known = labels[:, j] != UNKNOWN
        truth, guess = labels[known, j], predicted[head][known]
        matrix = confusion_matrix(truth, guess, labels=list(range(len(names)))) if known.any() else None
        heads[head] = {
            "accuracy": float((truth == guess).mean()) if known.any() else None,
            "n": int(known.sum()),
            "classes": list(names),
            "confusion": None if matrix is None else matrix.tolist(),
        }
    return {"split": "test", "n_images": int(len(images)), "heads": heads}


def format_report(report: dict, directory: Path | None = None) -> str:
    """Per-head test accuracy, one line per head, then how training stopped; the confusion matrices are
    in ``directory`` (named at the end) as one CSV per head and in report.json."""
    lines = [f"eval-net test accuracy ({report.get('n_images', 0)} test images):"]
    for head, entry in report.get("heads", {}).items():
        accuracy = "n/a" if entry["accuracy"] is None else f"{entry['accuracy']:.3f}"
        lines.append(f"  {head:<8} {accuracy:>6}  (n={entry['n']}, {len(entry['classes'])} classes)")
    training = report.get("training")
    if training:
        lines.append(f"trained {training['epochs_run']} epochs (best {training['best_epoch']}, val accuracy "
                     f"{training['best_val_accuracy']}): {training['stopped']}")
    if directory is not None and any(e.get("confusion") for e in report.get("heads", {}).values()):
        where = Path(directory) / f"{CONFUSION_PREFIX}*.csv"
        lines.append(f"confusion matrices (rows true, columns predicted): {where}")
    return "\n".join(lines)


def write_confusion_csvs(report: dict, directory: Path) -> list[Path]:
    """One ``confusion_HEAD.csv`` per head with a matrix: rows true class, columns predicted class."""
    written = []
    for head, entry in report.get("heads", {}).items():
        if not entry.get("confusion"):
            continue
        path = directory / f"{CONFUSION_PREFIX}{head}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["true \\ predicted", *entry["classes"]])
            for name, row in zip(entry["classes"], entry["confusion"], strict=True):
                writer.writerow([name, *row])
        written.append(path)
    return written


def ensure_eval_net(
    catalog: Any,
    lookup: Any,
    options: EvalNetOptions | None = None,
    device: str | torch.device = "cpu",
    force: bool = False,
    log: Log = print,
) -> EvalNet:
    """The catalog's evaluation network for ``lookup`` and ``options``: loaded if stored, else trained.

    Stored under ``CATALOG/eval_net/KEY/`` (see :func:`eval_net_key`); ``force`` retrains anyway.
    """
    options = options or EvalNetOptions()
    key = eval_net_key(catalog.hash, lookup.hash, options)
    directory = eval_net_dir(catalog.root, key)
    with build_lock(directory, log):  # two workers evaluating at once: one trains it, the other loads it
        if (directory / CLASSIFIER_FILE).is_file() and not force:
            log(f"eval-net: reusing {directory}")
            net = load_eval_net(directory / CLASSIFIER_FILE, device)
            if not any(directory.glob(f"{CONFUSION_PREFIX}*.csv")):  # stored before the CSVs existed
                write_confusion_csvs(net.report, directory)
            return net
        return _train_and_store(catalog, lookup, options, device, key, directory, log)


def _train_and_store(catalog: Any, lookup: Any, options: EvalNetOptions, device: str | torch.device, key: str,
                     directory: Path, log: Log) -> EvalNet:
    train_idx, test_idx = np.asarray(catalog.indices("train")), np.asarray(catalog.indices("test"))
    val_idx = np.asarray(catalog.indices("val"), dtype=np.int64)
    if len(train_idx) == 0:
        raise ValueError(f"catalog {catalog.root} has no train items; the evaluation network needs some")
    space = LabelSpace.from_items([catalog.items[i] for i in train_idx], lookup)
    labels = space.label_matrix(catalog.items)
    images, size = catalog_images_chw(catalog, options.image_size)
    log(
        f"eval-net: training on {len(train_idx)} train images ({size} px -> {options.image_size} px), "
        f"heads {', '.join(f'{h}({len(n)})' for h, n in space.classes.items())}"
    )
    start = time.perf_counter()
    val = (images[val_idx], torch.from_numpy(labels[val_idx]))
    model, fit = train_classifier(
        images[train_idx], torch.from_numpy(labels[train_idx]), space.to_json(), options, device, log, val
    )
    report = split_report(model, images[test_idx], labels[test_idx])
    report.update(
        train_seconds=round(time.perf_counter() - start, 2),
        n_train=int(len(train_idx)),
        n_val=int(len(val_idx)),
        training=fit.to_json(),
        catalog_hash=catalog.hash,
        lookup_hash=lookup.hash,
        key=key,
    )
    provenance = {"catalog_hash": catalog.hash, "lookup_hash": lookup.hash}
    net = save_eval_net(model, options, key, directory, report, provenance)
    write_confusion_csvs(report, directory)
    accuracies = ", ".join(f"{head} {e['accuracy']:.3f}" for head, e in report["heads"].items()
                           if e["accuracy"] is not None)
    log(f"eval-net: test accuracy {accuracies} (confusion matrices in {directory})")
    return net
