"""Pretrained models shipped in the package (``restgan-synth``, ``stackgan-bow-synth``): a fresh clone can
generate and explore without training. Format, loading and version checks: :mod:`.package`; writing them
from an experiment's results: :mod:`.export` (``make pretrained`` regenerates them)."""

from ganbench.pretrained.package import (
    FORMAT,
    PretrainedError,
    PretrainedInfo,
    available_pretrained,
    load_pretrained,
    load_pretrained_eval_net,
    pretrained_info,
)

__all__ = ["FORMAT", "PretrainedError", "PretrainedInfo", "available_pretrained", "load_pretrained",
           "load_pretrained_eval_net", "pretrained_info"]
