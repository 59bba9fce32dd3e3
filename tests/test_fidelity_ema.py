"""The EMA averages batch-norm running statistics with the weights, and old checkpoints still load."""

from __future__ import annotations

import torch
from _asserts import raises_naming

from ganbench.train.ema import EMA


def _net() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))


def test_running_statistics_are_averaged_and_swapped_with_the_weights():
    module = _net()
    ema = EMA(module, decay=0.5)
    assert sorted(ema.shadow) == ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var",
                                  "1.weight"]  # num_batches_tracked (an integer count) stays live
    start_mean = module[1].running_mean.clone()
    for _ in range(30):
        module(torch.randn(16, 2) * 5 + 3)  # training mode: moves the running statistics
    live_mean, live_var = module[1].running_mean.clone(), module[1].running_var.clone()
    ema.update(module)  # first decay min(0.5, 1/10) = 0.1: 90% of the way to the live values
    expected = start_mean + 0.9 * (live_mean - start_mean)
    with ema.swap(module):
        assert torch.allclose(module[1].running_mean, expected)
        assert not torch.allclose(module[1].running_mean, live_mean)
    assert torch.equal(module[1].running_mean, live_mean) and torch.equal(module[1].running_var, live_var)


def test_sampling_in_eval_mode_uses_the_averaged_statistics():
    module = _net()
    ema = EMA(module, decay=0.9)
    for _ in range(5):
        module(torch.randn(16, 2) + 10)
    ema.update(module)
    probe = torch.ones(3, 2)
    module.eval()
    with ema.swap(module):
        averaged = module(probe)
    reference = _net().eval()
    reference.load_state_dict({**module.state_dict(), **ema.shadow})
    assert torch.allclose(averaged, reference(probe))
    assert not torch.allclose(averaged, module(probe))  # the live statistics give another output


def test_a_checkpoint_without_averaged_buffers_still_loads():
    module = _net()
    ema = EMA(module, decay=0.9)
    old_format = {"decay": 0.9, "num_updates": 7,
                  "shadow": {name: value for name, value in ema.shadow.items() if "running" not in name}}
    restored = EMA(module, decay=0.9)
    restored.load_state_dict(old_format)
    assert restored.num_updates == 7 and sorted(restored.shadow) == sorted(old_format["shadow"])
    module(torch.randn(16, 2) + 4)
    live_mean = module[1].running_mean.clone()
    restored.update(module)
    with restored.swap(module):
        assert torch.equal(module[1].running_mean, live_mean)  # buffers stay live, as before
    missing_weight = {**old_format, "shadow": {k: v for k, v in ema.shadow.items() if k != "0.weight"}}
    with raises_naming(ValueError, "EMA", "0.weight"):
        EMA(module, decay=0.9).load_state_dict(missing_weight)


def test_a_part_that_waits_for_its_phase_starts_its_own_warm_up():
    """Issue 18: with one global count, a part left at its initialisation through the first phase (Stage II
    through Stage I) was averaged at the full decay from its first step, its shadow still the init."""
    torch.manual_seed(0)
    module = torch.nn.ModuleDict({"first": torch.nn.Linear(2, 2), "second": torch.nn.Linear(2, 2)})
    ema = EMA(module, decay=0.95)
    for _ in range(100):  # phase one: only "first" trains
        with torch.no_grad():
            module["first"].weight.add_(0.01)
        ema.update(module)
    init = module["second"].weight.detach().clone()
    with torch.no_grad():
        module["second"].weight.add_(1.0)  # phase two starts: "second" moves for the first time
    ema.update(module)
    moved = ema.shadow["second.weight"] - init
    assert torch.allclose(moved, torch.full_like(moved, 0.9))  # first decay min(0.95, 1/10): 90% of the way
    assert ema.counts["second.weight"] == 1 and ema.counts["first.weight"] == 101


def test_per_tensor_counts_survive_a_checkpoint():
    module = _net()
    ema = EMA(module, decay=0.9)
    with torch.no_grad():
        module[0].weight.add_(1.0)
    ema.update(module)
    restored = EMA(_net(), decay=0.9)
    restored.load_state_dict(ema.state_dict())
    assert restored.counts == ema.counts
    assert restored.counts["0.weight"] == 1 and restored.counts["0.bias"] == 0
