"""The experiment file: which catalog, which models, which ablation variants, which seeds, what budget.

An experiment file is TOML with these tables (every key is checked; an unknown key stops the run before
any work, naming the key, the file and the nearest valid key)::

    name = "quick"                       # used in the report title
    description = "..."                  # optional, one paragraph
    models = ["stackgan-bow", "restgan"] # registered model names
    seeds = [0, 1, 2]                    # one training run per seed

    [catalog]                            # exactly one of synthesise / import / path
    synthesise = { n = 800, seed = 0 }
    # import = { format = "fashion-product-images", src = "downloads/fashion" }
    # path = "catalogs/mine"             # an existing catalog folder
    dir = "catalogs/quick"               # where a synthesised / imported catalog is written

    [config]                             # run-config overrides for every cell (same keys as --set)
    train.stage1_steps = 300
    train.device = "cpu"

    [model_config.restgan]               # run-config overrides for one model only
    model.options.colour_model = true

    [variants.no-colour-model]           # ablation variants; without any, one variant "default"
    models = ["restgan"]                 # optional: the models this variant applies to
    config = { model.options.colour_model = false }

    [eval]
    n_samples = 200
    seed = 0
    inception_weights = "weights/pt_inception-2015-12-05.pth"   # optional, for standard FID
    net = { epochs = 8, width = 16 }     # optional: training options of the evaluation network

    [report]
    streams = [["women's black pants", "petite", "capri"]]       # refinement strips shown per model
    n_sample_seeds = 2                                           # noise seeds per query in sample grids

The run-config keys (under [config], [model_config.M] and a variant's config) are those of ``ganbench
train --set``; they are validated for every cell before any work starts. ``data.catalog``, ``model.name``
and ``train.seed`` are set by the experiment itself.

Choices of ours (the paper has no experiment files): relative paths are read relative to the current
directory (``make run`` runs from the repository root); the catalog defaults to ``RESULTS/catalog``.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ganbench.config import ConfigError
from ganbench.report.results import DEFAULT_VARIANT

DEFAULT_STREAMS: tuple[tuple[str, ...], ...] = (
    ("women's black pants", "petite", "capri"),
    ("men's blue jeans", "slim", "distressed"),
    ("women's red shorts", "bermuda", "cuffed"),
    ("men's khaki pants", "cargo pockets", "relaxed"),
)

TOP_KEYS = ("name", "description", "models", "seeds", "catalog", "config", "model_config",
            "variants", "eval", "report", "launcher")
CATALOG_KEYS = ("synthesise", "import", "path", "dir")
SYNTH_KEYS = ("n", "seed")
IMPORT_KEYS = ("format", "src")
VARIANT_KEYS = ("models", "config", "description")
EVAL_KEYS = ("n_samples", "seed", "inception_weights", "net")
REPORT_KEYS = ("streams", "n_sample_seeds")


class ExperimentError(ConfigError):
    """An experiment file that cannot be run as written; the message names the file and the key."""


@dataclass(frozen=True)
class CatalogSource:
    """Where the experiment's catalog comes from: ``kind`` is "synthesise", "import" or "path"."""

    kind: str
    dir: Path
    n: int | None = None
    seed: int | None = None
    format: str | None = None
    src: Path | None = None

    def describe(self) -> str:
        if self.kind == "synthesise":
            return f"synthetic catalog (n={self.n}, seed={self.seed}) at {self.dir}"
        if self.kind == "import":
            return f"{self.format} import of {self.src} at {self.dir}"
        return f"existing catalog at {self.dir}"


@dataclass(frozen=True)
class Variant:
    """A named set of run-config overrides (an ablation); ``models`` empty = applies to every model."""

    name: str
    overrides: dict[str, Any]
    models: tuple[str, ...] = ()
    description: str = ""

    def applies_to(self, model: str) -> bool:
        return not self.models or model in self.models


@dataclass(frozen=True)
class EvalSettings:
    n_samples: int = 200
    seed: int = 0
    inception_weights: Path | None = None
    net: Any = None  # ganbench.eval.evalnet.EvalNetOptions, or None for its defaults


