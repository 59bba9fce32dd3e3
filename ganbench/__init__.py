"""ganbench: evaluation and colour-modelling toolkit for recurrent text-to-image GANs (ReStGAN)."""

__version__ = "0.1.0"
