"""ganbench: evaluation and colour-modelling toolkit for recurrent text-to-image GANs (ReStGAN).

``ganbench.load``, ``ganbench.evaluate`` and ``ganbench.Generator`` (see :mod:`ganbench.api`) are
imported on first use, so ``import ganbench`` stays light (no torch).
"""

from ganbench.version import __version__

API = ("Generator", "LoadError", "evaluate", "load")
__all__ = ["__version__", *API]


def __getattr__(name: str):
    if name in API:
        import ganbench.api

        return getattr(ganbench.api, name)
    raise AttributeError(f"module 'ganbench' has no attribute {name!r}")
