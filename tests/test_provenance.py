"""Provenance (issue 21): what every metrics.json and report records about where its numbers came from,
figure files that are the same bytes when rebuilt, and stale figures removed from a rebuilt report."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib.pyplot as plt
from _report_helpers import make_results
from PIL import Image

from ganbench.eval import provenance as provenance_module
from ganbench.eval.provenance import provenance
from ganbench.report.build import write_report
from ganbench.report.plots import save_figure
from ganbench.report.strips import save_image

KEYS = {"git", "date", "command", "cpu", "cpu_cores", "gpu", "device", "precision", "versions",
        "wall_seconds"}


def test_provenance_names_commit_date_command_hardware_precision_versions_and_wall_time():
    record = provenance("cpu", "fp32")
    assert set(record) == KEYS
    assert record["git"]["commit"] is None or len(record["git"]["commit"]) == 40
    assert isinstance(record["git"]["dirty"], bool) or record["git"]["commit"] is None
    assert record["cpu"] and record["gpu"] is None and record["precision"] == "fp32"
    assert {"ganbench", "torch", "python"} <= set(record["versions"])
    assert record["wall_seconds"] >= 0 and record["date"].startswith("20")


def test_the_wall_time_is_the_whole_process_and_the_command_is_exact(tmp_path):
    code = ("import time, json; time.sleep(0.5); from ganbench.eval.provenance import provenance; "
            "print(json.dumps(provenance()))")
    done = subprocess.run([sys.executable, "-c", code, "--flag", "two words"], capture_output=True,
                          text=True, check=True)
    record = json.loads(done.stdout)
    assert record["wall_seconds"] >= 0.5  # counts time before ganbench was imported
    assert record["command"].endswith("--flag 'two words'")


def test_the_report_shows_the_run_and_evaluation_provenance(tmp_path):
    make_results(tmp_path)
    summary = json.loads((tmp_path / "run_summary.json").read_text())
    run = provenance() | {"command": "ganbench run experiments/quick.toml", "wall_seconds": 2820.0,
                          "git": {"commit": "a" * 40, "dirty": True}}
    (tmp_path / "run_summary.json").write_text(json.dumps(summary | {"provenance": run}))
    cell = next((tmp_path / "cells").iterdir())
    metrics = json.loads((cell / "metrics.json").read_text())
    metrics["provenance"] = provenance("cpu", "fp32") | {"command": "ganbench eval RUN"}
    metrics["run"] = {"training": {"precision": "bf16", "device": "cpu"}}
    (cell / "metrics.json").write_text(json.dumps(metrics))
    text = write_report(tmp_path, tmp_path / "report", figures=False).read_text()
    block = text[text.index("## Provenance"):text.index("## Cells")]
    assert "git commit aaaaaaaaaaaa with uncommitted code changes" in block
    assert "`ganbench run experiments/quick.toml`" in block and "47.0 min wall" in block
    assert "`ganbench eval RUN`" in block and "training bf16 on cpu" in block and "evaluation fp32" in block
    assert "torch" in block


def test_results_without_provenance_say_it_was_not_recorded(tmp_path):
    make_results(tmp_path)
    text = write_report(tmp_path, tmp_path / "report", figures=False).read_text()
    block = text[text.index("## Provenance"):text.index("## Cells")]
    assert "| Run | not recorded" in block


def _figure_bytes(folder):
    figure, axes = plt.subplots()
    axes.plot([1, 3, 2])
    paths = save_figure(figure, folder, "plot")
    paths += save_image(Image.new("RGB", (8, 8), "navy"), folder, "strip")
    return [path.read_bytes() for path in paths]


def test_figures_carry_no_creation_date_and_rebuild_to_the_same_bytes(tmp_path):
    first, second = _figure_bytes(tmp_path / "a"), _figure_bytes(tmp_path / "b")
    assert first == second
    for pdf in (first[1], first[3]):
        assert b"CreationDate" not in pdf and b"ModDate" not in pdf


def test_a_rebuilt_report_removes_figures_it_no_longer_references(tmp_path):
    make_results(tmp_path)
    stale = tmp_path / "report" / "figures" / "eval_net_confusion_0123456789abcdef.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    index = write_report(tmp_path, tmp_path / "report")
    assert not stale.exists()
    text = index.read_text()
    kept = sorted(p for p in (tmp_path / "report" / "figures").rglob("*.*") if p.suffix != ".json")
    assert kept and all(path.relative_to(tmp_path / "report").as_posix() in text for path in kept)


def test_dirty_means_changed_code_not_a_rewritten_results_folder(tmp_path, monkeypatch):
    """A run rewrites its committed results folder: that alone must not mark the code as changed."""
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    (tmp_path / "ganbench").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "ganbench" / "code.py").write_text("x = 1\n")
    (tmp_path / "reports" / "metrics.json").write_text("{}\n")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    monkeypatch.setattr(provenance_module, "SOURCE_DIR", tmp_path / "ganbench")

    def state():
        provenance_module.git_state.cache_clear()
        return provenance_module.git_state()

    (tmp_path / "reports" / "metrics.json").write_text('{"new": 1}\n')
    assert state()["dirty"] is False
    (tmp_path / "ganbench" / "code.py").write_text("x = 2\n")
    assert state()["dirty"] is True
    provenance_module.git_state.cache_clear()


def test_a_resume_keeps_the_earlier_invocations_wall_time(tmp_path):
    """`--resume` that only rebuilds the report writes run_summary.json again: the training run's
    provenance moves to earlier_invocations and the report still shows it."""
    from ganbench.run.runner import SUMMARY_FILE, _write_summary

    make_results(tmp_path)
    _write_summary(tmp_path, [])
    first = json.loads((tmp_path / SUMMARY_FILE).read_text())["provenance"]
    first = first | {"command": "ganbench run quick.toml", "wall_seconds": 2820.0}
    (tmp_path / SUMMARY_FILE).write_text(json.dumps({"cells": [], "provenance": first}))
    _write_summary(tmp_path, [])
    summary = json.loads((tmp_path / SUMMARY_FILE).read_text())
    assert summary["earlier_invocations"] == [first]
    text = write_report(tmp_path, tmp_path / "report", figures=False).read_text()
    block = text[text.index("## Provenance"):text.index("## Cells")]
    assert "Earlier invocations" in block and "`ganbench run quick.toml`" in block and "47.0 min" in block
