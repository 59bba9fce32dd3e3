"""The conditioning-strength diagnostic: the formula, the model hook, the training log, metrics.json."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from _asserts import raises_naming
from _eval_helpers import FakeCatalog, FakeLookup, FakeModel
from _models_helpers import QUERIES, build_model
from _train_helpers import make_tiny_catalog, tiny_config_dict

from ganbench.config import EvalConfig, EvalNetOptions, SecondNetOptions, build_run_config
from ganbench.eval.conditioning import conditioning_metrics
from ganbench.eval.evaluate import evaluate_model
from ganbench.models.diagnostics import conditioning_scalars, conditioning_strength, measure, probe_streams
from ganbench.train.logging import read_log
from ganbench.train.runs import train_run


def test_strength_is_the_mean_spread_of_mu_over_the_mean_sigma():
    mu = torch.tensor([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]])  # std over texts: 2 and 0 -> mean 1
    sigma = torch.full((3, 2), 0.5)
    assert conditioning_strength(mu, sigma) == pytest.approx(2.0)
    assert conditioning_strength(torch.ones(4, 3), torch.ones(4, 3)) == 0.0  # collapsed: every text alike
    with raises_naming(ValueError, "texts", "got 1"):
        conditioning_strength(mu[:1], sigma[:1])


@pytest.mark.parametrize("name", ["stackgan-bow", "stackgan-prefix", "restgan"])
def test_models_report_stage1_mu_and_sigma_of_each_whole_stream(name):
    model = build_model(name)
    model.train()
    mu, sigma = model.conditioning(QUERIES)
    assert mu.shape == sigma.shape == (len(QUERIES), model.options.condition_dim)
    assert (sigma > 0).all() and model.training  # the model's mode is left as it was
    alone = model.conditioning([QUERIES[0], QUERIES[0][:1]])[0]  # the stream's last step, not its first
    assert torch.allclose(mu[0], alone[0], atol=1e-6) and not torch.allclose(alone[0], alone[1])
    with torch.no_grad():  # the code the generator would get is the CA mean of that text
        model.generator.stage1_conditioning.fc.weight.zero_()
    collapsed = measure(model, QUERIES)
    assert collapsed == 0.0 and conditioning_scalars(model, QUERIES) == {"conditioning_strength": 0.0}


def test_a_model_without_conditioning_gives_nothing():
    assert measure(FakeModel(), [["a"], ["b"]]) is None and conditioning_scalars(FakeModel(), [["a"]]) == {}
    entry = conditioning_metrics(FakeModel(), [["a"], ["b"]], seed=0, rounds=5)["conditioning_strength"]
    assert entry == {"mean": None, "std": None, "n": 0, "spread": "bootstrap"}


def test_probe_texts_are_the_first_distinct_streams():
    items = [{"query": ["a", "b"]}, {"query": ["a", "b"]}, {"query": []}, {"query": ["c"]}, {"query": ["d"]}]
    assert probe_streams(items, [0, 1, 2, 3, 4], limit=2) == [["a", "b"], ["c"]]


def test_metrics_entry_has_a_bootstrap_spread_over_distinct_texts():
    model = build_model("stackgan-lstm")
    streams = QUERIES + QUERIES  # duplicates count once
    entry = conditioning_metrics(model, streams, seed=0, rounds=3000)["conditioning_strength"]
    assert entry["n"] == len(QUERIES) and entry["spread"] == "bootstrap"
    assert entry["mean"] == pytest.approx(measure(model, QUERIES))
    # oracle: the exact bootstrap, the strength of every one of the 4**4 equally likely resamples of texts
    mu, sigma = (t.detach().float() for t in model.conditioning(QUERIES))
    exact = [conditioning_strength(mu[list(rows)], sigma[list(rows)])
             for rows in itertools.product(range(len(QUERIES)), repeat=len(QUERIES))]
    assert entry["std"] == pytest.approx(float(np.std(exact)), rel=0.06)  # 3000 rounds: ~1.3% error


def test_training_logs_the_strength_at_every_log_row(tmp_path: Path):
    catalog = make_tiny_catalog(tmp_path / "catalog", n=12)
    values = tiny_config_dict(catalog, stage1_steps=2, stage2_steps=1)
    values["model"] = {"name": "stackgan-lstm", "options": {"gf_dim": 4, "df_dim": 4, "z_dim": 8,
                                                             "embedding_dim": 8, "text_dim": 16,
                                                             "condition_dim": 8, "residual_blocks": 1}}
    run_dir = train_run(build_run_config(values, "test"), tmp_path / "run")
    rows = read_log(run_dir)
    assert len(rows) == 3 and all(math.isfinite(r["conditioning_strength"]) for r in rows)
    assert all(r["conditioning_strength"] > 0 for r in rows)


class _ConditionedFake(FakeModel):
    def conditioning(self, query_streams):
        mu = torch.tensor([[float(len(" ".join(s)))] for s in query_streams])
        return mu, torch.ones_like(mu)


def test_evaluation_writes_it_into_metrics(tmp_path: Path):
    catalog = FakeCatalog(tmp_path / "catalog", n=32)
    settings = EvalConfig(n_samples=8, seed=0, k=2, batch_size=8, bootstrap_rounds=5,
                          net=EvalNetOptions(image_size=16, width=4, epochs=1, batch_size=16),
                          net2=SecondNetOptions(image_size=16, width=4, epochs=6, patience=2, batch_size=8))
    metrics = evaluate_model(_ConditionedFake(size=16), catalog, FakeLookup(), settings, log=lambda _: None)
    streams = [list(catalog.items[i]["query"]) for i in catalog.indices("test")][:8]
    distinct = [list(s) for s in dict.fromkeys(map(tuple, streams))]
    lengths = torch.tensor([[float(len(" ".join(s)))] for s in distinct])
    assert metrics["conditioning_strength"]["mean"] == pytest.approx(lengths.std(dim=0).mean().item())
