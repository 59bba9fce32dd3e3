"""One training per run folder: `srun -n2 ganbench train` (two tasks, no torchrun, so no RANK) started
two trainings into one folder; now the second names the first and stops. Real processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from _cluster_helpers import fake_ganbench_command
from _train_helpers import make_tiny_catalog, tiny_config_dict

from ganbench.config import build_run_config, write_config
from ganbench.train.logging import read_log


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("runlock") / "catalog", n=12)


@pytest.mark.slow  # real processes: scheduler-facing, like the torchrun tests
def test_two_tasks_of_one_job_training_into_one_folder_leave_one_training(catalog, tmp_path) -> None:
    config_file, out = tmp_path / "run.toml", tmp_path / "run"
    write_config(build_run_config(tiny_config_dict(catalog), "test"), config_file)
    tasks = []
    for task in range(2):  # what `srun -n2` gives each task: one job id, its own SLURM_PROCID, no RANK
        env = os.environ | {"SLURM_JOB_ID": "4242", "SLURM_PROCID": str(task), "SLURM_RESTART_COUNT": "0"}
        command = fake_ganbench_command(0, 0, 0.5, "train", "--config", str(config_file), "--out", str(out))
        tasks.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    results = [(task.wait(timeout=300), task.stderr.read()) for task in tasks]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, err in results if code == 1)
    assert "in use by another worker" in refused and "job 4242" in refused
    assert [row["step"] for row in read_log(out)] == [1, 2, 3, 4, 5, 6]  # one training's log, not two
    assert (out / "done.json").is_file() and not (out / "lock.json").exists()
