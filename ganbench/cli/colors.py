"""``ganbench colors``: colour vocabularies, clustering, lookup tables and colour-term studies."""

import click


@click.group()
def colors() -> None:
    """Colour terms in CIELAB: cluster, look up, draw swatches, study embeddings."""
