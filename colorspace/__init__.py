"""colorspace: perceptual colour modelling (CIELAB, CIEDE2000, colour-term clustering, lookup tables).

Stands alone: imports nothing from ganbench.
"""

from colorspace.cluster import Cluster, cluster_terms
from colorspace.convert import lab_to_srgb, srgb_to_lab
from colorspace.difference import delta_e, pairwise_delta_e
from colorspace.dominant import dominant_colour
from colorspace.lookup import LookupResult, LookupTable, LookupTableError, default_lookup, open_lookup
from colorspace.vocabulary import ColourTerm, catalog_terms, load_vocabulary, normalise_name

__all__ = [
    "Cluster",
    "ColourTerm",
    "LookupResult",
    "LookupTable",
    "LookupTableError",
    "catalog_terms",
    "cluster_terms",
    "default_lookup",
    "delta_e",
    "dominant_colour",
    "lab_to_srgb",
    "load_vocabulary",
    "normalise_name",
    "open_lookup",
    "pairwise_delta_e",
    "srgb_to_lab",
]
