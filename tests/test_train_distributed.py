"""Data-parallel training (torch.distributed, gloo on CPU): two ranks through ``torchrun`` and through
``torch.multiprocessing``, at tiny sizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from _asserts import raises_naming
from _distributed_helpers import (
    StandIn,
    StepsStandIn,
    free_port,
    global_batch,
    one_step_worker,
    steps_batch,
    variable_steps_worker,
)
from _train_helpers import make_tiny_catalog
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.train.checkpoint import restore_cuda_rng
from ganbench.train.distributed import DistributedError, Ranks, RankShardSampler, local_batch_size, rank_seed
from ganbench.train.logging import read_log
from ganbench.train.runs import load_run

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_two_ranks_of_batch_b_update_like_one_process_of_batch_2b(tmp_path: Path) -> None:
    mp.spawn(one_step_worker, args=(2, free_port(), 8, str(tmp_path)), nprocs=2, join=True)
    single = StandIn()
    single.load_state_dict(torch.load(tmp_path / "start.pt"))
    start = {k: v.clone() for k, v in single.state_dict().items()}
    single.train_step(global_batch(8))
    rank0, rank1 = torch.load(tmp_path / "after.pt")
    for name, expected in single.state_dict().items():
        assert torch.equal(rank0[name], rank1[name]), name  # the ranks stay identical
        torch.testing.assert_close(rank0[name], expected, rtol=1e-5, atol=1e-6)
    half = StandIn()  # what rank 0 would have done alone: the test can tell the difference
    half.load_state_dict(start)
    half.train_step({k: v[:4] for k, v in global_batch(8).items()})
    assert not torch.allclose(half.state_dict()["generator.0.weight"], rank0["generator.0.weight"], atol=1e-6)


@pytest.mark.slow
def test_two_ranks_weight_their_gradients_by_query_steps_like_one_process(tmp_path: Path) -> None:
    """Losses are means over query-step samples; rank 0's items have 2 steps, rank 1's 7. The plain mean
    of the ranks' gradients weighted both halves alike, unlike one process with the whole batch."""
    mp.spawn(variable_steps_worker, args=(2, free_port(), 8, str(tmp_path)), nprocs=2, join=True)
    torch.manual_seed(100)
    single = StepsStandIn()
    single.train_step(steps_batch(8))
    after = torch.load(tmp_path / "after.pt")
    for name, expected in single.state_dict().items():
        torch.testing.assert_close(after[name], expected, rtol=1e-5, atol=1e-6)


def test_ranks_share_each_global_batch_without_overlap() -> None:
    batches = [[5, 1, 7, 3, 0, 2], [4, 6, 8, 9, 10, 11]]
    shares = [list(RankShardSampler(batches, Ranks(rank, 3, rank))) for rank in range(3)]
    assert shares[0] == [[5, 1], [4, 6]] and shares[2] == [[0, 2], [10, 11]]
    assert sorted(sum((s[0] for s in shares), [])) == sorted(batches[0])


def test_world_size_must_fit_the_batch() -> None:
    assert local_batch_size(8, Ranks(1, 2, 1)) == 4
    with raises_naming(DistributedError, "train.batch_size", "4", "2"):
        local_batch_size(2, Ranks(0, 4, 0))
    with pytest.raises(DistributedError, match="at least 2 items") as refused:  # one item per rank
        local_batch_size(2, Ranks(0, 2, 0))
    assert "raise train.batch_size to 4" in str(refused.value)
    with raises_naming(DistributedError, "train.batch_size", "10", "4"):
        local_batch_size(10, Ranks(0, 4, 0))


def _write_config(path: Path, catalog: Path) -> Path:
    path.write_text(f"""
[data]
catalog = "{catalog}"
stage1_size = 16
stage2_size = 32
colour_lookup = "none"
[model]
name = "stackgan-bow"
[model.options]
gf_dim = 4
df_dim = 4
z_dim = 4
embedding_dim = 8
text_dim = 8
condition_dim = 4
residual_blocks = 0
[train]
batch_size = 4
stage1_steps = 2
stage2_steps = 1
log_every = 1
sample_every = 100
checkpoint_every = 100
precision = "fp32"
channels_last = false
device = "cpu"
sample_queries = [["women's black pants"]]
""", encoding="utf-8")
    return path


def _torchrun(*args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
                        "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
               "-m", "ganbench", "train", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.slow
def test_torchrun_two_ranks_train_load_and_resume(tmp_path: Path) -> None:
    catalog = make_tiny_catalog(tmp_path / "catalog", n=12)
    config, run_dir = _write_config(tmp_path / "run.toml", catalog), tmp_path / "run"
    first = _torchrun("--config", str(config), "--out", str(run_dir))
    assert first.returncode == 0, first.stderr[-3000:]
    assert "global batch 4 = 2 x 2 per process" in first.stdout
    assert first.stdout.count("trained stackgan-bow") == 1  # rank 0 alone speaks
    assert json.loads((run_dir / "done.json").read_text())["step"] == 3
    loaded = load_run(run_dir)  # the checkpoint opens in one process
    assert loaded.step == 3 and loaded.finished
    assert len(torch.load(run_dir / "checkpoint.pt")["extra"]["rank_rng"]) == 2

    resumed = _torchrun("--out", str(run_dir), "--resume", "--set", "train.stage2_steps=3")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "from step 3" in resumed.stdout
    assert [row["step"] for row in read_log(run_dir)] == [1, 2, 3, 4, 5]
    assert json.loads((run_dir / "done.json").read_text())["step"] == 5
    assert load_run(run_dir).step == 5


def test_a_world_larger_than_the_batch_is_one_line(tmp_path: Path) -> None:
    catalog = make_tiny_catalog(tmp_path / "catalog", n=12)
    config = _write_config(tmp_path / "run.toml", catalog)
    env = {"WORLD_SIZE": "8", "RANK": "0", "LOCAL_RANK": "0"}
    result = CliRunner().invoke(main, ["train", "--config", str(config), "--out", str(tmp_path / "run")],
                                env=env)
    assert result.exit_code == 1
    assert result.output.startswith("Error: 8 training processes but train.batch_size = 4:")
    assert len(result.output.strip().splitlines()) == 1


def test_rank_seeds_stay_in_numpys_range_and_differ_by_rank() -> None:
    """seed 5000 under torchrun, and a resume from step >= 4295 with another world size, overflowed
    NumPy's 2**32 limit when the rank seed was seed * 1_000_003 + ..."""
    seeds = [rank_seed(seed, rank) for seed in (0, 5000, 2**32 - 1, 10**12) for rank in range(4)]
    assert all(0 <= s < 2**32 for s in seeds)
    assert len(set(seeds)) == len(seeds)
    np.random.seed(rank_seed(5000 + 4295, 1))  # what seed_rank hands to seed_everything


def test_cuda_rng_states_restore_onto_the_visible_gpus_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkpoint from an 8-GPU node restores on a 1-GPU machine (set_rng_state_all raised IndexError)."""
    restored: list[int] = []
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "set_rng_state", lambda state, device: restored.append(device))
    restore_cuda_rng([torch.zeros(8, dtype=torch.uint8)] * 8)
    assert restored == [0]
