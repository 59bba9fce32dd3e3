"""In the ``joint`` phase no Stage-II gradient reaches Stage I through the Stage-I image (official StackGAN
Stage II detaches it)."""

from __future__ import annotations

from _models_helpers import build_model, tiny_batch


def test_stage2_losses_do_not_reach_stage1_through_the_image():
    model = build_model("stackgan-lstm", text_training="fine-tune")  # a text encoder that learns
    batch = tiny_batch(model.context, False)
    samples = model._batch_samples(batch)
    noise = samples.noise(model.options.z_dim, samples.embedding.dtype)
    output = model.generator(samples.embedding, noise, (1, 2))
    assert output.images[1].requires_grad  # Stage I does train in this phase ...
    model.generator.zero_grad(set_to_none=True)
    output.images[2].square().mean().backward()  # ... but a Stage-II-only loss leaves it untouched
    stage1_grads = [p.grad for p in model.generator.stage1.parameters()]
    assert all(g is None for g in stage1_grads)
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.generator.stage2.parameters())
    encoder = model.generator.text_encoder  # the text still learns through Stage II's conditioning
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in encoder.parameters())

