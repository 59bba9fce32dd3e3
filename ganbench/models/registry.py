"""Registry of GAN models: every model, the zoo's included, is a plugin of the ``ganbench.models``
entry-point group, registered with :func:`register_model`.

An entry point is named after its model and names a module (importing it runs its ``@register_model``)
or a :class:`GanModel` subclass (registered under the entry point's name unless it registered itself)::

    [project.entry-points."ganbench.models"]
    my-gan = "my_package.my_gan"            # a module with @register_model("my-gan")

Asking for one model loads only its entry point (so reading a config does not import the whole zoo);
listing the models, or asking for a name no entry point has, loads them all.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from pydantic import BaseModel

from ganbench.models.base import GanModel

ENTRY_POINT_GROUP = "ganbench.models"
_MODELS: dict[str, type[GanModel]] = {}
_loaded = False


class RegistryError(ValueError):
    """A model name or class that the registry cannot accept or find."""


def _check_model_class(name: str, cls: object) -> None:
    if not (isinstance(cls, type) and issubclass(cls, GanModel)):
        raise RegistryError(f"model {name!r}: expected a subclass of ganbench.models.GanModel, got {cls!r}")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise RegistryError(f"model {name!r}: {cls.__qualname__} is abstract; implement {missing}")
    options_class = getattr(cls, "options_class", None)
    if not (isinstance(options_class, type) and (issubclass(options_class, BaseModel)
                                                 or dataclasses.is_dataclass(options_class))):
        raise RegistryError(
            f"model {name!r}: {cls.__name__}.options_class must be a dataclass or a pydantic model of its "
            f"options, got {options_class!r}"
        )


def register_model(name: str):
    """Class decorator: ``@register_model("stackgan-bow")`` adds a :class:`GanModel` subclass."""
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise RegistryError(f"a model name must be a non-empty string without outer spaces, got {name!r}")

    def decorate(cls: type) -> type:
        _check_model_class(name, cls)
        existing = _MODELS.get(name)
        if existing is not None and existing is not cls:
            raise RegistryError(
                f"model {name!r} is already registered by {existing.__module__}.{existing.__qualname__};"
                f" {cls.__module__}.{cls.__qualname__} needs another name"
            )
        _MODELS[name] = cls
        return cls

    return decorate


def _load_plugin(entry: EntryPoint) -> None:
    source = f"plugin {entry.name!r} ({entry.value}) of the {ENTRY_POINT_GROUP!r} entry points"
    try:
        loaded = entry.load()
    except RegistryError:
        raise
    except Exception as error:  # a broken third-party package: say which one
        raise RegistryError(f"could not load model {source}: {type(error).__name__}: {error}") from error
    if isinstance(loaded, ModuleType):
        return
    if isinstance(loaded, type) and loaded in _MODELS.values():
        return
    if isinstance(loaded, type) and issubclass(loaded, GanModel):
        register_model(entry.name)(loaded)
        return
    raise RegistryError(f"model {source} must name a module or a GanModel subclass, got {loaded!r}")


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        _load_plugin(entry)
    _loaded = True  # only now: after a broken plugin, the next call raises again instead of a partial zoo


def available_models() -> dict[str, type[GanModel]]:
    """Every registered model by name (loads every entry point)."""
    _load_all()
    return dict(sorted(_MODELS.items()))


def describe(cls: type[GanModel]) -> str:
    """A model's one-line description: its ``description``, else its docstring's first line."""
    text = cls.description or (cls.__doc__ or "").strip()
    return text.splitlines()[0] if text else ""


def get_model(name: str) -> type[GanModel]:
    """The model class registered as ``name``; an unknown name says the nearest registered one."""
    if name not in _MODELS:
        for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
            _load_plugin(entry)
    if name in _MODELS:
        return _MODELS[name]
    models = available_models()
    if name in models:
        return models[name]
    near = difflib.get_close_matches(name, list(models), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else "."
    registered = ", ".join(models) or "none (is ganbench installed? `pip install -e .` registers the zoo)"
    raise RegistryError(f"unknown model {name!r}{hint} Registered models: {registered}")
