"""A model that is not a StackGAN, installed as a third-party plugin, goes through `ganbench run` with no
harness edit: one phase whose budget is one of its own options, a title reader drawing at one size,
registered through a ``ganbench.models`` entry point of a distribution on sys.path."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.models import registry

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips it

PLUGIN = '''
from dataclasses import dataclass

import torch
from torch import nn

from ganbench.models import GanModel, TextPolicy, TrainingPhase, register_model


@dataclass
class OneStageOptions:
    width: int = 8
    z_dim: int = 4
    steps: int = 3  # this model's own step budget


@register_model("one-stage-gan")
class OneStageGan(GanModel):
    """Bag of title words + noise -> one linear layer -> image at the largest size; one phase."""

    options_class = OneStageOptions

    def __init__(self, options, context):
        super().__init__(options, context)
        self.size = context.image_sizes[-1]
        self.words = nn.EmbeddingBag(len(context.vocabulary), options.width, padding_idx=0)
        self.to_image = nn.Linear(options.width + options.z_dim, 3 * self.size * self.size)
        self.critic = nn.Sequential(nn.Conv2d(3, 4, 4, 4), nn.Flatten(), nn.LazyLinear(1))
        self.critic(torch.zeros(1, 3, self.size, self.size))

    @property
    def generator(self):
        return nn.ModuleList([self.words, self.to_image])

    def phases(self):
        return [TrainingPhase("gan", ("model.options.steps",))]

    def text_policy(self):
        return TextPolicy("title")

    def configure_optimizers(self, train_options):
        self.optimizers = {
            "g": torch.optim.Adam(self.generator.parameters(), train_options.lr),
            "d": torch.optim.Adam(self.critic.parameters(), train_options.lr),
        }
        return self.optimizers

    def _images(self, tokens, noise):
        text = self.words(tokens)
        return torch.tanh(self.to_image(torch.cat([text, noise], 1))).view(-1, 3, self.size, self.size)

    def train_step(self, batch, step, phase):
        assert phase == "gan"
        real = batch["images"][self.size]
        fake = self._images(batch["title_tokens"], torch.randn(len(real), self.options.z_dim))
        softplus = nn.functional.softplus
        d_loss = (softplus(-self.critic(real)) + softplus(self.critic(fake.detach()))).mean()
        self.optimizers["d"].zero_grad()
        d_loss.backward()
        self.optimizers["d"].step()
        g_loss = nn.functional.softplus(-self.critic(fake)).mean()
        self.optimizers["g"].zero_grad()
        g_loss.backward()
        self.optimizers["g"].step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    def draw(self, queries, seed):
        generator = torch.Generator().manual_seed(seed)
        noise = torch.randn(len(queries["n_steps"]), self.options.z_dim, generator=generator)
        return self._images(queries["title_tokens"], noise[queries["stream_index"]])

    def token_embeddings(self):
        return list(self.context.vocabulary.tokens), self.words.weight
'''

EXPERIMENT = """
[run]
name = "plugin"
models = ["one-stage-gan"]

[run.catalog]
synthesise = {{ n = 32, seed = 0 }}

[data]
catalog = "{catalog}"
stage1_size = 16
stage2_size = 32

[model.options]
steps = 3

[train]
batch_size = 8
device = "cpu"
precision = "fp32"
channels_last = false
log_every = 1
sample_every = 100
checkpoint_every = 100

[eval]
n_samples = 6
device = "cpu"
net = {{ epochs = 1, width = 4, image_size = 16, batch_size = 32 }}

[report]
streams = [["women's black pants", "petite"]]
n_sample_seeds = 1
"""


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """The plugin as an installed distribution would be: a module and a dist-info with its entry point."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "one_stage_plugin.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "one_stage_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: one-stage-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ganbench.models]\none-stage-gan = one_stage_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))
    monkeypatch.setattr(registry, "_loaded", False)


def test_a_one_stage_plugin_trains_evaluates_and_reports_with_no_harness_edit(installed_plugin, tmp_path):
    experiment = tmp_path / "plugin.toml"
    experiment.write_text(EXPERIMENT.format(catalog=tmp_path / "catalog"), encoding="utf-8")
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(experiment), "--out", str(out)])
    assert result.exit_code == 0, result.output

    cell = out / "cells" / "one-stage-gan__default__seed0"
    done = json.loads((cell / "run" / "done.json").read_text())
    assert done["step"] == 3  # its own budget, model.options.steps
    logged = [json.loads(line) for line in (cell / "run" / "log.jsonl").read_text().splitlines()]
    assert {row["phase"] for row in logged} == {"gan"} and len(logged) == 3
    metrics = json.loads((cell / "metrics.json").read_text())
    assert metrics["n_samples"] == 6 and metrics["is_type"]["mean"] is not None  # 2 passes x 3 tests
    assert (cell / "media" / "stream0_seed0.png").is_file() and (cell / "media" / "embeddings.npz").is_file()
    assert "| one-stage-gan | " in (out / "tables" / "paper_table.md").read_text()
    assert "vs best baseline" not in (out / "index.md").read_text()  # nothing proposed: no comparison