@dataclass(frozen=True)
class ReportSettings:
    streams: tuple[tuple[str, ...], ...] = DEFAULT_STREAMS
    n_sample_seeds: int = 2


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file."""

    name: str
    path: Path | None
    models: tuple[str, ...]
    seeds: tuple[int, ...]
    catalog: CatalogSource
    overrides: dict[str, Any] = field(default_factory=dict)
    model_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    variants: tuple[Variant, ...] = (Variant(DEFAULT_VARIANT, {}),)
    eval: EvalSettings = EvalSettings()
    report: ReportSettings = ReportSettings()
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def load_experiment(path: str | Path, results_dir: str | Path | None = None) -> Experiment:
    """Read and validate an experiment file; ``results_dir`` is where a default catalog dir goes."""
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"experiment file {path} does not exist (expected a TOML file)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ExperimentError(f"{path} is not valid TOML: {error}") from None
    return experiment_from_dict(raw, source=path, results_dir=results_dir)


def experiment_from_dict(raw: Mapping[str, Any], source: Path | None = None,
                         results_dir: str | Path | None = None) -> Experiment:
    """Validate the parsed TOML of an experiment file (``source`` names the file in errors)."""
    where = str(source) if source else "<experiment>"
    check_keys(raw, TOP_KEYS, where, "")
    from ganbench.run.launcher_settings import parse_launcher_table

    parse_launcher_table(raw.get("launcher"), where)  # [launcher]: checked here, read by the launchers
    models = tuple(_string_list(raw.get("models"), "models", where, required=True))
    if len(set(models)) != len(models):
        raise ExperimentError(f"{where}: models lists a model twice: {list(models)}")
    seeds = tuple(_int_list(raw.get("seeds", [0]), "seeds", where))
    default_dir = Path(results_dir) / "catalog" if results_dir is not None else Path("catalog")
    return Experiment(
        name=_typed(raw, "name", str, where, default=source.stem if source else "experiment"),
        path=source,
        models=models,
        seeds=seeds,
        catalog=_catalog(raw.get("catalog"), where, default_dir),
        overrides=flatten(_table(raw, "config", where)),
        model_overrides=_model_overrides(_table(raw, "model_config", where), models, where),
        variants=_variants(_table(raw, "variants", where), models, where),
        eval=_eval(_table(raw, "eval", where), where),
        report=_report(_table(raw, "report", where), where),
        description=_typed(raw, "description", str, where, default=""),
        raw=dict(raw),
    )


def check_keys(table: Mapping[str, Any], valid: Iterable[str], where: str, prefix: str,
               noun: str = "key") -> None:
    """Raise on the first key of ``table`` not in ``valid``, naming the nearest valid key."""
    valid = tuple(valid)
    for key in table:
        if key not in valid:
            near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
            hint = f"; did you mean '{prefix}{near[0]}'?" if near else ""
            raise ExperimentError(
                f"{where}: unknown {noun} '{prefix}{key}'{hint} Valid here: {', '.join(valid)}")


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables -> dotted ``--set``-style keys: {"train": {"steps": 3}} -> {"train.steps": 3}."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _table(raw: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ExperimentError(f"{where}: {key!r} must be a table ([{key}]), got {type(value).__name__}")
    return dict(value)


def _typed(raw: Mapping[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    value = raw.get(key, default)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ExperimentError(f"{where}: {key!r} must be a {kind.__name__}, got {value!r}")
    return value


def _string_list(value: Any, key: str, where: str, required: bool = False) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ExperimentError(f"{where}: {key!r} must be a non-empty list of names, got {value!r}")
    return value


def _int_list(value: Any, key: str, where: str) -> list[int]:
    ok = isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool)
                                                   for v in value)
    if not ok or len(set(value)) != len(value):
        raise ExperimentError(f"{where}: {key!r} must be a non-empty list of distinct integers, "
                              f"got {value!r}")
    return value


def _positive_int(table: Mapping[str, Any], key: str, where: str, default: int | None = None,
                  minimum: int = 1) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ExperimentError(f"{where}: {key!r} must be an integer >= {minimum}, got {value!r}")
    return value


def _catalog(value: Any, where: str, default_dir: Path) -> CatalogSource:
    if not isinstance(value, Mapping):
        raise ExperimentError(f"{where}: missing [catalog] table (synthesise = {{n, seed}}, "
                              "import = {format, src} or path = \"DIR\")")
    check_keys(value, CATALOG_KEYS, where, "catalog.")
    given = [k for k in ("synthesise", "import", "path") if k in value]
    if len(given) != 1:
        raise ExperimentError(f"{where}: [catalog] needs exactly one of synthesise, import, path; "
                              f"got {given}")
    kind = given[0]
    if kind == "path":
        return CatalogSource("path", Path(_typed(value, "path", str, where)))
    out = Path(_typed(value, "dir", str, where, default=str(default_dir)))
    spec = value[kind]
    if not isinstance(spec, Mapping):
        raise ExperimentError(f"{where}: catalog.{kind} must be a table, got {spec!r}")
    if kind == "synthesise":
        check_keys(spec, SYNTH_KEYS, where, "catalog.synthesise.")
        return CatalogSource("synthesise", out, n=_positive_int(spec, "n", where, minimum=8),
                             seed=_positive_int(spec, "seed", where, default=0, minimum=0))
    check_keys(spec, IMPORT_KEYS, where, "catalog.import.")
    return CatalogSource("import", out, format=_typed(spec, "format", str, where),
                         src=Path(_typed(spec, "src", str, where)))


def _model_overrides(table: dict[str, Any], models: tuple[str, ...], where: str) -> dict[str, dict[str, Any]]:
    check_keys(table, models, where, "model_config.", noun="model (not in models)")
    return {model: flatten(_table(table, model, where)) for model in table}


def _variants(table: dict[str, Any], models: tuple[str, ...], where: str) -> tuple[Variant, ...]:
    if not table:
        return (Variant(DEFAULT_VARIANT, {}),)
    variants = []
    for name, spec in table.items():
        if not isinstance(spec, Mapping):
            raise ExperimentError(f"{where}: variants.{name} must be a table, got {spec!r}")
        check_keys(spec, VARIANT_KEYS, where, f"variants.{name}.")
        only = tuple(_string_list(spec.get("models"), f"variants.{name}.models", where))
        check_keys(dict.fromkeys(only), models, where, "", noun=f"model in variants.{name}.models")
        if "__" in name or "/" in name:
            raise ExperimentError(f"{where}: variant name {name!r} may not contain '__' or '/'")
        variants.append(Variant(name, flatten(_table(spec, "config", where)), only,
                                _typed(spec, "description", str, where, default="")))
    return tuple(variants)


def _eval(table: dict[str, Any], where: str) -> EvalSettings:
    check_keys(table, EVAL_KEYS, where, "eval.")
    weights = table.get("inception_weights")
    if weights is not None and not isinstance(weights, str):
        raise ExperimentError(f"{where}: eval.inception_weights must be a file path, got {weights!r}")
    return EvalSettings(n_samples=_positive_int(table, "n_samples", where, default=200, minimum=2),
                        seed=_positive_int(table, "seed", where, default=0, minimum=0),
                        inception_weights=Path(weights) if weights else None,
                        net=_eval_net(table.get("net"), where))


def _eval_net(table: Any, where: str) -> Any:
    """[eval.net]: training options of the evaluation network (fields of ``EvalNetOptions``)."""
    if table is None:
        return None
    from ganbench.eval.evalnet import EvalNetOptions

    if not isinstance(table, Mapping):
        raise ExperimentError(f"{where}: eval.net must be a table, got {table!r}")
    check_keys(table, [f.name for f in fields(EvalNetOptions)], where, "eval.net.")
    try:
        return EvalNetOptions(**table)
    except (TypeError, ValueError) as error:
        raise ExperimentError(f"{where}: eval.net: {error}") from None


def _report(table: dict[str, Any], where: str) -> ReportSettings:
    check_keys(table, REPORT_KEYS, where, "report.")
    streams = table.get("streams", [list(s) for s in DEFAULT_STREAMS])
    valid = isinstance(streams, list) and streams and all(
        isinstance(s, list) and s and all(isinstance(w, str) and w.strip() for w in s) for s in streams)
    if not valid:
        raise ExperimentError(f"{where}: report.streams must be a list of query streams (lists of "
                              f"non-empty strings), got {streams!r}")
    return ReportSettings(tuple(tuple(s) for s in streams),
                          _positive_int(table, "n_sample_seeds", where, default=2))
