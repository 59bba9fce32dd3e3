"""A model's options ([model.options]) checked by the same pydantic machinery as the rest of the tree.

The zoo declares its options as pydantic models (:mod:`ganbench.models.options`); a plugin may also
declare a plain dataclass, which is checked through a pydantic model built from its fields (with the
settings' strictness and ``extra="forbid"``) and then built as the plugin's own class.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo

from ganbench.config.fields import SETTINGS
from ganbench.config.validate import ProblemList


@functools.cache
def options_model(options_class: type) -> type[BaseModel]:
    """The pydantic model that checks ``options_class`` (itself when it is one)."""
    if isinstance(options_class, type) and issubclass(options_class, BaseModel):
        return options_class
    hints = typing.get_type_hints(options_class)
    fields: dict[str, Any] = {}
    for spec in dataclasses.fields(options_class):
        default = (spec.default if spec.default is not dataclasses.MISSING
                   else spec.default_factory() if spec.default_factory is not dataclasses.MISSING else ...)
        fields[spec.name] = (hints[spec.name], default)
    return create_model(options_class.__name__, __config__=SETTINGS, **fields)


def option_fields(options_class: type) -> dict[str, FieldInfo]:
    """Option name -> its pydantic field (type, default, description)."""
    return options_model(options_class).model_fields


def build_options(options_class: type, table: Any, problems: ProblemList) -> Any:
    """``options_class`` built from the [model.options] ``table``; problems go to ``problems`` (None then)."""
    model = options_model(options_class)
    try:
        checked = model.model_validate(table if table is not None else {})
    except ValidationError as error:
        problems.add_errors(error, model, "model.options")
        return None
    return checked if model is options_class else options_class(**dict(checked))
