"""Experiment tracking in MLflow (optional extra ``ganbench[tracking]``), beside the run's own logs and
TensorBoard: losses, sample grids and, once the run is evaluated, its final metrics.

``train.tracker = "mlflow"`` turns it on. Our choices:

- MLflow rather than W&B: it runs wholly offline in a local store (no account, no background service);
- the store is ``train.tracking_dir`` (default ``mlruns``, relative to the working folder): an SQLite
  database ``mlflow.db`` and an ``artifacts/`` folder, because MLflow 3 refuses its plain-file store.
  Browse it with ``mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db``;
- one MLflow experiment, ``ganbench``; each run folder is one MLflow run named after it (the cell name
  under ``ganbench run``), its settings as parameters. The run's id is kept in ``RUN/tracking.json`` so a
  resumed run and the run's evaluation log to the same MLflow run;
- metric names are ``PHASE/NAME`` as in TensorBoard; final metrics are ``eval/NAME`` (an entry's mean).

Tracking never touches a random generator or a tensor, so the training numbers are the same with it on.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

TRACKERS = ("none", "mlflow")
TRACKING_FILE = "tracking.json"
EXPERIMENT = "ganbench"
PARAM_SECTIONS = ("data", "model", "train")  # the run settings logged as MLflow parameters


class TrackingError(ValueError):
    """Tracking was asked for but cannot start (the extra is not installed)."""


def mlflow_available() -> bool:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        return False
    return True


class MlflowTracker:
    """One MLflow run: scalars per step, images as artifacts, final metrics."""

    def __init__(self, client: Any, run_id: str) -> None:
        self.client, self.run_id = client, run_id

    def log_scalars(self, step: int, phase: str, scalars: Mapping[str, float]) -> None:
        self._log_batch({f"{phase}/{name}": value for name, value in scalars.items()}, step)

    def log_image(self, path: Path, folder: str = "samples") -> None:
        self.client.log_artifact(self.run_id, str(path), folder)

    def log_final_metrics(self, metrics: Mapping[str, Any]) -> None:
        self._log_batch(dict(final_metric_values(metrics)), step=0)

    def close(self, finished: bool = True) -> None:
        self.client.set_terminated(self.run_id, "FINISHED" if finished else "KILLED")

    def _log_batch(self, values: Mapping[str, float], step: int) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = [Metric(key, float(value), now, step) for key, value in values.items()
                   if math.isfinite(float(value))]
        for start in range(0, len(metrics), 1000):  # MLflow takes at most 1000 metrics a batch
            self.client.log_batch(self.run_id, metrics=metrics[start:start + 1000])


def final_metric_values(metrics: Mapping[str, Any], prefix: str = "eval") -> Iterator[tuple[str, float]]:
    """``(eval/NAME, value)`` for every number of ``metrics.json``: an entry's mean, nested dicts of
    entries (per attribute) as ``eval/NAME.KEY``; settings, run identity and text are left out."""
    for name, value in metrics.items():
        if name in ("settings", "run", "catalog", "eval_net", "baseline"):
            continue
        key = f"{prefix}/{name}"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            yield key, float(value)
        elif isinstance(value, Mapping) and isinstance(value.get("mean"), int | float):
            yield key, float(value["mean"])
        elif isinstance(value, Mapping):
            for sub, number in _nested_numbers(value):
                yield f"{key}.{sub}", number


def _nested_numbers(table: Mapping[str, Any]) -> Iterator[tuple[str, float]]:
    for sub, entry in table.items():
        if isinstance(entry, Mapping) and isinstance(entry.get("mean"), int | float):
            yield sub, float(entry["mean"])
        elif isinstance(entry, int | float) and not isinstance(entry, bool):
            yield sub, float(entry)


def _client(store: Path) -> Any:
    from mlflow.tracking import MlflowClient

    store.mkdir(parents=True, exist_ok=True)
    return MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}")


def _experiment_id(client: Any, store: Path) -> str:
    found = client.get_experiment_by_name(EXPERIMENT)
    if found is not None:
        return found.experiment_id
    return client.create_experiment(EXPERIMENT, artifact_location=(store / "artifacts").as_uri())


def open_tracker(tracker: str, tracking_dir: str, run_dir: Path, settings: Mapping[str, Any],
                 resume: bool) -> MlflowTracker | None:
    """The tracker the ``[train]`` settings ask for (None for ``"none"``); a resumed run continues the MLflow
    run recorded in ``run_dir/tracking.json``. ``settings`` (the run config as a dict) become parameters."""
    if tracker == "none":
        return None
    if not mlflow_available():
        raise TrackingError(f"train.tracker = {tracker!r} needs MLflow: pip install 'ganbench[tracking]' "
                            "(or set train.tracker = \"none\")")
    record = run_dir / TRACKING_FILE
    if resume and record.is_file():
        return reopen_tracker(run_dir)
    store = Path(tracking_dir).resolve()
    client = _client(store)
    name = run_dir.parent.name if run_dir.name == "run" else run_dir.name  # a cell of ganbench run: its name
    run = client.create_run(_experiment_id(client, store), run_name=name,
                            tags={"ganbench.run_dir": str(run_dir.resolve())})
    _log_params(client, run.info.run_id, settings)
    record.write_text(json.dumps({"tracker": tracker, "store": str(store), "run_id": run.info.run_id},
                                 indent=1), encoding="utf-8")
    return MlflowTracker(client, run.info.run_id)


def reopen_tracker(run_dir: Path) -> MlflowTracker | None:
    """The MLflow run a run folder was tracked in (from ``tracking.json``), or None when it was not tracked
    or MLflow is not installed here."""
    record = Path(run_dir) / TRACKING_FILE
    if not record.is_file() or not mlflow_available():
        return None
    saved = json.loads(record.read_text(encoding="utf-8"))
    client = _client(Path(saved["store"]))
    client.update_run(saved["run_id"], status="RUNNING")
    return MlflowTracker(client, saved["run_id"])


def track_final_metrics(run_dir: Path, metrics: Mapping[str, Any]) -> None:
    """Log an evaluation's metrics to the run's MLflow run, when the run was tracked."""
    tracker = reopen_tracker(run_dir)
    if tracker is not None:
        tracker.log_final_metrics(metrics)
        tracker.close()


def _log_params(client: Any, run_id: str, settings: Mapping[str, Any]) -> None:
    from mlflow.entities import Param

    params = [Param(key, str(value)[:6000]) for key, value in _flatten(
        {section: settings.get(section, {}) for section in PARAM_SECTIONS})]
    for start in range(0, len(params), 100):  # MLflow takes at most 100 parameters a batch
        client.log_batch(run_id, params=params[start:start + 100])


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
