"""colorspace: perceptual colour modelling (CIELAB, CIEDE2000, colour-term clustering, lookup tables).

Stands alone: imports nothing from ganbench.
"""

from colorspace.vocabulary import ColourTerm, catalog_terms, load_vocabulary, normalise_name

__all__ = ["ColourTerm", "catalog_terms", "load_vocabulary", "normalise_name"]
