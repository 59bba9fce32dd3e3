"""The four StackGAN baselines of the ReStGAN paper, an ablation ladder (each file registers one model).

The paper does not say what distinguishes its baselines; our ladder, from the simplest:
``stackgan-bow`` (title, bag of words) -> ``stackgan-lstm`` (title, LSTM) -> ``stackgan-ac`` (+ auxiliary
classifier) -> ``stackgan-prefix`` (every query prefix as an independent sample) -> ``restgan``.
"""

from baselines import stackgan_ac, stackgan_bow, stackgan_lstm, stackgan_prefix

__all__ = ["stackgan_ac", "stackgan_bow", "stackgan_lstm", "stackgan_prefix"]
