"""Same-text negatives in the image–text matching pretraining, and what masking them changes.

``rates`` (seconds): how often an in-batch negative of the pretraining carries exactly the positive's
text, per reading (titles; query-stream prefixes, with the catalog's colour words or colour cluster tokens),
over the pretraining's own batching (a random permutation of the train split in batches of 64).
``train`` (minutes): pretrains a model's frozen text encoder with and without
``MatchingOptions.mask_same_text`` and prints, on the test split, the word-swap shift of each attribute
read off the text embedding itself (the embeddings have unit RMS per dimension, so the shift is in those
units) and a nearest-text figure: the share of test whole queries whose nearest other test query (cosine)
has the same value of an attribute. Not a test.

\b
    python benchmarks/same_text_negatives.py rates CATALOG
    python benchmarks/same_text_negatives.py train CATALOG --model restgan --epochs 20
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads stall on a shared machine

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import colorspace  # noqa: E402
from ganbench.data.batches import QueryBatchDataset, class_names, collate, model_vocabulary  # noqa: E402
from ganbench.data.catalog import Catalog  # noqa: E402
from ganbench.eval.word_swap import ATTRIBUTES, word_swap_metrics  # noqa: E402
from ganbench.models.base import ModelContext  # noqa: E402
from ganbench.models.registry import get_model  # noqa: E402
from ganbench.models.text_inputs import generation_samples  # noqa: E402
from ganbench.text.matching import train_matching  # noqa: E402
from ganbench.text.same_text import same_text_masks, text_groups  # noqa: E402
from ganbench.text.store import _matching_data  # noqa: E402

READINGS = {"title": ("title", False), "query prefixes": ("query_stream", False),
            "query prefixes, colour tokens": ("query_stream", True)}


def _samples(batch: dict, reads: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(item, final) of the text samples a model of this reading embeds."""
    if reads == "title":
        rows = torch.arange(len(batch["title_lengths"]))
        return rows, torch.ones_like(rows, dtype=torch.bool)
    steps = batch["n_steps"]
    item = torch.repeat_interleave(torch.arange(len(steps)), steps)
    step = torch.cat([torch.arange(n) for n in steps.tolist()])
    return item, step == steps[item] - 1


def rates(catalog: Catalog, batch_size: int, seed: int) -> None:
    lookup = colorspace.default_lookup()
    vocabulary = model_vocabulary(catalog.vocabulary, lookup)
    names = class_names(catalog.items, lookup)
    for label, (reads, colour_tokens) in READINGS.items():
        train = QueryBatchDataset(catalog, "train", (64,), vocabulary, lookup, colour_tokens, names)
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))
        by_step: dict[int, list[int]] = {}
        whole_shared, whole = 0, 0
        for positions in order.split(batch_size):
            batch = collate([train[i] for i in positions.tolist()])
            item, final = _samples(batch, reads)
            t2i, i2t = same_text_masks(text_groups(batch, item, reads), item, final, len(positions))
            step = torch.arange(len(item)) - torch.searchsorted(item, item)
            for s, count in zip(step.tolist(), t2i.sum(dim=1).tolist(), strict=True):
                by_step.setdefault(min(s, 3), []).append(count)
            whole_shared, whole = whole_shared + int(i2t.any(dim=1).sum()), whole + len(i2t)
        print(f"{label} (batch {batch_size}, {len(train)} train items):")
        for s, counts in sorted(by_step.items()):
            counts_array = np.array(counts)
            name = f"step {s + 1}" + ("+" if s == 3 else "") if reads != "title" else "title"
            print(f"  {name:8s} text samples {len(counts):6d}: with a same-text negative "
                  f"{np.mean(counts_array > 0):6.1%}, same-text negatives per sample "
                  f"{counts_array.mean():.2f} of {batch_size - 1}")
        print(f"  whole texts sharing their text with another item of the batch: {whole_shared / whole:.1%}")


def _model(name: str, catalog: Catalog, lookup: Any) -> Any:
    names = class_names(catalog.items, lookup)
    context = ModelContext(vocabulary=model_vocabulary(catalog.vocabulary, lookup), lookup=lookup,
                           n_classes={k: len(v) for k, v in names.items()}, class_names=names,
                           image_sizes=(64, 128), device=torch.device("cpu"))
    torch.manual_seed(0)
    model_class = get_model(name)
    return model_class(model_class.options_class(), context)


class EmbeddingSource:
    """The text embedding at a stream's last step as a conditioning with sigma 1."""

    def __init__(self, model: Any) -> None:
        self.model, self.encoder = model, model.text_pretraining().encoder

    @torch.no_grad()
    def conditioning(self, streams: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        queries = self.model._encoded(streams)
        samples = generation_samples(self.encoder.eval(), queries, False)
        last = queries["n_steps"].cumsum(0).sub(1)
        embedding = samples.embedding[last].float()
        return embedding, torch.ones_like(embedding)


def separation(model: Any, catalog: Catalog) -> dict[str, float]:
    test = [catalog.items[int(i)] for i in catalog.indices("test")]
    source = EmbeddingSource(model)
    shifts = word_swap_metrics(source, test, seed=0, rounds=200)["word_swap_shift"]
    out = {f"shift {a}": shifts[a]["mean"] for a in ATTRIBUTES}
    embedding = F.normalize(source.conditioning([list(item["query"]) for item in test])[0], dim=1)
    similarity = embedding @ embedding.T
    similarity.fill_diagonal_(-2.0)
    nearest = similarity.argmax(dim=1).tolist()
    for attribute in ATTRIBUTES:
        same = [_value(test[i], attribute) == _value(test[j], attribute) for i, j in enumerate(nearest)]
        out[f"nearest same {attribute}"] = float(np.mean(same))
    return out


def _value(item: dict, attribute: str) -> Any:
    value = item.get(attribute)
    return tuple(sorted(value)) if isinstance(value, list) else value


def train(catalog: Catalog, name: str, epochs: int, seed: int) -> None:
    lookup = colorspace.default_lookup()
    rows = {}
    for mask in (False, True):
        model = _model(name, catalog, lookup)
        spec = model.text_pretraining()
        options = dataclasses.replace(spec.options, epochs=epochs, mask_same_text=mask, seed=seed)
        spec = dataclasses.replace(spec, options=options)
        data = _matching_data(catalog, spec, model.context, lookup, model.text_policy(), 64)
        start, cpu = time.perf_counter(), time.process_time()
        report = train_matching(spec, data, torch.device("cpu"), log=lambda text: None)
        label = "masked" if mask else "negatives"
        scores = {f"val {k[4:]}": v for k, v in report["kept_scores"].items()}
        rows[label] = separation(model, catalog) | scores | {"kept epoch": report["kept_epoch"]}
        print(f"{name}, seed {seed}, same-text {label}: {time.perf_counter() - start:.0f} s wall, "
              f"{time.process_time() - cpu:.0f} s CPU", flush=True)
    print(f"{'':32s} {'negatives':>10s} {'masked':>10s}  (val loss: each under its own objective)")
    for key in rows["negatives"]:
        print(f"{key:32s} {rows['negatives'][key]:10.3f} {rows['masked'][key]:10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("rates", "train"))
    parser.add_argument("catalog")
    parser.add_argument("--model", default="restgan")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    catalog = Catalog.open(args.catalog)
    if args.what == "rates":
        rates(catalog, args.batch_size, args.seed)
    else:
        train(catalog, args.model, args.epochs, args.seed)


if __name__ == "__main__":
    main()
