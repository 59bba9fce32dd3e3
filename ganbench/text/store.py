"""Pretrained text encoders kept with the catalog, trained once per catalog and encoder (like the evaluation
network): ``CATALOG/text_encoders/KEY/{encoder.pt, report.json}``.

``KEY`` hashes the catalog hash, the model vocabulary's hash, the lookup table's hash, the image size, the
model's encoder identity (kind, sizes, text input, colour model, ...) and the pretraining options, so models
that read the same text with the same encoder share one (``stackgan-lstm`` and ``stackgan-ac``, every seed
of a model) and any change retrains.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import torch

from ganbench.data.batches import QueryBatchDataset, collate
from ganbench.data.build_lock import build_lock
from ganbench.data.files import torch_save_atomic, write_json_atomic
from ganbench.text.matching import Log, MatchingData, TextPretraining, train_matching

FORMAT = "ganbench-text-encoder/2"  # /2: encoders carry their output_scale buffer
# options added after /2 enter the key only away from these defaults, so stored encoders keep their keys
LATER_OPTIONS = {"mask_same_text": False}
DIRNAME = "text_encoders"
ENCODER_FILE = "encoder.pt"
REPORT_FILE = "report.json"


class TextEncoderError(ValueError):
    """A stored text encoder that cannot be used (foreign, corrupt, or for another encoder)."""


def text_encoder_key(spec: TextPretraining, catalog_hash: str, vocabulary_hash: str, lookup_hash: str,
                     image_size: int) -> str:
    identity = {"format": FORMAT, "catalog": catalog_hash, "vocabulary": vocabulary_hash,
                "lookup": lookup_hash, "image_size": int(image_size), "encoder": spec.identity,
                "options": {k: v for k, v in dataclasses.asdict(spec.options).items()
                            if k not in LATER_OPTIONS or v != LATER_OPTIONS[k]}}
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def save_text_encoder(directory: Path, key: str, encoder: torch.nn.Module, report: dict[str, Any]) -> Path:
    """Write ``encoder.pt`` and ``report.json`` into ``directory`` (each through a temporary file)."""
    state = {k: v.detach().cpu() for k, v in encoder.state_dict().items()}
    target = torch_save_atomic({"format": FORMAT, "key": key, "state": state}, directory / ENCODER_FILE)
    write_json_atomic(directory / REPORT_FILE, {"key": key} | report, indent=1)
    return target


def load_text_encoder(path: Path, key: str, encoder: torch.nn.Module) -> None:
    """Load the weights stored at ``path`` into ``encoder``; they must carry ``key``."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a truncated or foreign file
        raise TextEncoderError(f"{path}: not a readable text-encoder file ({error})") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
        raise TextEncoderError(f"{path}: not a {FORMAT} file for key {key}; delete it to retrain")
    try:
        encoder.load_state_dict(payload["state"])
    except RuntimeError as error:
        raise TextEncoderError(f"{path}: its weights do not fit this encoder ({error}); delete it") from error


def _matching_data(catalog: Any, spec: TextPretraining, model_context: Any, lookup: Any, policy: Any,
                   image_size: int) -> MatchingData:
    def dataset(split: str) -> QueryBatchDataset:
        return QueryBatchDataset(catalog, split, (image_size,), model_context.vocabulary, lookup,
                                 policy.colour_tokens, model_context.class_names)

    train, val = dataset("train"), dataset("val")
    size = spec.options.batch_size
    val_batches = [collate([val[i] for i in range(start, min(start + size, len(val)))])
                   for start in range(0, len(val), size) if min(start + size, len(val)) - start >= 2]
    return MatchingData(batch=lambda positions: collate([train[i] for i in positions]), n_train=len(train),
                        val=val_batches, image_size=image_size, reads=policy.reads)


def prepare_text_encoder(model: Any, catalog: Any, lookup: Any, device: torch.device, log: Log = print
                         ) -> dict[str, Any] | None:
    """Give ``model`` its pretrained text encoder: loaded from the catalog's store, else trained on the
    catalog's train split and stored. Returns the pretraining report, or ``None`` when the model asks for
    no pretraining (``model.text_pretraining()`` is ``None`` or absent)."""
    ask = getattr(model, "text_pretraining", None)
    spec = ask() if ask is not None else None
    if spec is None:
        return None
    image_size = int(model.context.image_sizes[0])
    key = text_encoder_key(spec, catalog.hash, model.context.vocabulary.hash,
                           lookup.hash if lookup is not None else "", image_size)
    directory = Path(catalog.root) / DIRNAME / key
    with build_lock(directory, log):  # two workers wanting it at once: one trains, the other loads it
        if (directory / ENCODER_FILE).is_file():
            load_text_encoder(directory / ENCODER_FILE, key, spec.encoder)
            log(f"text encoder: reusing {directory}")
            return json.loads((directory / REPORT_FILE).read_text(encoding="utf-8"))
        report = _pretrain(spec, catalog, model, lookup, image_size, device, directory, log)
        save_text_encoder(directory, key, spec.encoder, report)
    return {"key": key} | report


def _pretrain(spec: TextPretraining, catalog: Any, model: Any, lookup: Any, image_size: int,
              device: torch.device, directory: Path, log: Log) -> dict[str, Any]:
    log(f"text encoder: pretraining by image-text matching on {catalog.root} into {directory}")
    data = _matching_data(catalog, spec, model.context, lookup, model.text_policy(), image_size)
    if data.n_train < 2:
        raise TextEncoderError(f"catalog {catalog.root} has {data.n_train} usable train items; the text "
                               "pretraining needs at least 2")
    forked = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=forked):  # the GAN's random stream is the same with or without it
        return train_matching(spec, data, device, log)
