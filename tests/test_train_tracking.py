"""Experiment tracking in MLflow (``train.tracker = "mlflow"``), offline in a local store: losses, sample
grids and final metrics land in one MLflow run, and the training numbers are those of an untracked run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _train_helpers import make_tiny_catalog, tiny_config_dict

from ganbench.config import ConfigError, build_run_config
from ganbench.train.logging import read_log
from ganbench.train.runs import train_run
from ganbench.train.tracking import TRACKING_FILE, final_metric_values, track_final_metrics

mlflow = pytest.importorskip("mlflow", reason="the tracking extra is not installed: pip install "
                                              "'ganbench[tracking]'")
pytest.importorskip("sqlalchemy", reason="MLflow's SQLite store needs sqlalchemy (ganbench[tracking])")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("tracking") / "catalog", n=12)


def _losses(run_dir: Path) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "img_per_s"} for row in read_log(run_dir)]


def _client(store: Path):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}")


def test_a_tracked_run_logs_losses_samples_and_final_metrics_offline(catalog, tmp_path):
    store = tmp_path / "mlruns"
    tracked = train_run(build_run_config(tiny_config_dict(catalog, tracker="mlflow", tracking_dir=str(store)),
                                         "test"), tmp_path / "cell" / "run")
    plain = train_run(build_run_config(tiny_config_dict(catalog), "test"), tmp_path / "plain")
    assert _losses(tracked) == _losses(plain)  # tracking changes no training number
    assert not (plain / TRACKING_FILE).exists()

    run_id = json.loads((tracked / TRACKING_FILE).read_text())["run_id"]
    client = _client(store)
    run = client.get_run(run_id)
    assert run.info.run_name == "cell" and run.info.status == "FINISHED"
    assert run.data.params["train.batch_size"] == "4" and run.data.params["model.name"] == "fake-gan"
    logged = read_log(tracked)
    loss_name = next(k for k in logged[0] if k not in ("step", "phase", "img_per_s"))
    history = client.get_metric_history(run_id, f"{logged[0]['phase']}/{loss_name}")
    first_phase = [row for row in logged if row["phase"] == logged[0]["phase"]]
    assert [m.step for m in history] == [row["step"] for row in first_phase]
    assert [m.value for m in history] == pytest.approx([row[loss_name] for row in first_phase])
    samples = sorted(Path(info.path).name for info in client.list_artifacts(run_id, "samples"))
    assert samples == sorted(p.name for p in (tracked / "samples").glob("*.png")) and samples

    metrics = {"is_type": {"mean": 2.5, "std": 0.1}, "fid": {"mean": 40.0}, "n_samples": 16,
               "attribute_accuracy": {"type": {"mean": 0.75}}, "settings": {"image_size": 32}}
    track_final_metrics(tracked, metrics)
    final = _client(store).get_run(run_id).data.metrics
    assert final["eval/is_type"] == 2.5 and final["eval/fid"] == 40.0
    assert final["eval/attribute_accuracy.type"] == 0.75 and "eval/settings.image_size" not in final


def test_final_metric_values_take_each_entry_mean():
    values = dict(final_metric_values({"kid": {"mean": -0.001, "std": 0.01}, "warnings": ["x"],
                                       "run": {"step": 3}, "finished": True}))
    assert values == {"eval/kid": -0.001}


def test_an_unknown_tracker_is_a_config_error_naming_the_key(catalog):
    with pytest.raises(ConfigError, match="train.tracker"):
        build_run_config(tiny_config_dict(catalog, tracker="wandb"), "test")


def test_mlflow_missing_is_refused_before_training(catalog, monkeypatch):
    monkeypatch.setattr("ganbench.config.schema.find_spec", lambda name: None)
    with pytest.raises(ConfigError, match="train.tracker"):
        build_run_config(tiny_config_dict(catalog, tracker="mlflow"), "test")
