"""The model registry, the ``ganbench.models`` entry-point plugins and ``ganbench models``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass

import pytest
import torch
from _asserts import line_naming, names_all, raises_naming
from _models_helpers import MODEL_NAMES, TrainOptions, tiny_batch, tiny_context
from click.testing import CliRunner

from ganbench.cli.zoo import models_command
from ganbench.models import registry
from ganbench.models.base import GanModel, TextPolicy
from ganbench.models.registry import RegistryError, available_models, get_model, register_model
from ganbench.models.stackgan import StackGanModel


@pytest.fixture
def isolated_registry(monkeypatch):
    """A copy of the registry that the test may change; entry points are read again."""
    available_models()
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))
    monkeypatch.setattr(registry, "_loaded", False)


def test_the_five_models_are_registered_with_descriptions():
    models = available_models()
    assert set(MODEL_NAMES) <= set(models)
    for name in MODEL_NAMES:
        assert issubclass(models[name], StackGanModel)
        assert registry.describe(models[name])


def test_unknown_name_suggests_the_nearest():
    with raises_naming(RegistryError, "'restgn'", "'restgan'"):  # the name asked for and the nearest
        get_model("restgn")
    with raises_naming(RegistryError, "'zzzz'", "stackgan-bow", "restgan"):  # no near name: all are listed
        get_model("zzzz")


def test_a_class_that_is_not_a_gan_model_is_rejected(isolated_registry):
    with raises_naming(RegistryError, "ganbench.models.GanModel"):
        register_model("not-a-gan")(dict)


def test_a_model_without_options_dataclass_is_rejected(isolated_registry):
    class NoOptions(get_model("stackgan-bow")):
        options_class = int

    with raises_naming(RegistryError, "options_class"):
        register_model("no-options")(NoOptions)


def test_a_duplicate_name_is_rejected(isolated_registry):
    class Impostor(get_model("stackgan-bow")):
        pass

    with raises_naming(RegistryError, "'restgan'", "restgan.Restgan"):
        register_model("restgan")(Impostor)
    assert get_model("restgan") is not Impostor
    register_model("restgan")(get_model("restgan"))  # registering the same class again is harmless


def _write_plugin(root, module: str, entry_points: str) -> None:
    (root / f"{module}.py").write_text(
        textwrap.dedent('''
        from ganbench.models import TextPolicy
        from ganbench.models.options import StackGanOptions
        from ganbench.models.registry import register_model
        from ganbench.models.stackgan import Recipe, StackGanModel


        @register_model("tiny-plugin-gan")
        class TinyPluginGan(StackGanModel):
            """A third-party model: bag of words over every query step, shared noise."""

            options_class = StackGanOptions

            @classmethod
            def recipe(cls, options):
                return Recipe(text_encoder="bow", text=TextPolicy("query_stream"), shared_noise=True)


        class Undecorated(TinyPluginGan):
            """Named by an entry point as a class: registered under the entry point's name."""
    ''')
    )
    info = root / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[ganbench.models]\n{entry_points}\n")


def test_an_entry_point_plugin_is_registered_and_trains(isolated_registry, tmp_path, monkeypatch):
    _write_plugin(
        tmp_path,
        "ganbench_tiny_plugin",
        "tiny = ganbench_tiny_plugin\nundecorated-gan = ganbench_tiny_plugin:Undecorated",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    models = available_models()
    assert models["tiny-plugin-gan"].__module__ == "ganbench_tiny_plugin"
    assert models["undecorated-gan"].__name__ == "Undecorated"
    context = tiny_context()
    model = get_model("tiny-plugin-gan")(models["tiny-plugin-gan"].options_class(gf_dim=4, df_dim=4), context)
    model.configure_optimizers(TrainOptions())
    losses = model.train_step(tiny_batch(context, colour_model=False), 0, "stage1")
    assert {"d_loss", "g_loss", "kl"} <= set(losses)


def test_a_broken_plugin_is_named_in_the_error(isolated_registry, tmp_path, monkeypatch):
    info = tmp_path / "broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ganbench.models]\nbroken = no_such_module_for_ganbench\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for _ in range(2):  # the second call fails the same way (no silently partial zoo)
        with raises_naming(RegistryError, "'broken'", "ModuleNotFoundError"):
            available_models()


def test_an_entry_point_naming_something_else_is_rejected(isolated_registry, tmp_path, monkeypatch):
    (tmp_path / "odd_plugin_module.py").write_text("VALUE = 3\n")
    info = tmp_path / "odd_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: odd-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ganbench.models]\nodd = odd_plugin_module:VALUE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with raises_naming(RegistryError, "GanModel", "got 3"):
        available_models()


def test_models_command_lists_every_model():
    result = CliRunner().invoke(models_command, [])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in MODEL_NAMES:
        assert any(line.startswith(name + " ") and len(line.split()) > 1 for line in lines), name


def test_models_command_shows_options_of_one_model():
    result = CliRunner().invoke(models_command, ["restgan"])
    assert result.exit_code == 0, result.output
    assert line_naming(result.output, "shared_noise", "(bool)", "true")
    assert line_naming(result.output, "colour_model", "(bool)", "true")


def test_models_command_unknown_name_is_a_sentence():
    result = CliRunner().invoke(models_command, ["stackgan-bwo"])
    assert result.exit_code == 1
    assert names_all(result.output, "'stackgan-bwo'", "'stackgan-bow'")
    assert "Traceback" not in result.output


@dataclass
class _Opts:
    width: int = 1


def test_registry_rejects_an_abstract_model_and_accepts_a_complete_one(isolated_registry):
    class Unfinished(GanModel):
        options_class = _Opts

    with raises_naming(RegistryError, "Unfinished", "configure_optimizers", "draw"):
        register_model("unfinished-gan")(Unfinished)

    @register_model("minimal-gan")
    class Minimal(Unfinished):
        generator = None

        def phases(self):
            return []

        def text_policy(self):
            return TextPolicy()

        def configure_optimizers(self, train_options):
            return {}

        def train_step(self, batch, step, phase):
            return {}

        def draw(self, queries, seed):
            return torch.zeros(0)

    assert get_model("minimal-gan") is Minimal


def test_loading_a_config_loads_only_the_named_model_and_not_the_zoo(tmp_path):
    """The registry loads one entry point per asked-for model: reading a config never imports baselines."""
    config = tmp_path / "run.toml"
    config.write_text('[model]\nname = "restgan"\n')
    script = ("import sys; from ganbench.config import load_config; "
              f"config = load_config({str(config)!r}); "
              "assert config.model.options.colour_model is True; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('baselines', 'restgan')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['restgan']"
