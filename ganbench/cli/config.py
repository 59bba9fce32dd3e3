"""``ganbench config show``: every configuration key with its type, default and description."""

from __future__ import annotations

import click


@click.group("config")
def config_group() -> None:
    """The run configuration: its keys, types, defaults and what they do."""


@click.command("show")
@click.option("--model", "model_name", metavar="NAME",
              help="Also list this registered model's options ([model.options]).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the JSON schema of the settings (pydantic's, from the same declaration) instead.")
def show_command(model_name: str | None, as_json: bool) -> None:
    """Print every configuration key with its type, default and a one-line description.

    Keys are written as `--set` takes them (SECTION.KEY=VALUE) and as TOML
    tables in a --config file or an experiment file. Where `ganbench
    train` without --config starts from another value (the CPU-scale
    defaults), that value is shown beside the default.

    With --json, the settings' JSON schema (every table, key, type, default,
    range and description; with --model, [model.options] is that model's),
    e.g. for an editor's completion in experiment files.

    \b
    Examples:
      ganbench config show
      ganbench config show --model restgan
      ganbench config show --json --model restgan > ganbench-settings.schema.json
    """
    import json

    from ganbench.config.reference import config_reference, format_reference, json_schema
    from ganbench.models.registry import RegistryError

    try:
        if as_json:
            click.echo(json.dumps(json_schema(model_name), indent=1))
            return
        reference = config_reference(model_name)
    except RegistryError as error:
        raise click.BadParameter(str(error), param_hint="--model") from None
    click.echo(format_reference(reference), nl=False)
    if model_name is None:
        click.echo("\n[model.options] depends on the model: `ganbench config show --model NAME` lists them.")


config_group.add_command(show_command)
