"""Pieces of the training harness on their own: batches, data order, EMA, precision, checkpoints."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch
from _asserts import raises_naming
from _train_helpers import FakeGan, FakeLookup, FakeOptions, tiny_context, tiny_items

from ganbench.config import ConfigError, RunConfig, TrainConfig
from ganbench.data.batches import (
    QueryBatchDataset,
    StepBatchSampler,
    TextPolicy,
    batch_positions,
    collate,
    colour_token,
    encode_for_generation,
    encode_query_stream,
    unknown_words,
)
from ganbench.data.text import Vocabulary
from ganbench.models.base import TrainingPhase
from ganbench.train import precision
from ganbench.train.checkpoint import (
    CheckpointError,
    capture_rng,
    load_checkpoint,
    restore_rng,
    restore_training_state,
    save_checkpoint,
)
from ganbench.train.ema import EMA
from ganbench.train.trainer import phase_schedule


def test_query_stream_encoding_with_and_without_colour_model() -> None:
    context = tiny_context(FakeLookup())
    vocabulary = context.vocabulary
    assert colour_token(0) in vocabulary and colour_token(1) in vocabulary
    ids, ends = encode_query_stream(["women's navy blue pants", "petite"], vocabulary, FakeLookup(), True)
    assert vocabulary.decode(ids) == ["women's", "<colour_0>", "pants", "petite"]
    assert ends == [2, 3]
    ids, ends = encode_query_stream(["women's navy blue pants", "petite"], vocabulary, FakeLookup(), False)
    assert vocabulary.decode(ids) == ["women's", "navy", "blue", "pants", "petite"] and ends == [3, 4]
    with pytest.raises(ValueError, match="query step 2"):
        encode_query_stream(["pants", " !! "], vocabulary, None, False)
    assert unknown_words(["men's plaid pants", "zzz"], vocabulary, None, False) == ["plaid", "zzz"]


def test_encoded_streams_are_padded() -> None:
    vocabulary = tiny_context().vocabulary
    batch = encode_for_generation([["men's red shorts", "slim"], ["pants"]], vocabulary, None, TextPolicy())
    assert batch["query_tokens"].tolist()[1] == [vocabulary.id_of("pants"), 0, 0, 0]
    assert batch["step_ends"].tolist() == [[2, 3], [0, -1]]
    assert batch["n_steps"].tolist() == [2, 1]


def test_collate_builds_the_documented_batch() -> None:
    items = [{"images": {16: torch.full((16, 16, 3), 255, dtype=torch.uint8), 32: torch.zeros(32, 32, 3,
                                                                                             dtype=torch.uint8)},
              "title": [2, 3, 4][: n + 1], "query": [5, 6, 7][: n + 1], "step_ends": list(range(n + 1)),
              "labels": [n, -1, 1, -1, 0], "colour_lab": [50.0, 1.0, 2.0]} for n in range(3)]
    batch = collate(items)
    assert batch["images"][16].shape == (3, 3, 16, 16) and batch["images"][16].max() == 1.0
    assert batch["images"][32].min() == -1.0
    assert batch["title_tokens"].tolist()[0] == [2, 0, 0] and batch["title_lengths"].tolist() == [1, 2, 3]
    assert batch["step_ends"].tolist()[0] == [0, -1, -1] and batch["n_steps"].tolist() == [1, 2, 3]
    assert batch["labels"]["type"].tolist() == [0, 1, 2] and batch["labels"]["gender"].tolist() == [-1] * 3
    mismatch = batch["mismatch_index"]
    assert sorted(mismatch.tolist()) == [0, 1, 2] and (mismatch != torch.arange(3)).all()


def test_data_order_depends_only_on_seed_and_step() -> None:
    epoch = [batch_positions(10, 3, seed=1, step=s) for s in range(3)]
    assert len({p for b in epoch for p in b}) == 9  # no repeats within an epoch
    assert batch_positions(10, 3, 1, 4) == batch_positions(10, 3, 1, 4)
    assert batch_positions(10, 3, 1, 0) != batch_positions(10, 3, 2, 0)
    resumed = list(StepBatchSampler(10, 3, seed=1, start=2, stop=5))
    assert resumed == list(StepBatchSampler(10, 3, seed=1, start=0, stop=5))[2:]
    with raises_naming(ValueError, "batch_size", "4"):
        StepBatchSampler(3, 4, 0, 0, 1)


def test_phase_schedule_splits_the_budget_the_model_declares() -> None:
    config = RunConfig(train=TrainConfig(stage1_steps=3, stage2_steps=5))
    stackgan = [TrainingPhase("stage1", ("train.stage1_steps",)),
                TrainingPhase("stage2", ("train.stage2_steps",))]
    assert [(p.name, p.start, p.stop) for p in phase_schedule(stackgan, config)] == [
        ("stage1", 0, 3), ("stage2", 3, 8)]
    joint = [TrainingPhase("joint", ("train.stage1_steps", "train.stage2_steps"))]
    assert [(p.start, p.stop) for p in phase_schedule(joint, config)] == [(0, 8)]
    with raises_naming(ConfigError, "'warmup'", "'train.warmup_steps'"):
        phase_schedule([TrainingPhase("warmup", ("train.warmup_steps",))], config)
    with raises_naming(ConfigError, "'train.lr'"):
        phase_schedule([TrainingPhase("odd", ("train.lr",))], config)


def test_ema_warms_up_averages_and_swaps() -> None:
    module = torch.nn.Linear(2, 1)
    ema = EMA(module, decay=0.9)
    start = module.weight.detach().clone()
    with torch.no_grad():
        module.weight.add_(1.0)
    ema.update(module)  # first decay: min(0.9, 1/10) = 0.1
    assert torch.allclose(ema.shadow["weight"], start + 0.9)
    trained = module.weight.detach().clone()
    weight_object = module.weight
    with ema.swap(module):
        assert torch.allclose(module.weight, start + 0.9)
    assert torch.equal(module.weight, trained) and module.weight is weight_object
    for _ in range(200):
        ema.update(module)
    assert ema.current_decay() == 0.9
    assert torch.allclose(ema.shadow["weight"], trained, atol=1e-6)
    restored = EMA(module, decay=0.5)
    restored.load_state_dict(ema.state_dict())
    assert restored.num_updates == 201 and restored.decay == 0.9
    with raises_naming(ValueError, "EMA", "'bias'"):
        EMA(torch.nn.Linear(3, 1, bias=False), 0.9).load_state_dict(ema.state_dict())


def test_precision_choice_and_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu = torch.device("cpu")
    assert precision.resolve_precision("fp32", cpu).dtype is None
    chosen = precision.resolve_precision("auto", cpu)
    assert chosen.dtype in (None, torch.bfloat16)
    assert (chosen.dtype is torch.bfloat16) == precision.bf16_supported(cpu)
    monkeypatch.setattr(precision, "bf16_supported", lambda device: False)
    fallback = precision.resolve_precision("bf16", cpu)
    assert fallback.name == "fp32" and "training in float32" in fallback.note
    assert precision.resolve_device("cpu") == cpu
    if not torch.cuda.is_available():
        with raises_naming(ValueError, "CUDA"):
            precision.resolve_device("cuda")


def _fake_model(width: int = 8) -> tuple[FakeGan, EMA, dict]:
    model = FakeGan(FakeOptions(width=width), tiny_context())
    optimizers = model.configure_optimizers(TrainConfig())
    return model, EMA(model.generator, 0.9), optimizers


def test_checkpoint_round_trip_restores_weights_and_rng(tmp_path: Path) -> None:
    model, ema, optimizers = _fake_model()
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, model_name="fake-gan", model=model, ema=ema, optimizers=optimizers, step=7)
    assert not (tmp_path / "checkpoint.pt.tmp").exists()
    expected = (random.random(), np.random.rand(), torch.rand(1))
    other, other_ema, other_optimizers = _fake_model()
    step = restore_training_state(load_checkpoint(path), path, model_name="fake-gan", model=other,
                                  ema=other_ema, optimizers=other_optimizers)
    assert step == 7
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), other.state_dict().values(),
                                                   strict=True))
    assert (random.random(), np.random.rand(), torch.rand(1)) == expected
    state = capture_rng()
    first = torch.rand(3)
    restore_rng(state)
    assert torch.equal(torch.rand(3), first)


def test_truncated_checkpoint_gives_a_clear_error(tmp_path: Path) -> None:
    model, ema, optimizers = _fake_model()
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, model_name="fake-gan", model=model, ema=ema, optimizers=optimizers, step=1)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with raises_naming(CheckpointError, path):
        load_checkpoint(path)
    (tmp_path / "empty.pt").write_bytes(b"")
    with raises_naming(CheckpointError, tmp_path / "empty.pt"):
        load_checkpoint(tmp_path / "empty.pt")
    with raises_naming(CheckpointError, tmp_path / "missing.pt"):
        load_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_of_another_model_gives_a_clear_error(tmp_path: Path) -> None:
    model, ema, optimizers = _fake_model()
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, model_name="fake-gan", model=model, ema=ema, optimizers=optimizers, step=1)
    payload = load_checkpoint(path)
    with raises_naming(CheckpointError, "'fake-gan'", "'restgan'"):
        restore_training_state(payload, path, model_name="restgan", model=model, ema=ema,
                               optimizers=optimizers)
    wider, wider_ema, wider_optimizers = _fake_model(width=12)
    with raises_naming(CheckpointError, "'fake-gan'"):
        restore_training_state(payload, path, model_name="fake-gan", model=wider, ema=wider_ema,
                               optimizers=wider_optimizers)


def test_checkpoint_holding_arbitrary_objects_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"format_version": 1, "payload": Vocabulary(["a"])}, path)
    with raises_naming(CheckpointError, path):
        load_checkpoint(path)


def test_tiny_items_are_valid_for_the_catalog() -> None:
    items, images = tiny_items(4)
    assert len(items) == len(images) == 4 and all(i["query"] for i in items)


def test_dataset_skips_and_counts_items_without_a_usable_query() -> None:
    class ThreeItems:  # duck-typed Catalog: items, indices(split), images(size)
        items = [{"title": "women's red pants", "query": ["women's red pants", "petite"], "type": "pants",
                  "gender": "women's", "colour": "red", "colour_lab": [50.0, 60.0, 40.0]},
                 {"title": "men's jeans", "query": [], "type": "jeans", "gender": "men's"},
                 {"title": "shorts", "query": ["shorts", "!!"], "type": "shorts"}]

        def indices(self, split: str) -> np.ndarray:
            return np.arange(3)

        def images(self, size: int) -> np.ndarray:
            return np.zeros((3, size, size, 3), np.uint8)

    context = tiny_context(FakeLookup())
    names = {"type": ["jeans", "pants", "shorts"], "gender": ["men's", "women's"],
             "colour": FakeLookup.cluster_names}
    dataset = QueryBatchDataset(ThreeItems(), "train", (16,), context.vocabulary, FakeLookup(), True, names)
    assert (len(dataset), dataset.read, dataset.skipped) == (1, 3, 2)
    item = dataset[0]
    assert item["labels"] == [1, 1, 1, -1, -1] and item["colour_lab"] == [50.0, 60.0, 40.0]
    assert item["images"][16].shape == (16, 16, 3)
