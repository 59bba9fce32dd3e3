"""Registry of GAN models: built-ins register with :func:`register_model`, plugins through the
``ganbench.models`` entry-point group (the entry point names a module or a class; importing it runs
its ``@register_model``)."""

from __future__ import annotations

import difflib
from importlib import import_module
from importlib.metadata import entry_points

from ganbench.models.base import GanModel

ENTRY_POINT_GROUP = "ganbench.models"
_BUILTIN_MODULES = ("ganbench.models.restgan", "baselines")
_MODELS: dict[str, type[GanModel]] = {}
_loaded = False


class RegistryError(ValueError):
    """A model name or class that the registry cannot accept or find."""


def register_model(name: str):
    """Class decorator: ``@register_model("stackgan-bow")`` adds a :class:`GanModel` subclass."""

    def decorate(cls: type) -> type:
        if not (isinstance(cls, type) and issubclass(cls, GanModel)):
            raise RegistryError(f"model {name!r}: expected a subclass of ganbench.models.GanModel, got {cls!r}")
        if not hasattr(cls, "options_class"):
            raise RegistryError(f"model {name!r}: {cls.__name__} must set options_class (a dataclass)")
        existing = _MODELS.get(name)
        if existing is not None and existing is not cls:
            raise RegistryError(f"model {name!r} is already registered by {existing.__module__}.{existing.__name__}")
        _MODELS[name] = cls
        return cls

    return decorate


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in _BUILTIN_MODULES:
        import_module(module)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()


def available_models() -> dict[str, type[GanModel]]:
    """Every registered model, built-ins and plugins, by name."""
    _load_all()
    return dict(sorted(_MODELS.items()))


def get_model(name: str) -> type[GanModel]:
    """The model class registered as ``name``; an unknown name says the nearest registered one."""
    models = available_models()
    if name in models:
        return models[name]
    near = difflib.get_close_matches(name, list(models), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise RegistryError(f"unknown model {name!r}{hint} Registered: {', '.join(models)}")
