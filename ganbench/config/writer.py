"""A run's settings written back as TOML: the file ``load_config`` reads again.

tomli-w writes every key and value (its quoting and escapes); the layout is ours, for a file people read:
a header line saying what the file is, then one table per section in the tree's order, each opened by a
comment with the section's one-line summary, keys in the order the schema declares them and nested
tables ([eval.net]) after their section's plain keys. tomli-w alone writes every array one item per line
(82 lines of config.toml became 127); here an array stays on one line when it fits in 100 characters, and
a longer one (the query streams) is written one item per line, each item inline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from ganbench.config.schema import RUN_SECTIONS, SECTIONS, RunConfig
from ganbench.config.validate import config_as_dict

HEADER = ("# The resolved settings of this run (ganbench writes this file; `ganbench train --config`\n"
          "# reads it back). `ganbench config show` describes every key.")
LINE_LENGTH = 100


def toml_value(value: Any) -> str:
    """A plain value (str, int, float, bool, a list or an inline table of those) as one line of TOML."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return tomli_w.dumps({"v": value}).partition("=")[2].strip()


def toml_key(name: str) -> str:
    """``name`` as a TOML key (bare when it can be, quoted otherwise)."""
    return tomli_w.dumps({name: 0}).rpartition(" = ")[0]


def _assignment(key: str, value: Any) -> str:
    line = f"{toml_key(key)} = {toml_value(value)}"
    if len(line) <= LINE_LENGTH or not isinstance(value, list | tuple):
        return line
    items = "".join(f"    {toml_value(v)},\n" for v in value)
    return f"{toml_key(key)} = [\n{items}]"


def _table(name: str, table: dict[str, Any]) -> list[str]:
    lines = [f"[{name}]"] + [_assignment(k, v) for k, v in table.items() if not isinstance(v, dict)]
    for key, value in table.items():
        if isinstance(value, dict):
            lines += ["", *_table(f"{name}.{toml_key(key)}", value)]
    return lines


def _summary(section: str) -> str:
    return " ".join((SECTIONS[section].__doc__ or "").strip().split("\n\n")[0].split())


def config_to_toml(config: RunConfig, sections: tuple[str, ...] = RUN_SECTIONS) -> str:
    """The chosen sections of ``config`` (a run's, by default) as commented TOML text."""
    tables = config_as_dict(config, sections)
    blocks = [HEADER] + ["\n".join([f"# {_summary(name)}", *_table(name, tables[name])])
                         for name in sections if name in tables]
    return "\n\n".join(blocks) + "\n"


def write_config(config: RunConfig, path: str | Path) -> None:
    Path(path).write_text(config_to_toml(config), encoding="utf-8")
