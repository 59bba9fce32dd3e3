"""Cells whose job is several submitit tasks, one training rank each (``launcher.nodes`` /
``launcher.tasks_per_node``): the ranks a task exports, the SLURM job they ask for, the launchers that
cannot provide them, and one real cell of two gloo ranks on CPU through submitit's local executor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import submitit
import torch
from _asserts import raises_naming
from _run_helpers import FakeSteps
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.run.experiment import ExperimentError, load_experiment
from ganbench.run.launcher_settings import LauncherError
from ganbench.run.launchers import executor_for, executor_parameters, launch
from ganbench.run.pipeline import prepare_catalog
from ganbench.run.runner import Pipeline
from ganbench.run.task_ranks import cell_world_size, tasks_per_node
from ganbench.run.torchrun import TorchrunTrain
from ganbench.train.runs import train_run

TESTS = Path(__file__).resolve().parent
ONE_CELL = """
[run]
name = "ranks"
models = ["stackgan-bow"]
seeds = [0]
[run.catalog]
synthesise = {{ n = 32, seed = 0 }}
[data]
catalog = "{catalog}"
stage1_size = 16
stage2_size = 32
colour_lookup = "none"
[train]
batch_size = 8
stage1_steps = 2
stage2_steps = 1
device = "cpu"
precision = "fp32"
channels_last = false
log_every = 1
sample_every = 100
checkpoint_every = 100
[model.options]
gf_dim = 4
df_dim = 4
z_dim = 4
embedding_dim = 4
text_dim = 8
condition_dim = 4
residual_blocks = 0
"""


def _experiment(tmp_path: Path, launcher: str = "") -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(ONE_CELL.format(catalog=tmp_path / "catalog") + launcher, encoding="utf-8")
    return path


def _settings(tmp_path: Path, launcher: str):
    return load_experiment(_experiment(tmp_path, launcher)).config.launcher


def test_nodes_run_one_task_per_gpu_and_one_node_is_unchanged(tmp_path) -> None:
    """nodes had to be 1; a single-node cell still asks for one task (torchrun starts the GPUs' ranks)."""
    one = _settings(tmp_path, "[launcher]\ngpus_per_node = 4\n")
    assert (tasks_per_node(one), cell_world_size(one)) == (1, 1)
    assert executor_parameters("slurm", one)["tasks_per_node"] == 1
    two = _settings(tmp_path, "[launcher]\nnodes = 2\ngpus_per_node = 4\n")
    assert (tasks_per_node(two), cell_world_size(two)) == (4, 8)
    cpu = _settings(tmp_path, "[launcher]\nnodes = 3\n")
    assert cell_world_size(cpu) == 3
    emulated = _settings(tmp_path, "[launcher]\ntasks_per_node = 2\n")
    assert cell_world_size(emulated) == 2


def test_the_sbatch_script_of_a_two_node_cell_asks_for_a_task_per_gpu(tmp_path, monkeypatch) -> None:
    """submitit's own SLURM executor checks the parameters and writes the script (no SLURM needed)."""
    monkeypatch.setattr(submitit.SlurmExecutor, "affinity", classmethod(lambda cls: 2))
    settings = _settings(tmp_path, '[launcher]\nnodes = 2\ngpus_per_node = 4\ncpus_per_task = 8\n'
                                   'partition = "gpu"\n')
    executor = executor_for("slurm", settings, tmp_path, "ganbench-ranks")
    script = executor._executor._make_submission_file_text("python -m submitit.core._submit x", "uid")
    for line in ("#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=4", "#SBATCH --gpus-per-node=4",
                 "#SBATCH --cpus-per-task=8", "#SBATCH --partition=gpu"):
        assert line in script.splitlines(), (line, script)
    assert executor._executor._num_tasks() == 8


@pytest.mark.parametrize(("table", "expected"), [
    ("[launcher]\nnodes = 0\n", "'launcher.nodes' must be at least 1"),
    ("[launcher]\ngpus_per_node = 2\ntasks_per_node = 3\n", "gpus_per_node is 2"),
])
def test_impossible_task_layouts_are_one_line(tmp_path, table, expected) -> None:
    with pytest.raises(ExperimentError, match=expected):
        load_experiment(_experiment(tmp_path, table))


@pytest.mark.parametrize(("table", "launcher", "named"), [
    ("[launcher]\nnodes = 2\n", "submitit-local", ("launcher.nodes = 2", "--launcher slurm")),
    ("[launcher]\nnodes = 2\n", "local", ("launcher.nodes = 2", "--launcher slurm")),
    ("[launcher]\ntasks_per_node = 2\n", "local", ("launcher.tasks_per_node = 2", "submitit-local")),
])
def test_launchers_that_cannot_start_the_tasks_say_so(tmp_path, table, launcher, named) -> None:
    experiment = load_experiment(_experiment(tmp_path, table), results_dir=tmp_path / "out")
    with raises_naming(LauncherError, *named):
        launch(experiment, tmp_path / "out", FakeSteps().pipeline(), launcher, 1)
    assert not (tmp_path / "out").exists()  # refused before anything is written
    result = CliRunner().invoke(main, ["run", str(tmp_path / "exp.toml"), "--out", str(tmp_path / "o"),
                                       "--launcher", launcher])
    assert result.exit_code == 1 and all(name in result.output for name in named), result.output
    assert len(result.output.strip().splitlines()) == 1


def _weights(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "checkpoint.pt", map_location="cpu", weights_only=False)["model"]


@pytest.mark.slow
def test_two_task_ranks_of_a_submitit_local_cell_train_like_two_torchrun_ranks(tmp_path, monkeypatch) -> None:
    """One cell, one submitit-local job of two tasks (gloo on CPU): both ranks train the cell, rank 0
    writes it, and the weights are those of the same training through torchrun with two ranks."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS.parent), str(TESTS),
                                                       os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    results, lines = tmp_path / "out", []
    experiment = load_experiment(_experiment(tmp_path, "[launcher]\ntasks_per_node = 2\ntimeout_min = 10\n"),
                                 results_dir=results)
    pipeline = Pipeline(prepare_catalog=prepare_catalog, train=train_run, evaluate=FakeSteps().evaluate)
    outcomes = launch(experiment, results, pipeline, "submitit-local", 1, log=lines.append)
    assert [o.status for o in outcomes] == ["done"], outcomes
    folder = results / "cells" / "stackgan-bow__default__seed0"
    assert (folder / "metrics.json").is_file() and (folder / "run" / "done.json").is_file()
    payload = torch.load(folder / "run" / "checkpoint.pt", map_location="cpu", weights_only=False)
    assert payload["step"] == 3 and len(payload["extra"]["rank_rng"]) == 2  # a world of two ranks
    logs = sorted((results / "jobs").glob("*/*_log.out"))
    assert [path.name.split("_")[1] for path in logs] == ["0", "1"]  # one log per task
    rank0 = logs[0].read_text()
    assert "data-parallel over 2 processes (cpu): global batch 8 = 2 x 4 per process" in rank0
    assert "data-parallel" not in logs[1].read_text()  # rank 1 trains silently, as under torchrun

    reference = tmp_path / "torchrun" / "run"
    TorchrunTrain(2)(experiment.cells[0].config, reference, False)
    expected = _weights(reference)
    trained = _weights(folder / "run")
    assert trained.keys() == expected.keys()
    for name, tensor in expected.items():
        assert torch.equal(trained[name], tensor), name


FAKE_SLURM_TASK = """
import json, sys
import torch, torch.distributed as dist
from ganbench.config import RunConfig
from ganbench.run.task_ranks import join_task_group
from ganbench.train.distributed import launched_ranks, teardown_distributed
config = RunConfig()
config = config.model_copy(update={"train": config.train.model_copy(update={"device": "cpu"})})
ranks = join_task_group(config)
total = torch.tensor([ranks.rank + 1])
dist.all_reduce(total)
import os
print(json.dumps({"rank": ranks.rank, "world": ranks.world_size, "local": ranks.local_rank,
                  "again": launched_ranks().rank, "sum": int(total.item()),
                  "master": os.environ["MASTER_ADDR"] + ":" + os.environ["MASTER_PORT"]}))
teardown_distributed(wait_for_all=True)
"""


@pytest.mark.slow
def test_two_fake_slurm_nodes_join_one_group_from_slurms_variables(tmp_path) -> None:
    """What LocalExecutor cannot emulate (it runs one node): two tasks on two "nodes" of a SLURM job, as
    real processes given SLURM's variables, find their ranks through submitit and meet in one gloo group."""
    import json
    import subprocess
    import sys

    from _distributed_helpers import free_port

    port = free_port()
    common = os.environ | {"PYTHONPATH": str(TESTS.parent), "OMP_NUM_THREADS": "1",
                           "SUBMITIT_EXECUTOR": "slurm", "SLURM_JOB_ID": "4242", "SLURM_NTASKS": "2",
                           "SLURM_JOB_NUM_NODES": "2", "SLURM_JOB_NODELIST": "localhost,otherhost",
                           "SLURM_LOCALID": "0", "MASTER_PORT": str(port)}
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR"):
        common.pop(key, None)
    tasks = [subprocess.Popen([sys.executable, "-c", FAKE_SLURM_TASK], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env=common | {"SLURM_PROCID": str(task), "SLURM_NODEID": str(task)})
             for task in range(2)]
    seen = []
    for task in tasks:
        out, err = task.communicate(timeout=120)
        assert task.returncode == 0, err[-2000:]
        seen.append(json.loads(out.strip().splitlines()[-1]))
    assert [(s["rank"], s["world"], s["local"], s["again"]) for s in seen] == [(0, 2, 0, 0), (1, 2, 0, 1)]
    assert all(s["sum"] == 3 and s["master"] == f"localhost:{port}" for s in seen)  # one group, host 0
