"""Text encoders pretrained by image–text matching (issue 13: every model must use its text): the loss,
the training, the model's three text_training modes, the catalog store, the harness hook, and the two
scale choices (unit-scale text embedding, fan-in-scaled conditioning augmentation)."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

import pytest
import torch
from _asserts import raises_naming
from _models_helpers import MODEL_NAMES, TrainOptions, build_model, tiny_batch, tiny_context
from _train_helpers import make_tiny_catalog, tiny_config_dict

from colorspace import default_lookup
from ganbench.config import build_run_config
from ganbench.data.catalog import Catalog
from ganbench.models.options import TextTraining
from ganbench.nn.conditioning import ConditioningAugmentation
from ganbench.nn.text_encoders import build_text_encoder
from ganbench.text.matching import ImageEncoder, MatchingData, MatchingOptions, matching_loss, train_matching
from ganbench.text.store import DIRNAME, ENCODER_FILE, TextEncoderError, prepare_text_encoder
from ganbench.train.runs import load_run, train_run

TINY = {"gf_dim": 4, "df_dim": 4, "z_dim": 8, "embedding_dim": 8, "text_dim": 8, "condition_dim": 8,
        "residual_blocks": 1}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("text") / "catalog", n=12)


def test_matching_loss_prefers_each_text_s_own_image():
    images = torch.eye(4)
    item, final = torch.tensor([0, 0, 1, 2, 3]), torch.tensor([False, True, True, True, True])
    aligned = matching_loss(images[item], item, final, images, temperature=0.1)
    shuffled = matching_loss(images[item.roll(1)], item, final, images, temperature=0.1)
    assert aligned < 0.01 < 1 < shuffled


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_offers_its_own_encoder_and_the_matching_loss_reaches_it(name):
    model = build_model(name)
    spec = model.text_pretraining()
    assert spec.encoder is model.generator.text_encoder and spec.text_dim == model.options.text_dim
    assert not any(p.requires_grad for p in spec.encoder.parameters())  # frozen: the GAN never trains it
    spec.encoder.requires_grad_(True)
    batch = tiny_batch(model.context, spec.identity["colour_tokens"])
    samples = spec.embed(batch)
    images = ImageEncoder(16, 4, spec.text_dim)(batch["images"][16])
    matching_loss(samples.embedding, samples.item, samples.final, images, 0.1).backward()
    assert spec.encoder.words.embedding.weight.grad.abs().sum() > 0


def test_models_reading_the_same_text_alike_share_an_identity():
    identity = {name: build_model(name).text_pretraining().identity for name in MODEL_NAMES}
    assert identity["stackgan-lstm"] == identity["stackgan-ac"]
    assert len({json.dumps(v, sort_keys=True) for v in identity.values()}) == 4  # bow, lstm, prefix, restgan


def test_train_matching_trains_the_encoder_in_place_and_restores_its_flags():
    model = build_model("stackgan-lstm")
    spec = dataclasses.replace(model.text_pretraining(), options=MatchingOptions(epochs=15, batch_size=4))
    before = {k: v.clone() for k, v in spec.encoder.state_dict().items()}
    batch = tiny_batch(model.context, False)
    data = MatchingData(batch=lambda positions: _rows(batch, positions), n_train=4, val=[batch],
                        image_size=16)
    report = train_matching(spec, data, torch.device("cpu"), log=lambda text: None)
    assert report["epochs"][-1]["train_loss"] < report["epochs"][0]["train_loss"]
    assert 1 <= report["kept_epoch"] <= 15 and "val_loss" in report["kept_scores"]
    assert 0 <= report["kept_scores"]["val_nearest_same_type"] <= 1
    assert any(not torch.equal(before[k], v) for k, v in spec.encoder.state_dict().items())
    assert not any(p.requires_grad for p in spec.encoder.parameters()) and spec.encoder.training


def _rows(batch: dict, positions: list[int]) -> dict:
    """The batch restricted to ``positions`` (all four here: the tiny batch is one item set)."""
    assert sorted(positions) == [0, 1, 2, 3]
    return batch


def test_frozen_fine_tune_and_scratch_modes():
    batch = tiny_batch(tiny_context(), False)
    changed = {}
    for mode in typing.get_args(TextTraining):
        model = build_model("stackgan-lstm", text_training=mode)
        model.configure_optimizers(TrainOptions())
        before = [p.clone() for p in model.generator.text_encoder.parameters()]
        model.train_step(batch, 0, "stage1")
        after = list(model.generator.text_encoder.parameters())
        changed[mode] = any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))
    assert changed == {"frozen": False, "fine-tune": True, "scratch": True}
    assert build_model("stackgan-lstm", text_training="scratch").text_pretraining() is None
    with raises_naming(ValueError, "text_training", "'pretrained'"):
        build_model("stackgan-lstm", text_training="pretrained")


def test_text_embeddings_have_unit_scale_per_dimension():
    tokens, ends = torch.tensor([[3, 5, 7, 0], [2, 4, 0, 0]]), torch.tensor([[0, 2], [1, -1]])
    for kind in ("bow", "lstm"):
        encoder = build_text_encoder(kind, 10, 8, 16)
        norms = encoder(tokens, ends).norm(dim=-1)
        assert torch.allclose(norms, torch.full((2, 2), 4.0), atol=1e-4)  # sqrt(16)
        state = encoder.state_dict()
        del state["output_scale"]  # a checkpoint from before the normalisation does not load silently
        with pytest.raises(RuntimeError, match="output_scale"):
            encoder.load_state_dict(state)


def test_conditioning_augmentation_init_scales_stackgan_s_with_the_fan_in():
    torch.manual_seed(0)
    for text_dim, expected in ((1024, 0.02), (64, 0.08)):
        weight = ConditioningAugmentation(text_dim, 32).fc.weight
        assert weight.std().item() == pytest.approx(expected, rel=0.05)
    model = build_model("stackgan-bow")  # the generator's StackGAN init does not undo it (text_dim 16)
    assert model.generator.stage1_conditioning.fc.weight.std().item() == pytest.approx(0.16, rel=0.15)


def test_prepare_trains_once_stores_and_reuses(catalog: Path, tmp_path: Path):
    opened, lookup = Catalog.open(catalog), default_lookup()
    lines: list[str] = []
    first = _catalog_model(opened, lookup, text_pretrain_epochs=3)
    report = prepare_text_encoder(first, opened, lookup, torch.device("cpu"), log=lines.append)
    assert len(report["epochs"]) == 3 and report["n_val_batches"] == 0  # the tiny catalog has no val split
    stored = catalog / DIRNAME / report["key"]
    assert (stored / ENCODER_FILE).is_file() and json.loads((stored / "report.json").read_text())["key"]
    second = _catalog_model(opened, lookup, text_pretrain_epochs=3)
    again = prepare_text_encoder(second, opened, lookup, torch.device("cpu"), log=lines.append)
    assert again["key"] == report["key"] and lines[-1] == f"text encoder: reusing {stored}"
    for a, b in zip(first.generator.text_encoder.parameters(), second.generator.text_encoder.parameters(),
                    strict=True):
        assert torch.equal(a, b)
    other = _catalog_model(opened, lookup, text_pretrain_epochs=2)
    assert prepare_text_encoder(other, opened, lookup, torch.device("cpu"), log=lines.append)["key"] \
        != report["key"]
    assert prepare_text_encoder(_catalog_model(opened, lookup, text_training="scratch"), opened, lookup,
                                torch.device("cpu")) is None
    (stored / ENCODER_FILE).write_bytes(b"not a checkpoint")
    with raises_naming(TextEncoderError, stored / ENCODER_FILE):
        prepare_text_encoder(second, opened, lookup, torch.device("cpu"), log=lines.append)


def _catalog_model(opened: Catalog, lookup, **options):
    from ganbench.train.runs import build_model as build_for_catalog

    values = tiny_config_dict(Path(opened.root))
    values["data"]["colour_lookup"] = "default"
    values["model"] = {"name": "stackgan-lstm", "options": TINY | options}
    config = build_run_config(values, "test")
    torch.manual_seed(0)
    return build_for_catalog(config, opened, lookup, torch.device("cpu"))


def test_a_run_pretrains_before_training_and_resumes_without_pretraining(catalog: Path, tmp_path: Path):
    values = tiny_config_dict(catalog, stage1_steps=2, stage2_steps=0)
    values["data"]["colour_lookup"] = "default"
    values["model"] = {"name": "stackgan-bow", "options": TINY | {"text_pretrain_epochs": 2}}
    config = build_run_config(values, "test")
    store = catalog / DIRNAME
    existing = set(store.iterdir()) if store.is_dir() else set()
    run_dir = train_run(config, tmp_path / "run", stop_after=1)
    (new,) = set(store.iterdir()) - existing
    pretrained = torch.load(new / ENCODER_FILE, weights_only=True)["state"]
    (new / ENCODER_FILE).write_bytes(b"broken")  # a resume must not read the store again
    train_run(config, run_dir, resume=True)
    trained = load_run(run_dir).model.generator.text_encoder.state_dict()  # frozen: the pretrained one
    assert pretrained.keys() == trained.keys()
    assert all(torch.equal(pretrained[k], trained[k]) for k in trained)
