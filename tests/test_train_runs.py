"""Whole runs through ``train_run`` / ``load_run`` and the ``train`` / ``generate`` commands, on a tiny
catalog with the fake model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from _asserts import names_all, raises_naming
from _train_helpers import make_tiny_catalog, tiny_config_dict
from click.testing import CliRunner
from PIL import Image

from ganbench.cli import main
from ganbench.config import RunConfig, build_run_config, load_config
from ganbench.data.batches import QueryBatchDataset, class_names, collate, colour_token, model_vocabulary
from ganbench.data.catalog import Catalog
from ganbench.train.checkpoint import CheckpointError
from ganbench.train.logging import read_log
from ganbench.train.runs import RunError, load_run, read_run_config, train_run
from ganbench.train.trainer import TrainingError


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("train") / "catalog", n=12)


def config_for(catalog: Path, **train) -> RunConfig:
    return build_run_config(tiny_config_dict(catalog, **train), "test")


def losses(run_dir: Path) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "img_per_s"} for row in read_log(run_dir)]


def test_a_run_writes_the_documented_folder(catalog: Path, tmp_path: Path) -> None:
    run_dir = train_run(config_for(catalog), tmp_path / "run")
    assert {p.name for p in run_dir.iterdir()} >= {"config.toml", "checkpoint.pt", "log.jsonl", "log.csv",
                                                   "samples", "done.json"}
    assert read_run_config(run_dir) == config_for(catalog.resolve())
    stored = load_config(run_dir / "config.toml").data.catalog  # relative to the run folder (issue 21)
    assert not Path(stored).is_absolute() and (run_dir / stored).resolve() == catalog.resolve()
    rows = read_log(run_dir)
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["phase"] for r in rows] == ["stage1"] * 3 + ["stage2"] * 3
    assert all(torch.isfinite(torch.tensor([r["d_loss"], r["g_loss"], r["img_per_s"]])).all() for r in rows)
    csv_lines = (run_dir / "log.csv").read_text().splitlines()
    assert csv_lines[0] == "step,phase,name,value" and len(csv_lines) == 1 + 6 * 3
    grids = sorted(p.name for p in (run_dir / "samples").iterdir())
    assert grids == ["step_000003.png", "step_000006.png"]
    with Image.open(run_dir / "samples" / grids[0]) as grid:  # 2 queries x 2 steps shown at 128 px
        assert grid.size == (6 + 2 * 134 - 6 + 6, 6 + 2 * (128 + 17 + 6) + 6)  # a caption under each
    assert json.loads((run_dir / "done.json").read_text())["step"] == 6


def test_resume_continues_exactly(catalog: Path, tmp_path: Path) -> None:
    straight = train_run(config_for(catalog), tmp_path / "straight")
    stopped = train_run(config_for(catalog), tmp_path / "stopped", stop_after=4)
    assert not (stopped / "done.json").exists() and [r["step"] for r in read_log(stopped)][-1] == 4
    values = tiny_config_dict(catalog)
    values["data"]["num_workers"] = 1
    with_worker = build_run_config(values, "test")
    resumed = train_run(with_worker, stopped, resume=True)  # a loader worker may change nothing
    assert (resumed / "done.json").exists()
    assert losses(resumed) == losses(straight)
    assert torch.equal(load_run(resumed).model.generator.state_dict()["to_image.weight"],
                       load_run(straight).model.generator.state_dict()["to_image.weight"])


def test_resume_drops_log_rows_after_the_checkpoint(catalog: Path, tmp_path: Path) -> None:
    run_dir = train_run(config_for(catalog, checkpoint_every=2), tmp_path / "run", stop_after=2)
    with (run_dir / "log.jsonl").open("a") as log:  # rows of steps done after the last checkpoint
        log.write(json.dumps({"step": 3, "phase": "stage1", "d_loss": 0.0, "g_loss": 0.0}) + "\n")
    train_run(config_for(catalog), run_dir, resume=True)
    assert [r["step"] for r in read_log(run_dir)] == [1, 2, 3, 4, 5, 6]


def test_run_folder_misuse_is_refused_before_work(catalog: Path, tmp_path: Path) -> None:
    run_dir = train_run(config_for(catalog), tmp_path / "run", stop_after=1)
    with raises_naming(RunError, run_dir, "--resume"):
        train_run(config_for(catalog), run_dir)
    with raises_naming(RunError, "config.toml", "'train.lr'"):
        train_run(config_for(catalog, lr=0.1), run_dir, resume=True)
    with raises_naming(RunError, "checkpoint.pt"):
        train_run(config_for(catalog), tmp_path / "empty", resume=True)
    (run_dir / "checkpoint.pt").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointError, match="truncated, damaged"):
        train_run(config_for(catalog), run_dir, resume=True)


def test_load_run_puts_ema_weights_in_the_generator(catalog: Path, tmp_path: Path) -> None:
    run_dir = train_run(config_for(catalog, ema_decay=0.5), tmp_path / "run")
    payload = torch.load(run_dir / "checkpoint.pt", weights_only=True)
    loaded = load_run(run_dir)
    assert loaded.step == 6 and loaded.finished and not loaded.model.training
    generator_state = loaded.model.generator.state_dict()
    assert torch.equal(generator_state["to_image.weight"], payload["ema"]["shadow"]["to_image.weight"])
    assert not torch.equal(generator_state["to_image.weight"], payload["model"]["_generator.to_image.weight"])


def test_train_and_generate_commands(catalog: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    run_dir = tmp_path / "run"
    config_file = tmp_path / "run.toml"
    config_file.write_text('[data]\nstage1_size = 16\nstage2_size = 32\ncolour_lookup = "none"\n[train]\n'
                           'batch_size = 4\nstage1_steps = 1\nstage2_steps = 1\nprecision = "fp32"\n')
    arguments = ["--model", "fake-gan", "--catalog", str(catalog), "--out", str(run_dir), "--config",
                 str(config_file), "--set", "train.channels_last=false"]
    result = runner.invoke(main, ["train", *arguments])
    assert result.exit_code == 0, result.output
    assert (run_dir / "done.json").exists()
    more = runner.invoke(main, ["train", "--out", str(run_dir), "--resume", "--set", "train.stage2_steps=2"])
    assert more.exit_code == 0, more.output
    assert [r["step"] for r in read_log(run_dir)] == [1, 2, 3]
    strip = tmp_path / "strip.png"
    result = runner.invoke(main, ["generate", str(run_dir), "women's black pants", "petite", "plaid",
                                  "--out", str(strip)])
    assert result.exit_code == 0, result.output
    assert names_all(result.output, "<unk>", "plaid")
    with Image.open(strip) as image:
        assert image.size[0] > 3 * 256 and image.size[1] > 3 * 256  # 3 steps x 3 seeds at 256 px, labelled
    bad = runner.invoke(main, ["train", "--model", "fake-gan", "--catalog", str(catalog), "--out",
                               str(tmp_path / "other"), "--set", "train.batchsize=4"])
    assert bad.exit_code == 1 and names_all(bad.output, "train.batchsize", "'train.batch_size'")
    assert "Traceback" not in bad.output
    missing = runner.invoke(main, ["train", "--model", "fake-gan", "--out", str(tmp_path / "x")])
    assert missing.exit_code == 1 and names_all(missing.output, "data.catalog", "--catalog")


def test_restgan_trains_resumes_exactly_and_draws_strips(catalog: Path, tmp_path: Path) -> None:
    values = tiny_config_dict(catalog, stage1_steps=1, stage2_steps=2, sample_every=3, precision="auto",
                              channels_last=True)
    options = {"gf_dim": 4, "df_dim": 4, "z_dim": 8, "embedding_dim": 8, "text_dim": 8, "condition_dim": 8,
               "residual_blocks": 1, "colour_model": True}
    values["model"] = {"name": "restgan", "options": options}
    values["data"]["colour_lookup"] = "default"
    config = build_run_config(values, "test")
    run_dir = train_run(config, tmp_path / "restgan")
    train_run(config, tmp_path / "resumed", stop_after=1)  # resumes into Stage II
    assert losses(train_run(config, tmp_path / "resumed", resume=True)) == losses(run_dir)
    rows = read_log(run_dir)
    assert [r["phase"] for r in rows] == ["stage1", "stage2", "stage2"]
    scalars = [v for r in rows for k, v in r.items() if k not in ("phase", "step")]
    assert scalars and torch.isfinite(torch.tensor(scalars)).all()
    loaded = load_run(run_dir)
    strip = loaded.model.generate([["women's black pants", "petite", "capri"]], seed=1)[0]
    assert strip.shape == (3, 3, 32, 32) and strip.dtype == torch.uint8


def test_dataset_batches_with_the_default_lookup(catalog: Path) -> None:
    from colorspace import default_lookup

    opened, lookup = Catalog.open(catalog), default_lookup()
    names = class_names(opened.items, lookup)
    assert names["type"] == ["jeans", "pants", "shorts"] and names["gender"] == ["men's", "women's"]
    vocabulary = model_vocabulary(opened.vocabulary, lookup)
    assert vocabulary.tokens[: len(opened.vocabulary)] == opened.vocabulary.tokens
    dataset = QueryBatchDataset(opened, "train", (16, 32), vocabulary, lookup, True, names)
    assert len(dataset) == dataset.read == 12 and dataset.skipped == 0
    batch = collate([dataset[i] for i in range(4)])
    assert batch["images"][16].shape == (4, 3, 16, 16) and batch["images"][32].shape == (4, 3, 32, 32)
    assert batch["images"][32].min() >= -1 and batch["images"][32].max() <= 1
    assert (batch["labels"]["colour"] >= 0).all() and (batch["labels"]["type"] >= 0).all()
    position = next(i for i in range(4) if opened.items[dataset.indices[i]]["query"][0] == "men's red jeans")
    red = colour_token(lookup.cluster_of("red"))
    assert vocabulary.decode(batch["query_tokens"][position].tolist()) == ["men's", red, "jeans", "slim"]
    assert batch["step_ends"][position].tolist()[:2] == [2, 3]


def test_load_run_refuses_other_colour_clusters(catalog: Path, tmp_path: Path) -> None:
    run_dir = train_run(config_for(catalog, stage1_steps=1, stage2_steps=0), tmp_path / "run")
    config_file = run_dir / "config.toml"
    text = config_file.read_text()
    config_file.write_text(text.replace('colour_lookup = "none"', 'colour_lookup = "default"'))
    with raises_naming(RunError, run_dir, "data.colour_lookup", "'default'"):
        load_run(run_dir)


def test_a_non_finite_loss_stops_the_run_and_keeps_the_checkpoint(catalog: Path, tmp_path: Path) -> None:
    values = tiny_config_dict(catalog)
    values["model"]["options"]["nan_at_step"] = 3  # the fourth step; checkpoint_every = 2
    with raises_naming(TrainingError, "step 4", "stage2"):
        train_run(build_run_config(values, "test"), tmp_path / "run")
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["step"] == 2
    assert not (tmp_path / "run" / "done.json").exists()


def test_bf16_without_native_support_trains_in_float32_and_says_so(catalog: Path, tmp_path: Path,
                                                                   capsys, monkeypatch) -> None:
    from ganbench.train import precision

    monkeypatch.setattr(precision, "bf16_supported", lambda device: False)  # an AVX2-only CPU
    run_dir = train_run(config_for(catalog, precision="bf16"), tmp_path / "run")
    assert json.loads((run_dir / "done.json").read_text())["precision"] == "fp32"
    assert names_all(capsys.readouterr().out, "train.precision", "'bf16'", "AVX-512", "float32")
