"""ganbench from Python: :func:`load` a generator, :meth:`Generator.generate` its step images,
:func:`evaluate` a run, a generator or a folder of images into the metrics dict ``ganbench eval`` writes.

    >>> import ganbench
    >>> model = ganbench.load("restgan-synth")
    >>> strips = model.generate(["women's black pants", "petite", "capri"], seeds=(0, 1))
"""

from ganbench.api.evaluation import evaluate
from ganbench.api.generator import Generator, LoadError, load

__all__ = ["Generator", "LoadError", "evaluate", "load"]
