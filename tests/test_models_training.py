"""Every registered model trains on a hand-made batch: finite losses, the right parts updated per phase."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from _asserts import raises_naming
from _models_helpers import MODEL_NAMES, TrainOptions, build_model, tiny_batch, tiny_context

from ganbench.nn.text_encoders import LstmEncoder


def _snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def _changed(before: dict[str, torch.Tensor], module: torch.nn.Module) -> set[str]:
    return {name for name, p in module.named_parameters() if not torch.equal(before[name], p)}


def _trained_parts(model, phase: str) -> set[str]:
    """The top-level parts (generator stage modules, discriminators) whose weights a step changed."""
    before = _snapshot(model)
    context = model.context
    losses = model.train_step(tiny_batch(context, getattr(model.options, "colour_model", False)), 0, phase)
    assert losses and all(math.isfinite(v) for v in losses.values()), losses
    return {".".join(name.split(".")[:2]) for name in _changed(before, model)}


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("text_training", ["frozen", "fine-tune"])
def test_each_model_trains_both_phases_with_finite_losses(name, text_training):
    model = build_model(name, text_training=text_training)
    model.configure_optimizers(TrainOptions())
    stage1 = _trained_parts(model, "stage1")
    encoder = {"image_generator.text_encoder"} if text_training == "fine-tune" else set()  # frozen: fixed
    assert stage1 == encoder | {
        "image_generator.stage1_conditioning",
        "image_generator.stage1",
        "discriminators.stage1",
    }
    stage2 = _trained_parts(model, "stage2")  # Stage I and the text encoder stay fixed
    assert stage2 == {
        "image_generator.stage2_conditioning",
        "image_generator.stage2",
        "discriminators.stage2",
    }


def test_joint_phase_trains_everything():
    model = build_model("restgan", text_training="fine-tune")
    model.configure_optimizers(TrainOptions())
    assert _trained_parts(model, "joint") == {
        "image_generator.text_encoder",
        "image_generator.stage1_conditioning",
        "image_generator.stage1",
        "image_generator.stage2_conditioning",
        "image_generator.stage2",
        "discriminators.stage1",
        "discriminators.stage2",
    }


@pytest.mark.parametrize(
    ("name", "has_classes"), [("stackgan-lstm", False), ("stackgan-ac", True), ("restgan", True)]
)
def test_auxiliary_classifier_losses_are_reported(name, has_classes):
    model = build_model(name)
    model.configure_optimizers(TrainOptions())
    losses = model.train_step(tiny_batch(model.context, False), 0, "stage1")
    assert ({"d_classes", "g_classes"} <= set(losses)) == has_classes
    assert {"d_loss", "g_loss", "kl", "d_adversarial", "g_adversarial"} <= set(losses)


def test_restgan_ablation_flags_change_the_losses():
    plain = build_model("restgan", aux_classifier=False, colour_model=False)
    plain.configure_optimizers(TrainOptions())
    losses = plain.train_step(tiny_batch(plain.context, False), 0, "stage1")
    assert "d_classes" not in losses and "consistency" not in losses
    consistent = build_model("restgan", consistency_loss=True, consistency_weight=0.5)
    consistent.configure_optimizers(TrainOptions())
    losses = consistent.train_step(tiny_batch(consistent.context, True), 0, "stage1")
    assert losses["consistency"] > 0


def _noise_seen(model, run) -> torch.Tensor:
    """The noise matrix the Stage-I generator received while ``run()`` ran."""
    seen = []
    handle = model.generator.stage1.register_forward_pre_hook(
        lambda module, args: seen.append(args[1].clone())
    )
    try:
        run()
    finally:
        handle.remove()
    return seen[0]


@pytest.mark.parametrize(
    ("name", "options", "shared"),
    [("restgan", {}, True), ("restgan", {"shared_noise": False}, False), ("stackgan-prefix", {}, False)],
)
def test_query_models_judge_every_step_with_shared_or_fresh_noise(name, options, shared):
    model = build_model(name, **options)
    model.configure_optimizers(TrainOptions())
    batch = tiny_batch(model.context, getattr(model.options, "colour_model", False))
    noise = _noise_seen(model, lambda: model.train_step(batch, 0, "stage1"))
    assert len(noise) == int(batch["n_steps"].sum())  # one sample per query step (3 + 2 + 1 + 3)
    first_stream = noise[:3]
    assert torch.equal(first_stream[0], first_stream[1]) == shared
    assert torch.equal(first_stream[1], first_stream[2]) == shared
    assert not torch.equal(noise[0], noise[3])  # another stream, other noise


def test_colour_centroid_feature_adds_fixed_lab_features():
    model = build_model("restgan", colour_centroid_feature=True)
    words = model.generator.text_encoder.words
    vocabulary = model.context.vocabulary
    assert torch.allclose(
        words.fixed_features[vocabulary.id_of("<colour_1>")], torch.tensor([0.25, 0.1, -0.45])
    )
    assert torch.equal(words.fixed_features[vocabulary.id_of("petite")], torch.zeros(3))
    model.configure_optimizers(TrainOptions())
    losses = model.train_step(tiny_batch(model.context, True), 0, "stage1")
    assert all(math.isfinite(v) for v in losses.values())


def _bf16_channels_last_step(name: str) -> dict[str, torch.dtype]:
    """One bf16-autocast, channels-last Stage-I step of ``name``; the dtypes seen inside it."""
    model = build_model(name).to(memory_format=torch.channels_last)
    model.configure_optimizers(TrainOptions())
    batch = tiny_batch(model.context, getattr(model.options, "colour_model", False))
    batch["images"] = {s: x.contiguous(memory_format=torch.channels_last) for s, x in batch["images"].items()}
    seen: dict[str, torch.dtype] = {}

    def record(key: str):
        def hook(module, args, out) -> None:
            seen.setdefault(key, (out[0] if isinstance(out, tuple) else out).dtype)
        return hook

    encoder = model.generator.text_encoder
    hooks = [model.generator.stage1.register_forward_hook(record("stage1 image")),
             encoder.register_forward_hook(record("text embedding"))]
    if hasattr(encoder, "lstm"):
        hooks.append(encoder.lstm.register_forward_hook(record("lstm")))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        losses = model.train_step(batch, 0, "stage1")
    for hook in hooks:
        hook.remove()
    assert all(math.isfinite(v) for v in losses.values()), losses
    return seen


@pytest.mark.parametrize("name", ["restgan", "stackgan-bow"])
def test_bf16_autocast_and_channels_last_step_is_finite(name):
    seen = _bf16_channels_last_step(name)
    assert seen["stage1 image"] == torch.bfloat16  # the convolutions did run in bf16
    if name == "restgan":
        assert seen["lstm"] == torch.float32  # the recurrence stays float32: no bf16 LSTM on AVX2 CPUs


def test_bf16_step_runs_on_a_cpu_without_bf16_instructions():
    """The same step with oneDNN capped at AVX2 (as on CPUs without AVX-512 BF16 / AMX), in a fresh process
    since oneDNN reads the cap once; there bf16 is not native, so precision "bf16" trains in float32."""
    script = ("import sys; sys.path.insert(0, 'tests'); import torch; torch.set_num_threads(1); "
              "from test_models_training import _bf16_channels_last_step as step; "
              "from ganbench.train.precision import bf16_supported, resolve_precision; "
              "seen = step('restgan'); print(seen['stage1 image'], seen['lstm']); cpu = torch.device('cpu'); "
              "print(bf16_supported(cpu), resolve_precision('bf16', cpu).name)")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    # the bf16 step runs there; training with train.precision = "bf16" falls back to float32 (with a note)
    assert done.stdout.split() == ["torch.bfloat16", "torch.float32", "False", "fp32"]


def test_lstm_encoder_gives_float32_under_autocast_and_matches_float32():
    torch.manual_seed(0)
    encoder = LstmEncoder(n_tokens=10, embedding_dim=6, text_dim=8)
    tokens, ends = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]]), torch.tensor([[0, 2], [1, -1]])
    plain = encoder(tokens, ends)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = encoder(tokens, ends)
    assert mixed.dtype == torch.float32 and torch.equal(mixed, plain)


def test_train_step_errors_are_sentences():
    model = build_model("stackgan-bow")
    batch = tiny_batch(model.context, False)
    with raises_naming(RuntimeError, "configure_optimizers"):
        model.train_step(batch, 0, "stage1")
    model.configure_optimizers(TrainOptions())
    with raises_naming(ValueError, "'stage3'"):
        model.train_step(batch, 0, "stage3")
    del batch["images"][16]
    with raises_naming(KeyError, "16 px"):
        model.train_step(batch, 0, "stage1")


def test_optimisers_are_adam_with_train_options():
    model = build_model("stackgan-ac")
    optimizers = model.configure_optimizers(TrainOptions())
    assert set(optimizers) == {"generator", "discriminator"}
    assert all(isinstance(o, torch.optim.Adam) for o in optimizers.values())
    group = optimizers["generator"].param_groups[0]
    assert group["lr"] == 2e-4 and tuple(group["betas"]) == (0.5, 0.999)
    encoder_ids = {id(p) for p in model.generator.text_encoder.parameters()}  # frozen by default
    generator_ids = {id(p) for p in model.generator.parameters()} - encoder_ids
    assert {id(p) for p in optimizers["generator"].param_groups[0]["params"]} == generator_ids
    tuned = build_model("stackgan-ac", text_training="fine-tune")
    tuned_group = tuned.configure_optimizers(TrainOptions())["generator"].param_groups[0]
    assert {id(p) for p in tuned_group["params"]} == {id(p) for p in tuned.generator.parameters()}


def test_colour_model_without_lookup_is_refused():
    with raises_naming(ValueError, "colour_model"):
        build_model("restgan", context=tiny_context(with_lookup=False))
    model = build_model("restgan", context=tiny_context(with_lookup=False), colour_model=False)
    assert "classes_colour" not in model.discriminators["stage1"].class_heads  # no colour classes known
