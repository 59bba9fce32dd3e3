"""From TOML tables to validated settings: reading a file, layering overrides (``--set``, a command's
flags, an experiment cell's model and variant tables) and validating the result once.

Every path into a :class:`RunConfig` goes through :func:`build_run_config`: each section is checked by its
pydantic model, [model.options] by the registered model's options class, and every problem is gathered
and reported together, each with the file or the override it came from.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ganbench.config.dotted import DottedKeyError, flatten, set_dotted
from ganbench.config.fields import ConfigError
from ganbench.config.options import build_options
from ganbench.config.schema import EXPERIMENT_ONLY, RUN_SECTIONS, SECTIONS, ModelConfig, RunConfig
from ganbench.config.validate import ProblemList

Layer = tuple[str, Mapping[str, Any]]  # (where it comes from, dotted key -> value)


def read_toml(path: str | Path) -> dict[str, Any]:
    """The parsed TOML file; a missing or malformed file is a :class:`ConfigError` naming it."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (FileNotFoundError, IsADirectoryError):
        raise ConfigError(f"configuration file {path} does not exist (expected a TOML file)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def parse_override(text: str) -> tuple[str, Any]:
    """``"train.batch_size=32"`` -> ``("train.batch_size", 32)``; the value is read as TOML, else a string."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {text!r}: expected SECTION.KEY=VALUE, e.g. --set train.batch_size=32")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()  # a bare word such as a path: taken as a string
    return key, value


def apply_layers(values: dict[str, Any], layers: Iterable[Layer]) -> dict[str, str]:
    """Set every layer's dotted keys into ``values`` in place, later layers winning; returns key -> the
    layer it came from, so an error names the override that caused it."""
    origins: dict[str, str] = {}
    for origin, settings in layers:
        for key, value in settings.items():
            try:
                set_dotted(values, key, value)
            except DottedKeyError as error:
                raise ConfigError(f"{origin}: {error}") from None
            origins[key] = origin
    return origins


def _layers(named: Mapping[str, tuple[Any, str]] | None, texts: Iterable[str]) -> list[Layer]:
    """A command's ``named`` settings (dotted key -> (value, the option that set it, e.g. ``"--model
    restgn"``)), then its ``--set`` texts, one layer each."""
    layers = [(origin, {key: value}) for key, (value, origin) in (named or {}).items()]
    return layers + [(f"--set {text}", dict([parse_override(text)])) for text in texts]


def build_section(cls: type[BaseModel], table: Any, prefix: str, problems: ProblemList) -> Any:
    """``cls`` validated from ``table``. On problems they go to ``problems`` and the table's valid keys
    stand in (the defaults where even those fail), so what depends on them (an experiment's cells) is
    still checked and reported in the same error."""
    try:
        return cls.model_validate(table)
    except ValidationError as error:
        problems.add_errors(error, cls, prefix)
        bad = {detail["loc"][0] for detail in error.errors() if detail["loc"]}
    valid = {k: v for k, v in table.items() if k not in bad} if isinstance(table, dict) else {}
    try:
        return cls.model_validate(valid)
    except ValidationError:
        return cls()


def _build_model(table: Any, problems: ProblemList, experiment: bool) -> ModelConfig:
    options = table.get("options") if isinstance(table, dict) else None
    rest = {k: v for k, v in table.items() if k != "options"} if isinstance(table, dict) else table
    model = build_section(ModelConfig, rest, "model", problems)
    if experiment:  # options are checked per cell, against each model's own options class
        if model.name:
            problems.add("model.name", "is set for every cell from run.models; remove it here")
        return model.model_copy(update={"options": options or {}})
    if not model.name:
        problems.add("model.name", "is required (a registered model, see `ganbench models`)")
        return model
    from ganbench.models.registry import RegistryError, get_model  # loads only the named model

    try:
        options_class = get_model(model.name).options_class
    except RegistryError as error:
        problems.add("model.name", f"names no registered model: {error}")
        return model
    return model.model_copy(update={"options": build_options(options_class, options, problems)})


def _check_sections(values: dict[str, Any], problems: ProblemList, experiment: bool) -> None:
    for name in values:
        if name not in SECTIONS:
            problems.add_errors(_unknown(name), RunConfig, "")
        elif name in EXPERIMENT_ONLY and not experiment:
            problems.add(name, f"belongs to experiment files (`ganbench run`); a run's settings are "
                               f"{', '.join(RUN_SECTIONS)}")
    if experiment:
        if not values.get("run", {}).get("models"):
            problems.add("run.models", "is required: the registered models to train (see `ganbench models`)")
        if isinstance(values.get("train"), dict) and "seed" in values["train"]:
            problems.add("train.seed", "is set for every cell from run.seeds; remove it here")


def _unknown(name: str) -> ValidationError:
    """pydantic's own error for a section the tree does not have (so it is worded like any other)."""
    try:
        RunConfig.model_validate({name: None})
    except ValidationError as error:
        return error
    raise AssertionError(f"{name!r} was accepted as a section")


def build_run_config(values: dict[str, Any], source: str, origins: dict[str, str] | None = None, *,
                     experiment: bool = False, problems: ProblemList | None = None) -> RunConfig:
    """Validate ``values`` (nested tables) into a :class:`RunConfig`; ``origins`` maps overridden keys to
    where they came from. ``experiment=True`` reads an experiment file ([run] and [launcher] allowed, model
    options kept as given, for each cell to check). Problems go to ``problems`` when given (the caller
    raises), else they are raised here."""
    collector = problems if problems is not None else ProblemList(source, origins)
    _check_sections(values, collector, experiment)
    sections = {name: (_build_model(values.get(name, {}), collector, experiment) if cls is ModelConfig
                       else build_section(cls, values.get(name, {}), name, collector))
                for name, cls in SECTIONS.items()}
    if problems is None:
        collector.raise_if_any()
    return RunConfig(**sections).with_source(source)


def layered_config(tables: Mapping[str, Any], layers: Iterable[Layer], problems: ProblemList) -> RunConfig:
    """The run sections of ``tables`` (an experiment file's) with ``layers`` set over them, validated;
    problems go to ``problems``, each naming the layer it came from (an experiment's cells report all of
    theirs at once)."""
    values = {name: copy.deepcopy(tables[name]) for name in RUN_SECTIONS if name in tables}
    origins = apply_layers(values, layers)
    found = ProblemList(problems.source, origins)
    config = build_run_config(values, problems.source, origins, problems=found)
    problems.extend(found)
    return config


def load_config(path: str | Path | None = None, overrides: Iterable[str] = (),
                named: Mapping[str, tuple[Any, str]] | None = None,
                defaults: Mapping[str, Any] | None = None, defaults_name: str = "<defaults>") -> RunConfig:
    """The validated settings of a run: ``defaults`` (dotted keys; the schema's defaults when ``None``),
    then the file at ``path``, then ``named`` settings, then the ``--set`` ``overrides``. Errors name the
    layer a bad value came from."""
    values = read_toml(path) if path is not None else {}
    given = flatten(values)
    for key, value in (defaults or {}).items():
        if key not in given:
            set_dotted(values, key, value)
    origins = apply_layers(values, _layers(named, overrides))
    source = str(path) if path is not None else (defaults_name if defaults else "<defaults>")
    return build_run_config(values, source, origins)


def load_section(name: str, path: str | Path | None = None, overrides: Iterable[str] = (),
                 named: Mapping[str, tuple[Any, str]] | None = None) -> Any:
    """One section of the settings (e.g. ``"eval"``) from ``path`` (or the defaults), then ``named``
    settings and ``--set`` ``overrides`` of that section only, validated on its own (``ganbench eval``
    reads a run's [eval] without the rest; ``eval-net train`` needs no model)."""
    values = read_toml(path) if path is not None else {}
    changes = _layers(named, overrides)
    stray = [origin for origin, settings in changes if any(not k.startswith(f"{name}.") for k in settings)]
    if stray:
        raise ConfigError(f"{stray[0]}: only [{name}] settings ({name}.KEY=VALUE) apply here")
    origins = apply_layers(values, changes)
    problems = ProblemList(str(path) if path is not None else "<defaults>", origins)
    section = build_section(SECTIONS[name], values.get(name, {}), name, problems)
    problems.raise_if_any()
    return section
