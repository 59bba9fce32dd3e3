"""``ganbench data``: synthesise, import and inspect catalogs."""

import click


@click.group()
def data() -> None:
    """Synthesise, import and inspect product catalogs."""
